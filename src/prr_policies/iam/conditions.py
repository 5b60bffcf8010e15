"""Condition operators, compiled once per statement.

A ``Condition`` block is a list of clauses ``(operator, key, values)``; a statement's condition
holds when every clause holds (AND); a clause holds when the request value matches any of the
policy values (OR). Key names are case-insensitive. The rules for absent keys, taken from the
IAM documentation:

- a positive operator on an absent key is false; a negated one (``StringNotEquals``,
  ``ArnNotLike``, ``NotIpAddress``...) is true;
- ``...IfExists`` is true on an absent key, otherwise behaves as the operator;
- ``Null`` tests absence itself (``true``: the key is absent);
- ``ForAllValues:`` is true when the key is absent or empty; ``ForAnyValue:`` false.

A request value that cannot be read as the operator's type (a non-number under
``NumericLessThan``) raises :class:`ConditionError`; the evaluator turns that into a deny.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from prr_policies.iam import patterns

# operator -> (family, negated)
OPERATORS: dict[str, tuple[str, bool]] = {
    "StringEquals": ("str", False), "StringNotEquals": ("str", True),
    "StringEqualsIgnoreCase": ("stri", False), "StringNotEqualsIgnoreCase": ("stri", True),
    "StringLike": ("like", False), "StringNotLike": ("like", True),
    "NumericEquals": ("num=", False), "NumericNotEquals": ("num=", True),
    "NumericLessThan": ("num<", False), "NumericLessThanEquals": ("num<=", False),
    "NumericGreaterThan": ("num>", False), "NumericGreaterThanEquals": ("num>=", False),
    "DateEquals": ("date=", False), "DateNotEquals": ("date=", True),
    "DateLessThan": ("date<", False), "DateLessThanEquals": ("date<=", False),
    "DateGreaterThan": ("date>", False), "DateGreaterThanEquals": ("date>=", False),
    "Bool": ("bool", False),
    "BinaryEquals": ("bin", False),
    "IpAddress": ("ip", False), "NotIpAddress": ("ip", True),
    "ArnEquals": ("arn", False), "ArnLike": ("arn", False),
    "ArnNotEquals": ("arn", True), "ArnNotLike": ("arn", True),
    "Null": ("null", False),
}


class ConditionError(ValueError):
    """A request value the operator cannot compare (the evaluator denies)."""


@dataclass(frozen=True, slots=True)
class Clause:
    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str  # lower-cased
    set_op: str | None  # "all" | "any" | None
    if_exists: bool
    negated: bool
    null_expect: bool | None  # Null: True = key must be absent
    test: Callable[[str, Any], bool]  # one request value, context -> matches any policy value

    def holds(self, ctx: Any) -> bool:
        raw = ctx.get(self.key)
        if self.null_expect is not None:
            return (raw is None or raw == []) == self.null_expect
        if raw is None or raw == [] or (self.set_op and (raw == "" or raw == [""])):
            # "It also returns true if there are no keys in the request, or if the key values
            # resolve to a null data set, such as an empty string." (ForAllValues)
            if self.if_exists or self.set_op == "all":
                return True
            if self.set_op == "any":
                return False
            return self.negated
        values = raw if isinstance(raw, list) else (raw,)
        test, negated = self.test, self.negated
        if self.set_op == "all":
            return all((not test(v, ctx)) if negated else test(v, ctx) for v in values)
        if self.set_op == "any":
            return any((not test(v, ctx)) if negated else test(v, ctx) for v in values)
        hit = False
        for v in values:
            if test(v, ctx):
                hit = True
                break
        return hit != negated


def split_operator(name: str) -> tuple[str | None, str, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> ("any", "StringLike", True); KeyError if unknown."""
    set_op = None
    if name.startswith("ForAllValues:"):
        set_op, name = "all", name[len("ForAllValues:"):]
    elif name.startswith("ForAnyValue:"):
        set_op, name = "any", name[len("ForAnyValue:"):]
    if_exists = name.endswith("IfExists") and name != "IfExists"
    base = name[: -len("IfExists")] if if_exists else name
    if base not in OPERATORS or (base == "Null" and (if_exists or set_op)):
        raise KeyError(name)
    return set_op, base, if_exists


def compile_block(block: Any, variables: bool, err: Callable[[str, str], Exception]) -> tuple[Clause, ...]:
    if not isinstance(block, dict):
        raise err("", "must be an object of condition operators")
    if not block:
        raise err("", "must not be empty")
    clauses = []
    for op_name, keys in block.items():
        try:
            set_op, base, if_exists = split_operator(op_name)
        except KeyError:
            raise err(f".{op_name}", "unknown condition operator") from None
        if not isinstance(keys, dict) or not keys:
            raise err(f".{op_name}", "must be a non-empty object of condition keys")
        for key, raw in keys.items():
            where = f".{op_name}.{key}"
            if not key or not isinstance(key, str):
                raise err(where, "empty condition key")
            values = _values(raw, lambda w, r: err(where + w, r))
            family, negated = OPERATORS[base]
            if family == "null":
                for j, v in enumerate(values):
                    if v.lower() not in ("true", "false"):
                        raise err(where, f"Null takes \"true\" or \"false\", not {v!r}")
                if len(set(v.lower() for v in values)) != 1:
                    raise err(where, "Null cannot expect both true and false")
                clauses.append(Clause(op_name, key.lower(), None, False, False, values[0].lower() == "true", _never))
                continue
            test = _compile_test(family, values, variables, lambda w, r: err(where + w, r), len(values) > 1 or isinstance(raw, list))
            clauses.append(Clause(op_name, key.lower(), set_op, if_exists, negated, None, test))
    return tuple(clauses)


