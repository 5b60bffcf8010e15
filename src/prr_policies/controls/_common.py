"""Small pure helpers shared by the rules. No I/O, no checkov, no boto3."""

from __future__ import annotations

from typing import Any

from prr_policies.facts import Unknown
from prr_policies.result import Result, Status


def result(control_id: str, resource: str, status: Status, reason: str) -> Result:
    return Result(control_id=control_id, resource=resource, status=status, reason=reason)


def unknown(control_id: str, resource: str, what: str, value: Unknown) -> Result:
    return result(control_id, resource, Status.UNKNOWN, f"{what} cannot be determined: {value.reason}.")


def within(control_id: str, resource: str, what: str, value: Any, low: int, high: int, unit: str) -> Result:
    """Bounds check for an integer setting that must be known and set."""
    if isinstance(value, Unknown):
        return unknown(control_id, resource, what, value)
    if value is None:
        return result(control_id, resource, Status.FAIL, f"{what} is not set.")
    if not isinstance(value, int) or isinstance(value, bool):
        return result(control_id, resource, Status.UNKNOWN, f"{what} is not a number ({value!r}).")
    if value < low or value > high:
        return result(
            control_id, resource, Status.FAIL,
            f"{what} is {value}{unit}, outside the allowed {low}{unit}..{high}{unit}.",
        )
    return result(control_id, resource, Status.PASS, f"{what} is {value}{unit}, within {low}{unit}..{high}{unit}.")


def is_aws_managed_key(key: str) -> bool:
    """An AWS managed key is addressed through an ``alias/aws/...`` alias."""
    return "alias/aws/" in key
