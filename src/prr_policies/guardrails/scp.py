"""Service control policies from ``prr.yaml``: code signing and layers, Regions, tags, and the
guardrails' own protection (Config and its evaluations, CloudTrail with its bucket and key, the
custom-rule function, the boundary policies, the exempt roles, WAF). Every Deny exempts the
break-glass principals (``ArnNotLike aws:PrincipalARN``), so break-glass is never denied by
these SCPs; most also exempt the security roles.

The statements are packed, in a fixed order, into as few policies as fit AWS's limit of 5,120
characters each (minified JSON, as Organizations counts every character), and at most
``scp_max_policies_per_target - 1`` of them, leaving a slot for FullAWSAccess; when they do
not fit, generation fails and says by how much.
"""

from __future__ import annotations

import json
import re
from typing import Any

from prr_policies.iam.limits import POLICY_TYPES
from prr_policies.guardrails.common import GuardrailError, data, exempt_roles, require, role_arns
from prr_policies.settings import Guardrails, Settings

SCP_MAX_CHARS: int = POLICY_TYPES["scp"].limit  # type: ignore[assignment]  (RCPs share it)
Statement = dict[str, Any]


def minified(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def _sid(prefix: str, key: str) -> str:
    """An alphanumeric Sid (IAM accepts only [A-Za-z0-9] in SCP Sids): PrrRequireTag + data-classification
    -> PrrRequireTagDataClassification."""
    return prefix + "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", key) if w)


def _deny(sid: str, actions: list[str], condition: dict | None, exempt: list[str], *, resource: Any = "*",
          not_resource: list[str] | None = None, not_action: bool = False) -> Statement:
    cond = dict(condition or {})
    if exempt:
        cond.setdefault("ArnNotLike", {})["aws:PrincipalARN"] = exempt
    s: Statement = {"Sid": sid, "Effect": "Deny", "NotAction" if not_action else "Action": actions}
    if not_resource:
        s["NotResource"] = not_resource
    else:
        s["Resource"] = resource
    if cond:
        s["Condition"] = cond
    return s


def code_signing_statements(g: Guardrails) -> list[Statement]:
    cs = g.code_signing
    exempt = list(g.break_glass_principals)
    skip = [f"arn:aws:lambda:*:*:function:{name}" for name in cs.exempt_function_names] or None
    layers = ["arn:aws:lambda:*:${aws:PrincipalAccount}:layer:*", *(f"arn:aws:lambda:*:{a}:layer:*" for a in cs.layer_publishers)]
    return [
        _deny("PrrDenyLambdaCreateUnsigned", ["lambda:CreateFunction"], {"Null": {"lambda:CodeSigningConfigArn": "true"}},
              exempt, not_resource=skip),
        _deny("PrrDenyLambdaUnapprovedSigning", ["lambda:CreateFunction", "lambda:PutFunctionCodeSigningConfig"],
              {"ArnNotEqualsIfExists": {"lambda:CodeSigningConfigArn": list(cs.allowed_configs)}}, exempt, not_resource=skip),
        _deny("PrrDenyLambdaSigningChanges", list(data()["protect"]["signing"]), None, exempt),
        # lambda:Layer holds every layer version the request names
        _deny("PrrDenyForeignLayers", ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"],
              {"ForAnyValue:ArnNotLike": {"lambda:Layer": layers}}, exempt),
    ]


def region_statements(g: Guardrails) -> list[Statement]:
    return [_deny("PrrDenyOutsideRegions", list(data()["global_actions"]),
                  {"StringNotEquals": {"aws:RequestedRegion": list(g.allowed_regions)}}, list(g.break_glass_principals), not_action=True)]


def tag_statements(g: Guardrails) -> list[Statement]:
    """Tags on create (required keys and their allowed values), and every required or protected
    tag kept: not removed, and not set again once the resource has it (a changed value), except
    by the security roles. Tag keys in ``aws:TagKeys`` are compared ignoring case: condition key
    names (``aws:RequestTag/owner``) are case-insensitive, so ``Owner`` satisfies a required
    ``owner`` and is protected like it."""
    tagging = data()["tagging"]
    glass = list(g.break_glass_principals)
    security = exempt_roles(g)
    services = list(tagging)
    # key -> services that must carry it on create, in a fixed order
    wanted: dict[str, list[str]] = {k: list(services) for k in g.tags.required}
    values: dict[str, tuple[str, ...]] = dict(g.tags.required)
    for svc in services:
        for key, allowed in g.tags.required_by_service.get(svc, {}).items():
            if svc not in wanted.setdefault(key, []):
                wanted[key].append(svc)
            if key in values and set(values[key]) != set(allowed) and allowed and values[key]:
                raise GuardrailError("guardrails.tags.required_by_service", f"{svc}.{key}: allowed values differ from guardrails.tags.required.{key}")
            values[key] = values.get(key) or allowed
    # log groups AWS services create through customer roles, untagged (the only exemption)
    service_groups = [f"arn:aws:logs:*:*:log-group:{n}" for n in g.tags.service_log_groups]
    out: list[Statement] = []
    for key, svcs in wanted.items():
        create = [a for s in svcs for a in tagging[s]["create"]]
        skip = service_groups if "logs" in svcs else None
        out.append(_deny(_sid("PrrRequireTag", key), create, {"Null": {f"aws:RequestTag/{key}": "true"}}, glass, not_resource=skip or None))
    for key, svcs in wanted.items():
        if values.get(key):
            acts = [a for s in svcs for a in tagging[s]["create"] + tagging[s]["tag"]]
            out.append(_deny(_sid("PrrTagValues", key), acts, {"Null": {f"aws:RequestTag/{key}": "false"},
                                                                 "StringNotEquals": {f"aws:RequestTag/{key}": list(values[key])}}, glass))
    kept = g.tags.all_protected()
    if kept:
        untag = [a for s in services for a in tagging[s]["untag"]]
        out.append(_deny("PrrProtectTags", untag, {"ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": list(kept)}}, security))
    for key in kept:  # a protected or generally required key on every service; one required by service on those
        svcs = services if key in g.tags.protected or key in g.tags.required else wanted[key]
        tag = [a for s in svcs for a in tagging[s]["tag"]]
        out.append(_deny(_sid("PrrKeepTag", key), tag, {"Null": {f"aws:RequestTag/{key}": "false", f"aws:ResourceTag/{key}": "false"}}, security))
    return out


