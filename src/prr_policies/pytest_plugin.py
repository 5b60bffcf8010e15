"""pytest plugin (``pytest11`` entry point ``prr_policies``): the controls in a team's own tests.

Installed with the package; three fixtures, each returning a callable:

``prr_scan(path=None, plan=None, settings=None, only_prr=True)``
    checkov with the PRR checks over a Terraform folder and/or plan (once per arguments and
    session) -> :class:`ScanResult`: ``result.control("<control id>").passed``.
``prr_guardrails(settings)``
    the SCPs, boundaries and deploy-role policy ``prr-policies generate`` makes from a prr.yaml,
    evaluated by the IAM engine -> :class:`Guardrails`:
    ``g.deploy_role("lambda:PublishVersion", arn, context={...}).allowed``.
``prr_config_rule(control_id, item, settings=None)``
    one AWS Config configuration item (a dict or a JSON file) through the control's rule ->
    :class:`ControlResult`.

A failed assertion shows each finding with its status, resource and reason (the objects'
``repr``). "Passed" needs at least one PASS and no FAIL or UNKNOWN: a control that evaluated
nothing does not pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

from prr_policies.result import Status


@dataclass(frozen=True)
class Item:
    resource: str
    status: Status
    reason: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.status.value} {self.resource}{f' ({self.where})' if self.where else ''}: {self.reason}"


@dataclass(frozen=True)
class ControlResult:
    control_id: str
    items: tuple[Item, ...]

    @property
    def passed(self) -> bool:
        return any(i.status is Status.PASS for i in self.items) and not self.failed

    @property
    def failed(self) -> bool:
        return any(i.status.blocks for i in self.items)

    @property
    def statuses(self) -> set[str]:
        return {i.status.value for i in self.items}

    def resource(self, address: str) -> "ControlResult":
        return ControlResult(self.control_id, tuple(i for i in self.items if i.resource == address))

    def __repr__(self) -> str:
        if not self.items:
            return f"<{self.control_id}: no resource evaluated>"
        lines = [f"<{self.control_id}: " + ", ".join(f"{sum(i.status is s for i in self.items)} {s.value}" for s in Status
                                                     if any(i.status is s for i in self.items)) + ">"]
        lines += [f"    {i}" for i in self.items]
        return "\n".join(lines)


@dataclass
class ScanResult:
    findings: list = field(default_factory=list)  # prr_policies.scan.Finding

    def control(self, control_id: str) -> ControlResult:
        from prr_policies.catalog import catalog

        catalog().control(control_id)  # KeyError for an id that is not in the catalog
        return ControlResult(control_id, tuple(Item(f.resource, f.status, f.reason, f"{f.framework}: {f.file}")
                                               for f in self.findings if f.control_id == control_id))

    def __repr__(self) -> str:
        bad = [f for f in self.findings if f.control_id and f.status.blocks]
        return f"<ScanResult: {len(self.findings)} results, {len(bad)} failing or unknown>"


class Verdict:
    """An IAM decision that explains itself in an assertion message."""

    def __init__(self, decision: Any, action: str, resource: str):
        self.decision, self.action, self.resource = decision, action, resource

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    @property
    def denied(self) -> bool:
        return not self.decision.allowed

    def __repr__(self) -> str:
        return f"<{self.action} on {self.resource}: {self.decision.effect}\n{self.decision.explain()}>"


class Guardrails:
    """The generated guardrails of one prr.yaml, with the IAM engine behind them."""

    def __init__(self, settings: Any):
        from prr_policies.guardrails import proofs

        self.settings = settings
        self.documents = proofs.artifacts(settings)
        self._proofs = proofs

    def deploy_role(self, action: str, resource: str = "*", *, context: dict | None = None, principal: str | None = None,
                    identity: str = "generated") -> Verdict:
        """A request by the CI/CD deploy role (its generated policy, or ``identity="admin"`` for
        AdministratorAccess) under the CI boundary and the SCPs."""
        from prr_policies.iam import Request

        g = self.settings.guardrails
        ctx = {"aws:RequestedRegion": g.allowed_regions[0], **(context or {})}
        policies = self._proofs.ci_policies(self.settings, identity, self.documents)
        who = principal or self._proofs.ci_principal(self.settings)
        return Verdict(policies.evaluate(Request(who, action, resource, context=ctx)), action, resource)


def _scan(path: str | Path | None, plan: str | Path | None, settings: str | Path | None, only_prr: bool) -> ScanResult:
    from prr_policies import scan as sc

    if path is None and plan is None:
        raise ValueError("prr_scan: give a Terraform path, a plan, or both")
    return ScanResult(sc.run_scan(path, plan, settings, sc.ScanOptions(only_prr=only_prr)).findings)


@pytest.fixture(scope="session")
def prr_scan() -> Callable[..., ScanResult]:
    cache: dict[tuple, ScanResult] = {}

    def run(path: str | Path | None = None, plan: str | Path | None = None, settings: str | Path | None = None,
            only_prr: bool = True) -> ScanResult:
        key = tuple(str(Path(x).resolve()) if x else None for x in (path, plan, settings)) + (only_prr,)
        if key not in cache:
            cache[key] = _scan(path, plan, settings, only_prr)
        return cache[key]

    return run


@pytest.fixture(scope="session")
def prr_guardrails() -> Callable[[str | Path], Guardrails]:
    cache: dict[str, Guardrails] = {}

    def load(settings: str | Path) -> Guardrails:
        from prr_policies.settings import load_settings

        key = str(Path(settings).resolve())
        if key not in cache:
            cache[key] = Guardrails(load_settings(settings))
        return cache[key]

    return load


@pytest.fixture
def prr_config_rule() -> Callable[..., ControlResult]:
    def evaluate(control_id: str, item: dict | str | Path, settings: str | Path | None = None) -> ControlResult:
        from prr_policies.controls import RULES
        from prr_policies.controls import evaluate as run_rule
        from prr_policies.settings import load_settings
        from prr_policies.sources.config_item import facts_from_item

        source = "<configuration item>"
        if not isinstance(item, dict):
            source = str(item)
            item = json.loads(Path(item).read_text(encoding="utf-8"))
        s = load_settings(settings)
        facts = facts_from_item(item, source, s)
        rule = RULES[control_id]
        if not isinstance(facts, rule.facts_type):
            raise TypeError(f"{control_id} reads {rule.facts_type.__name__}; {source} is a {type(facts).__name__}")
        r = run_rule(control_id, facts, s)
        return ControlResult(control_id, (Item(r.resource, r.status, r.reason, source),))

    return evaluate
