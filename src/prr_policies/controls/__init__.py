"""Pure rules: ``rule(facts, settings) -> Result``. No I/O, no checkov, no boto3 import.

``RULES`` maps each control id to its rule and the facts type it reads; ``evaluate`` runs one
and turns an unexpected exception into UNKNOWN (fail closed) instead of letting it escape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from prr_policies.controls import lambda_function as _fn
from prr_policies.facts import FunctionUrl, LambdaFunction, LambdaPermission
from prr_policies.result import Result, Status
from prr_policies.settings import Settings


@dataclass(frozen=True)
class Rule:
    control_id: str
    facts_type: type
    check: Callable[[Any, Settings], Result]


RULES: dict[str, Rule] = {
    r.control_id: r
    for r in (
        Rule("PRR-LAMBDA-001", LambdaFunction, _fn.tracing_active),
        Rule("PRR-LAMBDA-002", LambdaFunction, _fn.reserved_concurrency),
        Rule("PRR-LAMBDA-003", LambdaFunction, _fn.async_failure_destination),
        Rule("PRR-LAMBDA-004", LambdaFunction, _fn.environment_cmk),
        Rule("PRR-LAMBDA-005", LambdaFunction, _fn.code_signing),
        Rule("PRR-LAMBDA-006", LambdaFunction, _fn.timeout_bounds),
        Rule("PRR-LAMBDA-007", LambdaFunction, _fn.memory_bounds),
        Rule("PRR-LAMBDA-008", LambdaFunction, _fn.runtime_supported),
        Rule("PRR-LAMBDA-009", LambdaFunction, _fn.inside_vpc),
        Rule("PRR-LAMBDA-010", FunctionUrl, _fn.function_url_iam_auth),
        Rule("PRR-LAMBDA-011", LambdaPermission, _fn.permission_scoped),
        Rule("PRR-LAMBDA-012", LambdaFunction, _fn.execution_role),
    )
}


def evaluate(control_id: str, facts: Any, settings: Settings) -> Result:
    """Run one rule. An exception inside a rule is a bug; it still never yields PASS."""
    rule = RULES[control_id]
    address = getattr(facts, "address", "<unknown resource>")
    try:
        return rule.check(facts, settings)
    except Exception as exc:  # noqa: BLE001 - fail closed, with the cause in the reason
        return Result(control_id, address, Status.UNKNOWN, f"The rule failed on these facts ({type(exc).__name__}: {exc}).")


def rules_for(facts_type: type) -> list[Rule]:
    return [r for r in RULES.values() if r.facts_type is facts_type]
