"""The control catalog: requirements, controls and compliance ids, loaded and validated.

The YAML files next to this module are the source of truth; every other layer (checkov checks,
generated artifacts, README tables) is derived from what ``load_catalog()`` returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from prr_policies._model import parse_dataclass
from prr_policies.errors import InputError

CATALOG_DIR = Path(__file__).resolve().parent
CONTROL_ID = re.compile(r"^PRR-[A-Z]+-\d{3}$")
CHECKOV_ID = re.compile(r"^CKV2?_PRR_\d+$")
Severity = Literal["LOW", "MEDIUM", "HIGH", "CRITICAL"]
# The PRR checklist's categories, and the non-functional targets (readiness settings) a control helps meet.
ChecklistCategory = Literal["identity", "code integrity", "secrets", "network", "reliability", "observability", "release",
                            "resilience", "cost"]
Nfr = Literal["availability", "latency", "throughput", "recovery", "retention", "cost"]
CLOUDTRAIL_EVENT = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")
RUNBOOK_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Requirement:
    id: str
    section: str
    title: str
    text: str


@dataclass(frozen=True)
class Compliance:
    iso27001_2022: tuple[str, ...] = ()
    soc2_tsc: tuple[str, ...] = ()
    nist_csf_2: tuple[str, ...] = ()


@dataclass(frozen=True)
class Enforcement:
    checkov: tuple[str, ...] = ()
    config_rules: tuple[str, ...] = ()
    guardrail_sids: tuple[str, ...] = ()
    audit: tuple[str, ...] = ()
    runbook: str | None = None
    # How the control runs as an AWS Config rule: on configuration changes of its resources, or
    # periodically over the account (for what Config does not record). None: no Config evaluator.
    config_trigger: Literal["change", "periodic"] | None = None
    # Narrows the resource types the custom rule is scoped to (default: every type of its kind).
    config_scope: tuple[str, ...] = ()

    def custom_rule(self, control_id: str) -> str | None:
        """The name of the control's custom Config rule in the pack, when it has one."""
        name = control_id.lower()
        return name if name in self.config_rules else None


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    severity: Severity
    resource_types: tuple[str, ...]
    rationale: str
    remediation: str
    requirements: tuple[str, ...]
    compliance: Compliance
    enforcement: Enforcement = field(default_factory=Enforcement)
    # Why a layer cannot enforce this control (e.g. no IAM condition key exists).
    limitations: tuple[str, ...] = ()
    # The facts type its rule reads (a dataclass in prr_policies.facts); None for controls that
    # only guardrails enforce.
    facts: str | None = None
    # AWS Security Hub controls that check the same thing (ids from security_hub_controls.yaml).
    security_hub: tuple[str, ...] = ()
    # API calls whose CloudTrail events show the control's subject being changed: "service:Operation"
    # with botocore's service and operation names (the documents' tests check them against botocore).
    cloudtrail_events: tuple[str, ...] = ()
    # Where the control sits in the PRR checklist, and which readiness targets it helps meet.
    checklist: ChecklistCategory | None = None
    nfr: tuple[Nfr, ...] = ()


@dataclass(frozen=True)
class _SecurityHubFile:
    source: str
    services_without_controls: tuple[str, ...]
    controls: dict[str, str]


@dataclass(frozen=True)
class _RequirementsFile:
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class _ControlsFile:
    controls: tuple[Control, ...]


@dataclass(frozen=True)
class _ComplianceFile:
    iso27001_2022: tuple[str, ...]
    soc2_tsc: tuple[str, ...]
    nist_csf_2: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    requirements: tuple[Requirement, ...]
    controls: tuple[Control, ...]
    # AWS Security Hub control id -> title, and where that list comes from.
    security_hub_controls: dict[str, str] = field(default_factory=dict)
    security_hub_source: str = ""

    def control(self, control_id: str) -> Control:
        for c in self.controls:
            if c.id == control_id:
                return c
        raise KeyError(control_id)

    def by_checkov_id(self) -> dict[str, Control]:
        return {ck: c for c in self.controls for ck in c.enforcement.checkov}

    def uncovered_requirements(self) -> list[str]:
        covered = {r for c in self.controls for r in c.requirements}
        return [r.id for r in self.requirements if r.id not in covered]


def _load(cls: type, path: Path) -> object:
    from prr_policies import _yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), "", f"cannot read catalog file: {exc}") from None
    return parse_dataclass(cls, _yaml.load(text, str(path)), str(path))


