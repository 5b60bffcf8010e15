"""Shared pieces of the guardrail generators: the packaged data and the settings they need."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from prr_policies.errors import GuardrailError
from prr_policies.settings import Guardrails, Settings

DATA_FILE = Path(__file__).resolve().parent / "data.yaml"


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def role_arns(names: tuple[str, ...] | list[str]) -> list[str]:
    """Role names as ARN patterns in any account."""
    return [f"arn:aws:iam::*:role/{n}" for n in names]


def exempt_roles(g: Guardrails) -> list[str]:
    """The roles every guardrail exempts or trusts: break-glass and the security roles."""
    return list(dict.fromkeys([*g.break_glass_principals, *g.security_roles]))


def require(settings: Settings) -> Guardrails:
    """The guardrail settings, with every value generation needs set."""
    g = settings.guardrails
    src = settings.source
    if g is None:
        raise GuardrailError("guardrails", "missing", src)
    missing = [(k, why) for k, why in [
        ("organization_id", "the organization id (o-...) the RCPs keep data inside"),
        ("allowed_regions", "the Regions workloads may use"),
        ("break_glass_principals", "the break-glass role ARNs every Deny exempts"),
        ("pipeline_roles", "the CI/CD deploy role names"),
    ] if not getattr(g, k)]
    if g.application.name is None:
        missing.append(("application.name", "the application's name (the value of its tag)"))
    if not g.self_protection.cloudtrail_buckets:
        missing.append(("self_protection.cloudtrail_buckets", "the CloudTrail bucket names the SCPs protect"))
    if missing:
        key, why = missing[0]
        raise GuardrailError(f"guardrails.{key}", f"set {why} to generate guardrails", src)
    return g
