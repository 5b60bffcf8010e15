"""What every rule module shares: the registration decorator and small pure helpers.

A rule is a pure function ``(facts, settings) -> Verdict`` (a status and one sentence saying
why), registered under its control id by ``@rule("PRR-...")``: the id is written once, there.
The facts type it reads comes from the control's catalog entry (``facts:``), and the fields it
reads are read off its own code, so neither is written twice. :class:`Rule` turns a verdict into
a :class:`~prr_policies.result.Result` naming the control and the resource. No I/O, no checkov,
no boto3.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from prr_policies.facts import Unknown
from prr_policies.result import Result, Status

Verdict = tuple[Status, str]
P, F, NA, U, W = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN, Status.WARNING


@dataclass(frozen=True)
class Rule:
    control_id: str
    check: Callable[[Any, Any], Verdict]

    @cached_property
    def facts_type(self) -> type:
        """The facts dataclass the catalog entry names (``facts: LambdaFunction``)."""
        from prr_policies import facts
        from prr_policies.catalog import catalog

        name = catalog().control(self.control_id).facts
        found = getattr(facts, name or "", None)
        if not isinstance(found, type):
            raise LookupError(f"{self.control_id}: the catalog names no facts type ({name!r})")
        return found

    @cached_property
    def reads(self) -> frozenset[str]:
        """The fields of its facts the rule reads (``fn.timeout`` in its body -> ``timeout``)."""
        tree = ast.parse(textwrap.dedent(inspect.getsource(self.check)))
        func = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
        param = func.args.args[0].arg
        return frozenset(n.attr for n in ast.walk(func)
                         if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == param)

    def __call__(self, facts: Any, settings: Any) -> Result:
        status, reason = self.check(facts, settings)
        return Result(self.control_id, getattr(facts, "address", "<unknown resource>"), status, reason)


RULES: dict[str, Rule] = {}


def rule(control_id: str) -> Callable[[Callable[[Any, Any], Verdict]], Callable[[Any, Any], Verdict]]:
    """Register the decorated function as the rule of ``control_id`` (once per id)."""

    def register(check: Callable[[Any, Any], Verdict]) -> Callable[[Any, Any], Verdict]:
        if control_id in RULES:
            raise ValueError(f"{control_id} is registered twice ({RULES[control_id].check.__name__}, {check.__name__})")
        RULES[control_id] = Rule(control_id, check)
        return check

    return register


def control_of(check: Callable[..., Verdict]) -> str:
    """The control id a rule function is registered under (for a reason that points to it)."""
    return next(r.control_id for r in RULES.values() if r.check is check)


def unknown(what: str, value: Unknown) -> Verdict:
    return U, f"{what} cannot be determined: {value.reason}."


def first_unknown(**values: Any) -> Verdict | None:
    """UNKNOWN for the first of ``values`` that is Unknown (its name, made readable), else None."""
    for what, value in values.items():
        if isinstance(value, Unknown):
            return unknown(what.replace("_", " ").capitalize(), value)
    return None


def known_problems_first(subject: str, problems: list[str], unknown_verdict: Verdict | None,
                         passed: Callable[[], str]) -> Verdict:
    """A known violation is a FAIL even when another field is unknown; otherwise UNKNOWN for the
    first unknown field; otherwise PASS (``passed`` says why, once every field is known)."""
    if problems:
        return F, f"{subject} " + "; ".join(problems) + "."
    if unknown_verdict is not None:
        return unknown_verdict
    return P, passed()


def within(what: str, value: Any, low: int, high: int, unit: str) -> Verdict:
    """Bounds check for an integer setting that must be known and set."""
    if isinstance(value, Unknown):
        return unknown(what, value)
    if value is None:
        return F, f"{what} is not set."
    if not isinstance(value, int) or isinstance(value, bool):
        return U, f"{what} is not a number ({value!r})."
    if value < low or value > high:
        return F, f"{what} is {value}{unit}, outside the allowed {low}{unit}..{high}{unit}."
    return P, f"{what} is {value}{unit}, within {low}{unit}..{high}{unit}."


def is_aws_managed_key(key: str) -> bool:
    """An AWS managed key is addressed through an ``alias/aws/...`` alias."""
    return "alias/aws/" in key


def cmk(what: str, key: Any, required: bool, *, extra_fail: str | None = None) -> Verdict:
    """Encrypted with a customer-managed KMS key (not an alias/aws/... key, not service SSE)."""
    if not required:
        return NA, f"Settings do not require a customer-managed key for {what}."
    if isinstance(key, Unknown):
        return unknown(f"The KMS key of the {what}", key)
    if not key:
        return F, extra_fail or f"The {what} is not encrypted with a KMS key."
    if is_aws_managed_key(key):
        return F, f"The {what} uses the AWS managed key {key}, not a customer-managed key."
    return P, f"The {what} is encrypted with the customer-managed key {key}."


# Condition keys that pin a resource policy's grant to fixed callers (with a fixed value, not a wildcard).
_SCOPING_KEYS = {"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:principalorgid", "aws:principalaccount",
                 "aws:principalarn", "aws:sourcevpc", "aws:sourcevpce", "aws:principalorgpaths", "aws:userid"}


def _values(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def public_statements(policy: Any) -> list[str]:
    """Sids (or positions) of the Allow statements of a resource policy that any principal may use:
    ``Principal: "*"`` (or ``{"AWS": "*"}``, or an AWS principal with a wildcard such as
    ``arn:aws:iam::*:root``, which is how EventBridge writes "*") without a condition pinning the caller to fixed values
    (account, source ARN, organization, VPC ...), as AWS Config's no-public-access rules count
    them ("only fixed values: no wildcard, no policy variable"). Service principals are not public."""
    if not isinstance(policy, dict):
        return []
    statements = policy.get("Statement") or []
    out = []
    for i, st in enumerate(_values(statements)):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        aws = principal.get("AWS") if isinstance(principal, dict) else principal
        if not any(isinstance(p, str) and "*" in p for p in _values(aws)) or "NotPrincipal" in st:
            continue
        scoped = False
        for operator, pairs in (st.get("Condition") or {}).items():
            if not isinstance(pairs, dict) or "IfExists" in operator or operator.startswith(("StringNotEquals", "ArnNot", "Null")):
                continue
            for key, value in pairs.items():
                fixed = all(isinstance(v, str) and v and "*" not in v and "?" not in v and "${" not in v for v in _values(value))
                if key.lower() in _SCOPING_KEYS and fixed:
                    scoped = True
        if not scoped:
            out.append(str(st.get("Sid") or f"Statement[{i}]"))
    return out
