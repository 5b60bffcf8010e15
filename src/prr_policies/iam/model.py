"""Policy documents as AWS accepts them, parsed and validated into compiled statements.

``parse_policy(doc, kind)`` returns a :class:`Policy` or raises :class:`PolicyError` naming the
JSON path (``Statement[2].Condition.StringEquals``) and the reason. ``kind`` is one of
``identity``, ``resource``, ``boundary``, ``session``, ``scp``, ``rcp``; the per-type rules:

- identity, boundary, session and SCP statements have no ``Principal``/``NotPrincipal``;
- resource-based statements name a ``Principal`` or ``NotPrincipal``, and may omit ``Resource``
  (it is then the resource the policy is attached to, as in role trust policies);
- ``NotPrincipal`` with ``Allow`` is discouraged but accepted (it grants everyone not listed);
  a role trust policy (type ``trust``) takes no ``NotPrincipal``;
- RCPs: ``Principal`` is ``"*"``, no ``NotPrincipal``, and ``Allow`` only in the
  ``RCPFullAWSAccess`` form (every action, every resource, no condition): RCPs are deny-only;
- the document fits its type's size limit (:mod:`prr_policies.iam.limits`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from prr_policies.errors import InputError
from prr_policies.iam import patterns
from prr_policies.iam.conditions import Clause, compile_block
from prr_policies.iam.limits import size_limit

KINDS = ("identity", "resource", "boundary", "session", "scp", "rcp")
VERSIONS = ("2012-10-17", "2008-10-17")
_STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
_ACTION_RE = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9_*?-]+$")
_ACCOUNT_RE = re.compile(r"^\d{12}$")
_AWS_PRINCIPAL_RE = re.compile(
    r"^arn:aws[a-z-]*:(iam::\d{12}:(root|user/.+|role/.+|federated-user/.+)|sts::\d{12}:(assumed-role/[^/]+/.+|federated-user/.+))$")


class PolicyError(InputError):
    """An invalid policy document: ``source`` names the document, ``path`` the JSON path."""


class PolicyTooLarge(PolicyError):
    """A valid policy document over its type's size limit (:mod:`prr_policies.iam.limits`)."""


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """The AWS/Service/Federated/CanonicalUser values of a Principal or NotPrincipal element."""

    everyone: bool = False  # "*" or {"AWS": "*"}
    accounts: frozenset = frozenset()  # account ids (from "123456789012" or ...:root)
    arns: frozenset = frozenset()  # user, role, session, federated-user ARNs
    services: frozenset = frozenset()
    federated: frozenset = frozenset()
    canonical: frozenset = frozenset()


@dataclass(slots=True, eq=False)
class Statement:
    kind: str
    policy_index: int
    index: int
    sid: str | None
    allow: bool
    not_action: bool
    action_matchers: tuple
    action_services: frozenset | None  # services an Action list can match; None = any
    not_resource: bool
    resource_matchers: tuple | None  # None: no Resource element (resource policies)
    resource_static: bool
    not_principal: bool
    principal: PrincipalSpec | None
    conditions: tuple[Clause, ...]
    level: int | None = None  # SCP/RCP level (0 = root)
    label: str = ""
    layer: str = ""  # the layer it belongs to, as Decision.blocked_by names it: "identity", "scp[1]"
    rcache: dict = field(default_factory=dict)  # resource -> matched, for static patterns
    ref: Any = None  # the engine's StatementRef, made once

    def matches_action(self, action_lower: str) -> bool:
        if self.action_services is not None and action_lower.split(":", 1)[0] not in self.action_services:
            hit = False
        else:
            hit = any(m(action_lower, None) for m in self.action_matchers)
        return hit != self.not_action

    def matches_resource(self, resource: str, ctx) -> bool:
        if self.resource_matchers is None:
            return True
        if self.resource_static:
            hit = self.rcache.get(resource)
            if hit is None:
                hit = patterns.any_match(self.resource_matchers, resource, ctx) != self.not_resource
                if len(self.rcache) >= 16384:
                    self.rcache.clear()
                self.rcache[resource] = hit
            return hit
        return patterns.any_match(self.resource_matchers, resource, ctx) != self.not_resource


