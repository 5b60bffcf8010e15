"""The checkov side of the static layer: one BaseResourceCheck per catalog checkov id.

Imported only by the external checks directory (``prr_policies/checkov_checks``), never by the
core. A check never raises and never returns checkov's UNKNOWN (which vanishes from reports):
UNKNOWN and errors surface as FAILED with ``details`` saying why; NOT_APPLICABLE is PASSED with
a ``NOT_APPLICABLE:`` detail. The first detail always starts with the rule's status.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from prr_policies.catalog import Control, catalog
from prr_policies.controls import RULES, evaluate
from prr_policies.errors import InputError
from prr_policies.result import Result, Status
from prr_policies.scan_output import guideline
from prr_policies.settings import Settings, load_settings, settings_path_from_env
from prr_policies.sources import kinds
from prr_policies.sources import terraform as tf

_CHECKOV_RESULT = {
    Status.PASS: CheckResult.PASSED,
    Status.NOT_APPLICABLE: CheckResult.PASSED,
    Status.FAIL: CheckResult.FAILED,
    Status.UNKNOWN: CheckResult.FAILED,
    Status.WARNING: CheckResult.PASSED,  # not blocking; the detail starts with "WARNING:"
}


class _State:
    """Per-process caches: settings by file stamp, the graph index and facts per graph."""

    settings_graph: Any = None
    settings_key: tuple[Any, ...] | None = None
    settings: Settings | InputError | None = None
    graph: Any = None
    index: tf.ResourceGraph | None = None
    facts: dict[tuple[int, str], tuple[dict[str, Any], Any]] = {}


def current_settings(graph: Any = None) -> Settings:
    """Settings from $PRR_SETTINGS or ./prr.yaml, re-read when the file changes. The file is
    looked at once per scan (per graph checkov hands the checks), not once per check call."""
    if graph is not None and graph is _State.settings_graph and _State.settings is not None:
        if isinstance(_State.settings, InputError):
            raise _State.settings
        return _State.settings
    _State.settings_graph = graph
    path = settings_path_from_env()
    stamp = path.stat().st_mtime_ns if path else None
    key = (str(path) if path else None, stamp)
    if key != _State.settings_key:
        _State.settings_key = key
        try:
            _State.settings = load_settings(path)
        except InputError as exc:
            logging.error("prr-policies: invalid settings: %s", exc)
            _State.settings = exc
    if isinstance(_State.settings, InputError):
        raise _State.settings
    assert _State.settings is not None
    return _State.settings


def graph_index(graph: Any) -> tf.ResourceGraph | None:
    if graph is None:
        return None
    if graph is not _State.graph:
        _State.graph, _State.index, _State.facts = graph, tf.ResourceGraph.from_checkov(graph), {}
    return _State.index


def facts_for(facts_type: type, conf: dict[str, Any], graph: Any, settings: Settings) -> list[Any]:
    """The facts one Terraform resource yields for ``facts_type`` (several where a resource holds
    several things to judge), built once per resource and graph."""
    index = graph_index(graph)
    key = (id(conf), facts_type.__name__)
    cached = _State.facts.get(key)
    if cached is not None and cached[0] is conf:
        return cached[1]
    built = kinds.kind(facts_type).terraform_builder(conf, index, settings)
    facts = built if isinstance(built, list) else list(built) if isinstance(built, tuple) else [built]
    if graph is not None:
        _State.facts[key] = (conf, facts)
    return facts


def combine(results: list[Result], nothing: str | None = None) -> tuple[Status, str]:
    """One checkov verdict for a resource judged as several facts: the worst status wins (FAIL,
    then UNKNOWN, then WARNING, then PASS, then NOT_APPLICABLE), and every reason that is not a PASS is given.
    No facts at all is NOT_APPLICABLE (``nothing`` says why, e.g. Terraform does not create it)."""
    if not results:
        return Status.NOT_APPLICABLE, nothing or "The resource holds nothing this control judges."
    if len(results) == 1:
        return results[0].status, results[0].reason
    order = (Status.FAIL, Status.UNKNOWN, Status.WARNING, Status.PASS, Status.NOT_APPLICABLE)
    worst = min((r.status for r in results), key=order.index)
    shown = [r for r in results if r.status is worst]
    return worst, " ".join(f"[{r.resource}] {r.reason}" for r in shown)


class PrrCheck(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self, control: Control, checkov_id: str) -> None:
        rule = RULES[control.id]
        self.control = control
        self.facts_type = rule.facts_type
        super().__init__(
            name=f"{control.id}: {control.title}",
            id=checkov_id,
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=list(kinds.kind(rule.facts_type).terraform),
            guideline=guideline(control.id),
        )
        self.severity = Severities[control.severity]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        try:
            settings = current_settings(self.graph)
            facts = facts_for(self.facts_type, conf, self.graph, settings)
            status, reason = combine([evaluate(self.control.id, f, settings) for f in facts], getattr(facts, "reason", None))
        except InputError as exc:
            self.details = [f"UNKNOWN: settings error: {exc}"]
            return CheckResult.FAILED
        except Exception as exc:  # noqa: BLE001 - a raising check vanishes in checkov; fail visibly
            logging.error("prr-policies: %s failed on %s", self.id, conf.get("__address__"), exc_info=True)
            self.details = [f"UNKNOWN: internal error in {self.id}: {type(exc).__name__}: {exc}"]
            return CheckResult.FAILED
        self.details = [f"{status.value}: {reason}"]
        return _CHECKOV_RESULT[status]

    def get_evaluated_keys(self) -> list[str]:
        return []


_registered: list[PrrCheck] = []


def register() -> list[PrrCheck]:
    """Instantiate (and so register with checkov) one check per catalog checkov id, once. The
    Terraform types each check reads come from the kind registry (the control's facts type)."""
    if not _registered:
        for control in catalog().controls:
            for checkov_id in control.enforcement.checkov:
                _registered.append(PrrCheck(control, checkov_id))
    return _registered


os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