def protection_statements(g: Guardrails) -> list[Statement]:
    p = data()["protect"]
    app = g.application
    sp = g.self_protection
    glass = list(g.break_glass_principals)
    security = exempt_roles(g)
    pipeline = list(dict.fromkeys([*security, *role_arns(g.pipeline_roles)]))
    boundary_arns = [f"arn:aws:iam::*:policy/{app.boundary_policy}", f"arn:aws:iam::*:policy/{app.ci_boundary_policy}"]
    app_boundary = f"arn:aws:iam::*:policy/{app.boundary_policy}"
    storage = [r for b in sp.cloudtrail_buckets for r in (f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*")] + list(sp.cloudtrail_keys)
    functions = [r for f in sp.config_rule_functions for r in (f"arn:aws:lambda:*:*:function:{f}", f"arn:aws:lambda:*:*:function:{f}:*")]
    out = [
        _deny("PrrProtectConfig", list(p["config"]), None, security),
        _deny("PrrProtectEvaluations", list(p["evaluations"]), None, list(dict.fromkeys([*glass, *sp.config_rule_roles]))),
        _deny("PrrProtectCloudTrail", list(p["cloudtrail"]), None, security),
        _deny("PrrProtectTrailStorage", list(p["trail_storage"]), None, security, resource=storage),
    ]
    if functions:
        out.append(_deny("PrrProtectRuleFunction", list(p["rule_function"]), None, security, resource=functions))
    return out + [
        _deny("PrrProtectBoundaryPolicies", list(p["boundary_policy"]), None, security, resource=boundary_arns),
        _deny("PrrProtectExemptRoles", list(p["role"]), None, security,
              resource=list(dict.fromkeys([*security, *sp.config_rule_roles]))),
        _deny("PrrDenyLeaveOrganization", list(p["organization"]), None, glass),
        _deny("PrrProtectWaf", list(p["waf"]), None, pipeline),
        _deny("PrrAppRolesKeepBoundary", ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
              {"ArnNotLike": {"iam:PermissionsBoundary": app_boundary}}, security, resource=f"arn:aws:iam::*:role/{app.role_prefix}*"),
        _deny("PrrAppRolesNoBoundaryRemoval", ["iam:DeleteRolePermissionsBoundary"], None, security,
              resource=f"arn:aws:iam::*:role/{app.role_prefix}*"),
    ]


def statements(settings: Settings) -> list[Statement]:
    g = require(settings)
    out = []
    if settings.lambda_.code_signing.required:
        if not g.code_signing.allowed_configs:
            raise GuardrailError("guardrails.code_signing.allowed_configs", "set the approved code signing config ARNs (lambda.code_signing.required is true)")
        out += code_signing_statements(g)
    return out + region_statements(g) + tag_statements(g) + protection_statements(g)


def pack(stmts: list[Statement], max_policies: int, *, kind: str = "SCP",
         setting: str = "guardrails.scp_max_policies_per_target", full: str = "FullAWSAccess") -> list[dict]:
    """Statements in order into policies of at most 5,120 minified characters (SCPs and RCPs
    alike), at most ``max_policies`` of them."""
    policies: list[list[Statement]] = []
    for s in stmts:
        alone = len(minified({"Version": "2012-10-17", "Statement": [s]}))
        if alone > SCP_MAX_CHARS:
            raise GuardrailError(f"{kind.lower()} statement {s['Sid']}", f"is {alone} characters on its own; an {kind} holds at most {SCP_MAX_CHARS}")
        if policies and len(minified({"Version": "2012-10-17", "Statement": policies[-1] + [s]})) <= SCP_MAX_CHARS:
            policies[-1].append(s)
        else:
            policies.append([s])
    if len(policies) > max_policies:
        total = sum(len(minified(s)) for s in stmts)
        raise GuardrailError(setting, f"the {len(stmts)} {kind} statements ({total} characters) need {len(policies)} policies of at most "
                             f"{SCP_MAX_CHARS} characters, but a target takes {max_policies} besides {full}: "
                             "require fewer tags or exempt fewer principals, or attach part of them at another level")
    return [{"Version": "2012-10-17", "Statement": p} for p in policies]


def generate(settings: Settings) -> dict[str, str]:
    """``scp/prr-guardrails-<n>.json`` -> minified JSON text."""
    g = require(settings)
    docs = pack(statements(settings), g.scp_max_policies_per_target - 1)
    return {f"scp/prr-guardrails-{i + 1}.json": minified(d) for i, d in enumerate(docs)}
