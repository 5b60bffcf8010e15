"""``prr-policies audit --evidence DIR``: the evidence bundle of one audit, ``DIR/evidence.json``.

It says when the audit ran, in which account and Region, as whom (STS GetCallerIdentity, which
needs no permission), with which settings (their SHA-256) and catalog; then, for every control of
the catalog, its results with the resources judged and the API calls behind them (the IAM
actions of the calls its facts come from, as the kind registry declares them and the audit made
them), or the reason it has none. ``evidence.schema.json`` (shipped next to this module) is its
JSON schema; a test validates bundles against it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any, Callable

from prr_policies.catalog import Catalog, catalog
from prr_policies.result import Status
from prr_policies.settings import DEFAULTS_FILE, Settings

SCHEMA_FILE = Path(__file__).resolve().parent / "evidence.schema.json"
BUNDLE = "evidence.json"
FORMAT = "prr-policies/evidence/1"


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _identity(client: Callable[[str], Any]) -> dict[str, Any]:
    try:
        me = client("sts").get_caller_identity()
        return {"account": me.get("Account"), "arn": me.get("Arn"), "user_id": me.get("UserId")}
    except Exception as exc:  # noqa: BLE001 - any failure is recorded, never a crash
        return {"account": None, "arn": None, "user_id": None, "error": f"sts:GetCallerIdentity failed: {str(exc)[:200]}"}


def _control_calls(facts_name: str | None, made: set) -> list[str]:
    from prr_policies.sources import kinds
    from prr_policies.sources.aws_api import iam_action

    if facts_name is None:
        return []
    k = next((k for k in kinds.KINDS if k.name == facts_name), None)
    if k is None:
        return []
    return sorted({iam_action(s, o) for s, o in k.calls if (s, o) in made})


def bundle(report: Any, settings: Settings, client: Callable[[str], Any], region: str, settings_file: Path | None,
           now: datetime.datetime | None = None, cat: Catalog | None = None) -> dict[str, Any]:
    from prr_policies import __version__

    cat = cat or catalog()
    now = now or datetime.datetime.now(datetime.timezone.utc)
    ident = _identity(client)
    source = Path(settings_file) if settings_file else DEFAULTS_FILE
    controls: dict[str, Any] = {}
    for c in cat.controls:
        mine = [f for f in report.findings if f.control_id == c.id]
        entry: dict[str, Any] = {
            "title": c.title,
            "results": [{"resource_type": f.resource_type, "resource_id": f.resource_id, "status": f.result.status.value,
                         "reason": f.result.reason} for f in mine],
            "api_calls": _control_calls(c.facts, report.calls),
        }
        if mine:
            statuses = {f.result.status for f in mine}
            order = (Status.FAIL, Status.UNKNOWN, Status.WARNING, Status.PASS, Status.NOT_APPLICABLE)
            entry["status"] = next(s.value for s in order if s in statuses)
        elif c.facts is None:
            entry["status"] = "NOT_EVALUATED"
            entry["reason"] = ("enforced by guardrails only (" + ", ".join(c.enforcement.guardrail_sids) + "): the audit "
                               "reads no resource for it; the evidence is the attached policy and an attestation")
        else:
            entry["status"] = "NOT_EVALUATED"
            entry["reason"] = f"no {c.facts} resource in this account and Region" + (
                " among the functions audited" if getattr(report, "functions", None) else "")
        controls[c.id] = entry
    statuses = [f.result.status.value for f in report.findings]
    return {
        "format": FORMAT,
        "generated_at": now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "tool": {"name": "prr-policies", "version": __version__},
        "account": ident["account"],
        "region": region,
        "caller": ident,
        "settings": {"file": str(settings_file) if settings_file else "<package defaults>", "sha256": _digest(source.read_bytes())},
        "catalog": {"controls": len(cat.controls),
                    "sha256": _digest(json.dumps([c.id for c in cat.controls]).encode())},
        "summary": {s.value: statuses.count(s.value) for s in Status},
        "refused_permissions": dict(report.refused),
        "failed_calls": dict(report.failed),
        "controls": controls,
    }


def write_bundle(directory: str | Path, report: Any, settings: Settings, client: Callable[[str], Any], region: str,
                 settings_file: Path | None) -> Path:
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    path = out / BUNDLE
    path.write_text(json.dumps(bundle(report, settings, client, region, settings_file), indent=2) + "\n", encoding="utf-8")
    return path
