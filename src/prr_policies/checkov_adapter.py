"""The checkov side of the static layer: one BaseResourceCheck per catalog checkov id.

Imported only by the external checks directory (``prr_policies/checkov_checks``), never by the
core. A check never raises and never returns checkov's UNKNOWN (which vanishes from reports):
UNKNOWN and errors surface as FAILED with ``details`` saying why; NOT_APPLICABLE is PASSED with
a ``NOT_APPLICABLE:`` detail. The first detail always starts with the rule's status.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from prr_policies.catalog import Control, catalog
from prr_policies.controls import RULES, evaluate
from prr_policies.errors import InputError
from prr_policies.facts import (
    ApiStage, CodeSigningConfig, DeploymentGroup, EventSourceMapping, FunctionUrl, IamRole, KmsKey, LambdaFunction,
    LambdaPermission, Queue, Secret, Topic,
)
from prr_policies.result import Status
from prr_policies.settings import Settings, load_settings, settings_path_from_env
from prr_policies.sources import terraform as tf

Builder = Callable[[dict[str, Any], "tf.ResourceGraph | None"], Any]

# facts type -> the Terraform resource type it is read from and how.
BUILDERS: dict[type, tuple[str, Builder]] = {
    LambdaFunction: ("aws_lambda_function", tf.lambda_function),
    FunctionUrl: ("aws_lambda_function_url", lambda conf, _graph: tf.function_url(conf)),
    LambdaPermission: ("aws_lambda_permission", lambda conf, _graph: tf.lambda_permission(conf)),
    Queue: ("aws_sqs_queue", lambda conf, graph: tf.queue(conf, graph, current_settings().sqs.dlq_name_suffixes)),
    Topic: ("aws_sns_topic", tf.topic),
    Secret: ("aws_secretsmanager_secret", tf.secret),
    KmsKey: ("aws_kms_key", tf.kms_key),
    CodeSigningConfig: ("aws_lambda_code_signing_config", tf.code_signing_config),
    DeploymentGroup: ("aws_codedeploy_deployment_group", tf.deployment_group),
    IamRole: ("aws_iam_role", tf.iam_role),
    EventSourceMapping: ("aws_lambda_event_source_mapping", tf.event_source_mapping),
    ApiStage: ("aws_api_gateway_stage", tf.api_stage),
}

_CHECKOV_RESULT = {
    Status.PASS: CheckResult.PASSED,
    Status.NOT_APPLICABLE: CheckResult.PASSED,
    Status.FAIL: CheckResult.FAILED,
    Status.UNKNOWN: CheckResult.FAILED,
}


class _State:
    """Per-process caches: settings by file stamp, the graph index and facts per graph."""

    settings_key: tuple[Any, ...] | None = None
    settings: Settings | InputError | None = None
    graph: Any = None
    index: tf.ResourceGraph | None = None
    facts: dict[tuple[int, str], tuple[dict[str, Any], Any]] = {}


def current_settings() -> Settings:
    """Settings from $PRR_SETTINGS or ./prr.yaml, re-read when the file changes."""
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


def facts_for(facts_type: type, conf: dict[str, Any], graph: Any) -> Any:
    index = graph_index(graph)
    key = (id(conf), facts_type.__name__)
    cached = _State.facts.get(key)
    if cached is not None and cached[0] is conf:
        return cached[1]
    facts = BUILDERS[facts_type][1](conf, index)
    if graph is not None:
        _State.facts[key] = (conf, facts)
    return facts


class PrrCheck(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self, control: Control, checkov_id: str) -> None:
        rule = RULES[control.id]
        self.control = control
        self.facts_type = rule.facts_type
        resource_type = BUILDERS[rule.facts_type][0]
        super().__init__(
            name=f"{control.id}: {control.title}",
            id=checkov_id,
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=[resource_type],
            guideline=f"prr-policies catalog --control {control.id} (rationale and Terraform remediation)",
        )
        self.severity = Severities[control.severity]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        try:
            settings = current_settings()
            facts = facts_for(self.facts_type, conf, self.graph)
            result = evaluate(self.control.id, facts, settings)
        except InputError as exc:
            self.details = [f"UNKNOWN: settings error: {exc}"]
            return CheckResult.FAILED
        except Exception as exc:  # noqa: BLE001 - a raising check vanishes in checkov; fail visibly
            logging.error("prr-policies: %s failed on %s", self.id, conf.get("__address__"), exc_info=True)
            self.details = [f"UNKNOWN: internal error in {self.id}: {type(exc).__name__}: {exc}"]
            return CheckResult.FAILED
        self.details = [f"{result.status.value}: {result.reason}"]
        return _CHECKOV_RESULT[result.status]

    def get_evaluated_keys(self) -> list[str]:
        return []


_registered: list[PrrCheck] = []


def register() -> list[PrrCheck]:
    """Instantiate (and so register with checkov) one check per catalog checkov id, once."""
    if not _registered:
        for control in catalog().controls:
            for checkov_id in control.enforcement.checkov:
                _registered.append(PrrCheck(control, checkov_id))
    return _registered


os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
