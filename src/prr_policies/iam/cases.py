"""Authorization case files (``../shared/iam-cases/FORMAT.md``): load, validate, run.

A file holds one case object or a list of them. Every case names its ``id``, the AWS
documentation it encodes (``source``, ``rule``), the ``policies``, the ``request`` and the
``expected`` decision. Bad files raise :class:`InputError` naming the file and the path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from prr_policies.errors import InputError
from prr_policies.iam.engine import Decision, PolicySet, Request, policy_set

EFFECTS = ("Allow", "ExplicitDeny", "ImplicitDeny")
_CASE_KEYS = {"id", "source", "rule", "policies", "request", "expected"}
_REQUEST_KEYS = {"principal", "principal_account", "action", "resource", "resource_account", "context"}


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    rule: str
    policies: PolicySet
    request: Request
    expected: str
    file: str
    path: str

    def run(self) -> Decision:
        return self.policies.evaluate(self.request)


def load_cases(path: str | Path) -> list[Case]:
    """The cases of one JSON file."""
    src = str(path)
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(src, "", f"cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InputError(src, f"line {exc.lineno} column {exc.colno}", f"not JSON: {exc.msg}") from None
    except UnicodeDecodeError:
        raise InputError(src, "", "not UTF-8 text") from None
    if isinstance(doc, dict):
        return [parse_case(doc, src, "")]
    if isinstance(doc, list):
        if not doc:
            raise InputError(src, "", "no cases")
        return [parse_case(c, src, f"[{i}]") for i, c in enumerate(doc)]
    raise InputError(src, "", "a case file holds a case object or a list of them")


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the ``*.json`` files under directories named, in a stable order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.rglob("*.json")))
        else:
            out.append(p)
    return out


def parse_case(doc: Any, source: str, path: str) -> Case:
    def at(key: str) -> str:
        return f"{path}.{key}" if path else key

    if not isinstance(doc, dict):
        raise InputError(source, path or "(document)", "a case is a JSON object")
    unknown = set(doc) - _CASE_KEYS
    if unknown:
        raise InputError(source, at(sorted(unknown)[0]), f"unknown case field (expected {', '.join(sorted(_CASE_KEYS))})")
    for key in ("id", "source", "rule", "expected"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            raise InputError(source, at(key), "missing or not a non-empty string")
    if doc["expected"] not in EFFECTS:
        raise InputError(source, at("expected"), f"must be one of {', '.join(EFFECTS)}, not {doc['expected']!r}")
    if "policies" not in doc:
        raise InputError(source, at("policies"), "missing")
    policies = policy_set(doc["policies"], source, at("policies"))
    return Case(doc["id"], doc["source"], doc["rule"], policies, _request(doc.get("request"), source, at("request")),
                doc["expected"], source, path)


def _request(req: Any, source: str, path: str) -> Request:
    if not isinstance(req, dict):
        raise InputError(source, path, "missing or not an object")
    unknown = set(req) - _REQUEST_KEYS
    if unknown:
        raise InputError(source, f"{path}.{sorted(unknown)[0]}", f"unknown request field (expected {', '.join(sorted(_REQUEST_KEYS))})")
    for key in ("principal", "action"):
        if not isinstance(req.get(key), str) or not req[key]:
            raise InputError(source, f"{path}.{key}", "missing or not a string")
    if ":" not in req["action"]:
        raise InputError(source, f"{path}.action", f"{req['action']!r} is not \"service:Action\"")
    for key in ("resource", "principal_account", "resource_account"):
        if key in req and not isinstance(req[key], str):
            raise InputError(source, f"{path}.{key}", "must be a string")
    ctx = req.get("context", {})
    if not isinstance(ctx, dict):
        raise InputError(source, f"{path}.context", "must be an object")
    for k, v in ctx.items():
        ok = isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        if not ok:
            raise InputError(source, f"{path}.context.{k}", "context values are strings (a multivalued key is a list of strings)")
    from prr_policies.iam.engine import parse_principal

    try:
        p = parse_principal(req["principal"], ctx.get("aws:PrincipalArn") if isinstance(ctx.get("aws:PrincipalArn"), str) else None)
    except ValueError as exc:
        raise InputError(source, f"{path}.principal", str(exc)) from None
    if req.get("principal_account") and p.account and req["principal_account"] != p.account:
        raise InputError(source, f"{path}.principal_account", f"{req['principal_account']} is not the account of {req['principal']}")
    return Request(req["principal"], req["action"], req.get("resource", "*"), req.get("principal_account"),
                   req.get("resource_account"), dict(ctx))