def _never(_v: str, _ctx: Any) -> bool:
    return False


def _values(raw: Any, err: Callable[[str, str], Exception]) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    if isinstance(raw, list) and not raw:
        raise err("", "must have at least one value")
    out = []
    for j, v in enumerate(items):
        if isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, (int, float)):
            out.append(repr(v) if isinstance(v, float) else str(v))
        elif isinstance(v, str):
            out.append(v)
        else:
            raise err(f"[{j}]" if isinstance(raw, list) else "", f"a condition value is a string, number or boolean, not {type(v).__name__}")
    return out


def _compile_test(family: str, values: list[str], variables: bool, err, listed: bool) -> Callable[[str, Any], bool]:
    def at(j: int) -> str:
        return f"[{j}]" if listed else ""

    if family == "str":
        lits = [patterns.literal(v, variables) for v in values]
        if all(not patterns.has_variables(patterns.tokenize(v, variables)) for v in values):
            fixed = frozenset(f(None) for f in lits)
            return lambda v, _c: v in fixed
        return lambda v, c: any(f(c) == v for f in lits)
    if family == "stri":
        lits = [patterns.literal(v, variables) for v in values]

        def stri(v: str, c: Any) -> bool:
            lv = v.casefold()
            for f in lits:
                s = f(c)
                if s is not None and s.casefold() == lv:
                    return True
            return False
        return stri
    if family == "like":
        ms = [patterns.matcher(v, "like", variables) for v in values]
        return lambda v, c: patterns.any_match(ms, v, c)
    if family == "arn":
        ms = [patterns.arn_like(v, variables) for v in values]
        return lambda v, c: patterns.any_match(ms, v, c)
    if family.startswith(("num", "date")):
        numeric = family.startswith("num")
        read, what = (_number, "a number") if numeric else (parse_date, "an ISO 8601 date or an epoch time")
        bounds = []
        for j, v in enumerate(values):
            try:
                bounds.append(read(v))
            except ValueError:
                raise err(at(j), f"{v!r} is not {what}") from None
        return _ordered(family[3 if numeric else 4:], bounds, _request_number if numeric else _request_date)
    if family == "bool":
        for j, v in enumerate(values):
            if v.lower() not in ("true", "false"):
                raise err(at(j), f"Bool takes \"true\" or \"false\", not {v!r}")
        wanted = frozenset(v.lower() for v in values)
        return lambda v, _c: v.lower() in wanted
    if family == "bin":
        blobs = set()
        for j, v in enumerate(values):
            try:
                blobs.add(base64.b64decode(v, validate=True))
            except (binascii.Error, ValueError):
                raise err(at(j), f"{v!r} is not base64") from None

        def binary(v: str, _c: Any) -> bool:
            try:
                return base64.b64decode(v, validate=True) in blobs
            except (binascii.Error, ValueError):
                raise ConditionError(f"{v!r} is not base64") from None
        return binary
    if family == "ip":
        nets = []
        for j, v in enumerate(values):
            try:
                nets.append(ipaddress.ip_network(v.strip(), strict=False))
            except ValueError:
                raise err(at(j), f"{v!r} is not an IPv4 or IPv6 address or CIDR block") from None

        def ip(v: str, _c: Any) -> bool:
            try:
                addr = ipaddress.ip_address(v.strip())
            except ValueError:
                raise ConditionError(f"{v!r} is not an IP address") from None
            return any(addr.version == n.version and addr in n for n in nets)
        return ip
    raise AssertionError(family)


def _number(text: str) -> float:
    n = float(text.strip())
    if math.isnan(n) or math.isinf(n):
        raise ValueError(text)
    return n


def _request_number(v: str) -> float:
    try:
        return _number(v)
    except ValueError:
        raise ConditionError(f"{v!r} is not a number") from None


def _request_date(v: str) -> float:
    try:
        return parse_date(v)
    except ValueError:
        raise ConditionError(f"{v!r} is not a date") from None


def _ordered(cmp: str, bounds: list[float], read: Callable[[str], float]) -> Callable[[str, Any], bool]:
    if cmp == "=":
        fixed = frozenset(bounds)
        return lambda v, _c: read(v) in fixed
    op = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__}[cmp]
    return lambda v, _c: any(op(read(v), b) for b in bounds)


def parse_date(text: str) -> float:
    """ISO 8601 (date, date-time, with Z or an offset, fractional seconds) or epoch seconds
    -> POSIX timestamp. A date-time without a zone is UTC."""
    s = text.strip()
    if not s:
        raise ValueError("empty date")
    if s.lstrip("-").isdigit():
        return float(int(s))
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(text) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()