@dataclass(slots=True)
class Policy:
    kind: str
    version: str
    statements: tuple[Statement, ...]
    source: str = ""
    document: Any = field(default=None, repr=False)


def parse_policy(doc: Any, kind: str, *, source: str = "<policy>", policy_index: int = 0,
                 level: int | None = None, path: str = "", policy_type: str | None = None) -> Policy:
    """Validate and compile one policy document (a dict, or JSON text).

    ``policy_type`` names the document's type in :data:`prr_policies.iam.limits.POLICY_TYPES`
    (``managed``, ``user-inline``, ``trust``, ``s3-bucket``...) and so its size limit; without
    it the kind's loosest limit applies. A document over its limit raises
    :class:`PolicyTooLarge`, once every other check has passed."""
    if kind not in KINDS:
        raise ValueError(f"unknown policy kind {kind!r}; expected one of {', '.join(KINDS)}")
    limit = size_limit(policy_type, kind)

    def err(where: str, reason: str, error: type[PolicyError] = PolicyError) -> PolicyError:
        full = path.rstrip(".") + where if path else where.lstrip(".")
        return error(source, full or "(document)", reason)

    if isinstance(doc, bytes):
        try:
            doc = doc.decode("utf-8")
        except UnicodeDecodeError:
            raise err("", "not UTF-8 text") from None
    measured = doc  # JSON text is measured as written, a dict minified
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as exc:
            raise err("", f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(doc, dict):
        raise err("", f"a policy is a JSON object, not {_typename(doc)}")
    unknown = set(doc) - {"Version", "Id", "Statement"}
    if unknown:
        raise err(f".{sorted(unknown)[0]}", "unknown policy element (expected Version, Id, Statement)")
    version = doc.get("Version", "2008-10-17")
    if version not in VERSIONS:
        raise err(".Version", f"must be one of {', '.join(VERSIONS)}, not {version!r}")
    if "Id" in doc and not isinstance(doc["Id"], str):
        raise err(".Id", f"must be a string, not {_typename(doc['Id'])}")
    if "Statement" not in doc:
        raise err(".Statement", "missing")
    raw = doc["Statement"]
    if isinstance(raw, dict):
        items, single = [raw], True
    elif isinstance(raw, list):
        items, single = raw, False
        if not raw:
            raise err(".Statement", "must contain at least one statement")
    else:
        raise err(".Statement", f"must be an object or a list, not {_typename(raw)}")
    variables = version == "2012-10-17"
    stmts = []
    for i, s in enumerate(items):
        where = ".Statement" if single else f".Statement[{i}]"
        stmts.append(_statement(s, _Where(kind, limit.name, i, policy_index, level, variables,
                                          lambda w, r, base=where: err(base + w, r))))
    too_large = limit.excess(measured)
    if too_large:
        raise err("", too_large, PolicyTooLarge)
    return Policy(kind, version, tuple(stmts), source, doc)


def _typename(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(v), type(v).__name__)


def _strings(value: Any, err: Callable[[str, str], PolicyError], where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        if not value:
            raise err(where, "must not be an empty list")
        for j, v in enumerate(value):
            if not isinstance(v, str):
                raise err(f"{where}[{j}]", f"must be a string, not {_typename(v)}")
        return list(value)
    raise err(where, f"must be a string or a list of strings, not {_typename(value)}")


@dataclass(frozen=True, slots=True)
class _Where:
    """What a statement's element parsers need to know about the policy around it."""

    kind: str
    policy_type: str  # the row of prr_policies.iam.limits this document is checked against
    index: int
    policy_index: int
    level: int | None
    variables: bool  # 2012-10-17: ${...} is a policy variable
    err: Callable[[str, str], PolicyError]  # (".Action[1]", reason) -> PolicyError at that path


def _statement(s: Any, at: _Where) -> Statement:
    """One statement, element by element: Sid, Effect, Action/NotAction, Resource/NotResource,
    Principal/NotPrincipal, Condition; then the RCP rule that spans elements."""
    err = at.err
    if not isinstance(s, dict):
        raise err("", f"a statement is a JSON object, not {_typename(s)}")
    if not s:
        raise err("", "empty statement")
    unknown = set(s) - _STATEMENT_KEYS
    if unknown:
        raise err(f".{sorted(unknown)[0]}", "unknown statement element")
    sid = s.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise err(".Sid", f"must be a string, not {_typename(sid)}")
    allow = _effect(s, err)
    not_action, action_matchers, services = _actions(s, err)
    not_resource, resource_matchers, static = _resources(s, at)
    not_principal, principal = _principals(s, allow, at)
    clauses = _conditions(s, at)
    if at.kind == "rcp" and allow:
        _rcp_full_access(s, clauses, err)
    layer = at.kind + (f"[{at.level}]" if at.level is not None else "")
    label = f"{layer}[{at.policy_index}].Statement[{at.index}]" + (f" ({sid})" if sid else "")
    return Statement(at.kind, at.policy_index, at.index, sid, allow, not_action, action_matchers, services, not_resource,
                     resource_matchers, static, not_principal, principal, clauses, at.level, label, layer)


def _effect(s: dict, err: Callable[[str, str], PolicyError]) -> bool:
    """``Effect``: "Allow" or "Deny", exactly. True for Allow."""
    effect = s.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise err(".Effect", "missing" if effect is None else f"must be \"Allow\" or \"Deny\", not {effect!r}")
    return effect == "Allow"


def _actions(s: dict, err: Callable[[str, str], PolicyError]) -> tuple[bool, tuple, frozenset | None]:
    """``Action`` or ``NotAction`` (exactly one): (negated, matchers, the services the patterns
    can match, or None when a pattern's service part has a wildcard)."""
    if ("Action" in s) == ("NotAction" in s):
        raise err("", "needs exactly one of Action or NotAction" if "Action" not in s else "has both Action and NotAction")
    key = "Action" if "Action" in s else "NotAction"
    actions = _strings(s[key], err, f".{key}")
    services: set[str] | None = set()
    for j, a in enumerate(actions):
        if a != "*" and not _ACTION_RE.match(a):
            raise err(f".{key}" + (f"[{j}]" if isinstance(s[key], list) else ""),
                      f"{a!r} is not an action (\"service:Action\", wildcards * and ? allowed, or \"*\")")
        prefix = a.split(":", 1)[0]
        if a == "*" or "*" in prefix or "?" in prefix:
            services = None
        elif services is not None:
            services.add(prefix.lower())
    matchers = tuple(patterns.matcher(a.lower(), "action", False) for a in actions)
    return key == "NotAction", matchers, frozenset(services) if services is not None else None


def _resources(s: dict, at: _Where) -> tuple[bool, tuple | None, bool]:
    """``Resource`` or ``NotResource``: (negated, matchers, no policy variables). A
    resource-based statement may have neither: it is about the resource the policy is on."""
    err = at.err
    if "Resource" in s and "NotResource" in s:
        raise err("", "has both Resource and NotResource")
    if "Resource" not in s and "NotResource" not in s:
        if at.kind == "resource":
            return False, None, True
        raise err("", "needs exactly one of Resource or NotResource")
    key = "Resource" if "Resource" in s else "NotResource"
    resources = _strings(s[key], err, f".{key}")
    for j, r in enumerate(resources):
        if not r:
            raise err(f".{key}" + (f"[{j}]" if isinstance(s[key], list) else ""), "must not be empty")
    matchers = tuple(patterns.matcher(r, "resource", at.variables) for r in resources)
    static = not any(patterns.has_variables(patterns.tokenize(r, at.variables)) for r in resources)
    return key == "NotResource", matchers, static


def _principals(s: dict, allow: bool, at: _Where) -> tuple[bool, PrincipalSpec | None]:
    """``Principal`` or ``NotPrincipal``, where the policy kind takes one: (negated, spec).

    "We strongly recommend that you do not use NotPrincipal in the same policy statement as
    "Effect": "Allow". Doing so allows all principals except the one named in the NotPrincipal
    element." Discouraged, not invalid: it is parsed and evaluated (``lint-policy`` warns).
    "You cannot use the NotPrincipal element in an IAM identity-based policy or in an IAM role
    trust policy"; SCPs and RCPs do not support it either."""
    err, kind = at.err, at.kind
    has_p, has_np = "Principal" in s, "NotPrincipal" in s
    if kind in ("identity", "boundary", "session", "scp"):
        if has_p or has_np:
            raise err(".Principal" if has_p else ".NotPrincipal", f"a {_KIND_NAMES[kind]} cannot name a principal")
        return False, None
    if has_p and has_np:
        raise err("", "has both Principal and NotPrincipal")
    if not (has_p or has_np):
        raise err("", f"a {_KIND_NAMES[kind]} statement needs a Principal" + (" or NotPrincipal" if kind == "resource" else ""))
    if kind == "rcp":
        if has_np:
            raise err(".NotPrincipal", "RCPs do not support NotPrincipal")
        if s["Principal"] != "*":
            raise err(".Principal", "in an RCP the Principal must be \"*\" (scope principals with conditions)")
    if has_np and at.policy_type == "trust":
        raise err(".NotPrincipal", "a role trust policy cannot use NotPrincipal")
    key = "Principal" if has_p else "NotPrincipal"
    return has_np, _principal(s[key], lambda w, r: err(f".{key}{w}", r))


def _conditions(s: dict, at: _Where) -> tuple[Clause, ...]:
    """``Condition``: the clauses, compiled (operators, keys and values checked)."""
    if "Condition" not in s:
        return ()
    return compile_block(s["Condition"], at.variables, lambda w, r: at.err(f".Condition{w}", r))


def _rcp_full_access(s: dict, clauses: tuple, err: Callable[[str, str], PolicyError]) -> None:
    """RCPs are deny-only: an Allow is accepted only as RCPFullAWSAccess."""
    if s.get("Action") in ("*", ["*"]) and s.get("Resource") in ("*", ["*"]) and not clauses:
        return
    raise err(".Effect", "RCPs are deny-only: Allow is supported only as RCPFullAWSAccess "
              "(Principal \"*\", Action \"*\", Resource \"*\", no Condition)")


_KIND_NAMES = {"identity": "identity-based policy", "resource": "resource-based policy", "boundary": "permissions boundary",
               "session": "session policy", "scp": "service control policy", "rcp": "resource control policy"}


def _principal(value: Any, err: Callable[[str, str], PolicyError]) -> PrincipalSpec:
    if value == "*":
        return PrincipalSpec(everyone=True)
    if not isinstance(value, dict):
        raise err("", f"must be \"*\" or an object with AWS, Service, Federated or CanonicalUser, not {_typename(value)}")
    if not value:
        raise err("", "must name at least one principal")
    accounts, arns, services, federated, canonical = set(), set(), set(), set(), set()
    everyone = False
    for ptype, raw in value.items():
        if ptype not in _PRINCIPAL_TYPES:
            raise err(f".{ptype}", f"unknown principal type (expected {', '.join(_PRINCIPAL_TYPES)})")
        vals = _strings(raw, err, f".{ptype}")
        for j, v in enumerate(vals):
            where = f".{ptype}" + (f"[{j}]" if isinstance(raw, list) else "")
            if ptype == "AWS":
                if v == "*":
                    everyone = True
                elif "*" in v or "?" in v:
                    raise err(where, "a wildcard cannot match part of a principal; use \"*\" or a condition on aws:PrincipalArn")
                elif _ACCOUNT_RE.match(v):
                    accounts.add(v)
                elif _AWS_PRINCIPAL_RE.match(v):
                    if v.endswith(":root"):
                        accounts.add(v.split(":")[4])
                    else:
                        arns.add(v)
                else:
                    raise err(where, f"{v!r} is not an AWS principal (an account id, or an IAM/STS principal ARN)")
            elif ptype == "Service":
                if "*" in v and v != "*":
                    raise err(where, "a wildcard cannot match part of a service principal")
                services.add(v.lower())
            elif ptype == "Federated":
                federated.add(v)
            else:
                canonical.add(v)
    return PrincipalSpec(everyone, frozenset(accounts), frozenset(arns), frozenset(services), frozenset(federated), frozenset(canonical))