def _unique(ids: list[str], source: str, where: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            raise InputError(source, f"{where}[{i}]", f"duplicate id {value}")
        seen.add(value)


def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    req_file = directory / "requirements.yaml"
    ctl_file = directory / "controls.yaml"
    comp_file = directory / "compliance_ids.yaml"
    reqs: _RequirementsFile = _load(_RequirementsFile, req_file)  # type: ignore[assignment]
    ctls: _ControlsFile = _load(_ControlsFile, ctl_file)  # type: ignore[assignment]
    valid: _ComplianceFile = _load(_ComplianceFile, comp_file)  # type: ignore[assignment]
    hub_file = directory / "security_hub_controls.yaml"
    hub: _SecurityHubFile = _load(_SecurityHubFile, hub_file)  # type: ignore[assignment]

    _unique([r.id for r in reqs.requirements], str(req_file), "requirements")
    _unique([c.id for c in ctls.controls], str(ctl_file), "controls")
    req_ids = {r.id for r in reqs.requirements}
    checkov_seen: dict[str, str] = {}
    src = str(ctl_file)
    for i, c in enumerate(ctls.controls):
        at = f"controls[{i}]"
        if not CONTROL_ID.match(c.id):
            raise InputError(src, f"{at}.id", f"{c.id!r} is not a control id like PRR-LAMBDA-001")
        for j, r in enumerate(c.requirements):
            if r not in req_ids:
                raise InputError(src, f"{at}.requirements[{j}]", f"unknown requirement {r!r}")
        if not c.requirements:
            raise InputError(src, f"{at}.requirements", "a control must cite at least one requirement")
        for framework in ("iso27001_2022", "soc2_tsc", "nist_csf_2"):
            allowed = set(getattr(valid, framework))
            for j, cid in enumerate(getattr(c.compliance, framework)):
                if cid not in allowed:
                    raise InputError(src, f"{at}.compliance.{framework}[{j}]", f"{cid!r} is not a valid {framework} id")
        for j, ck in enumerate(c.enforcement.checkov):
            if not CHECKOV_ID.match(ck):
                raise InputError(src, f"{at}.enforcement.checkov[{j}]", f"{ck!r} is not a private id (CKV_PRR_<n> or CKV2_PRR_<n>)")
            if ck in checkov_seen:
                raise InputError(src, f"{at}.enforcement.checkov[{j}]", f"{ck} is already used by {checkov_seen[ck]}")
            checkov_seen[ck] = c.id
        if c.enforcement.config_trigger and c.facts is None:
            raise InputError(src, f"{at}.enforcement.config_trigger", "a Config evaluator needs the control's facts type")
        if c.enforcement.custom_rule(c.id) is None and any(r.islower() for r in c.enforcement.config_rules):
            raise InputError(src, f"{at}.enforcement.config_rules", f"the custom rule of {c.id} is named {c.id.lower()}")
        if c.enforcement.custom_rule(c.id) and not c.enforcement.config_trigger:
            raise InputError(src, f"{at}.enforcement.config_trigger", "a custom Config rule needs a trigger (change or periodic)")
        _check_document_fields(c, src, at, hub)
    return Catalog(requirements=reqs.requirements, controls=ctls.controls, security_hub_controls=dict(hub.controls),
                   security_hub_source=hub.source)


def _check_document_fields(c: Control, src: str, at: str, hub: _SecurityHubFile) -> None:
    for j, sh in enumerate(c.security_hub):
        if sh not in hub.controls:
            raise InputError(src, f"{at}.security_hub[{j}]", f"{sh!r} is not in security_hub_controls.yaml")
    _unique(list(c.security_hub), src, f"{at}.security_hub")
    for j, ev in enumerate(c.cloudtrail_events):
        if not CLOUDTRAIL_EVENT.match(ev):
            raise InputError(src, f"{at}.cloudtrail_events[{j}]", f"{ev!r} is not service:Operation (e.g. lambda:UpdateFunctionConfiguration)")
    _unique(list(c.cloudtrail_events), src, f"{at}.cloudtrail_events")
    if c.enforcement.runbook is not None and not RUNBOOK_ID.match(c.enforcement.runbook):
        raise InputError(src, f"{at}.enforcement.runbook", f"{c.enforcement.runbook!r} is not a runbook id (lower-case words and dashes)")


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The packaged catalog, loaded once."""
    return load_catalog()
