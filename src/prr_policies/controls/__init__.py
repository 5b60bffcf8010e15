"""Pure rules: ``rule(facts, settings) -> Result``. No I/O, no checkov, no boto3 import.

``RULES`` maps each control id to its rule and the facts type it reads; ``evaluate`` runs one
and turns an unexpected exception into UNKNOWN (fail closed) instead of letting it escape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from prr_policies.controls import lambda_function as _fn
from prr_policies.controls import serverless as _sl
from prr_policies.facts import (
    ApiStage, CodeSigningConfig, DeploymentGroup, EventSourceMapping, FunctionLogGroup, FunctionRelease, FunctionUrl,
    IamRole, KmsKey, LambdaFunction, LambdaPermission, Queue, Secret, Topic,
)
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
        Rule("PRR-LAMBDA-013", CodeSigningConfig, _sl.signing_enforced),
        Rule("PRR-LAMBDA-014", FunctionRelease, _sl.release_path),
        Rule("PRR-LAMBDA-015", FunctionLogGroup, _sl.function_log_group),
        Rule("PRR-LAMBDA-016", FunctionRelease, _sl.release_deployments),
        Rule("PRR-APIGW-001", ApiStage, _sl.api_waf),
        Rule("PRR-APIGW-002", ApiStage, _sl.api_xray),
        Rule("PRR-APIGW-003", ApiStage, _sl.api_logging),
        Rule("PRR-APIGW-004", ApiStage, _sl.api_throttling),
        Rule("PRR-SQS-001", Queue, _sl.queue_cmk),
        Rule("PRR-SQS-002", Queue, _sl.queue_dlq),
        Rule("PRR-SNS-001", Topic, _sl.topic_cmk),
        Rule("PRR-SECRETS-001", Secret, _sl.secret_rotation),
        Rule("PRR-SECRETS-002", Secret, _sl.secret_cmk),
        Rule("PRR-KMS-001", KmsKey, _sl.key_rotation),
        Rule("PRR-CODEDEPLOY-001", DeploymentGroup, _sl.deployment_group),
        Rule("PRR-IAM-002", IamRole, _sl.execution_role_boundary),
        Rule("PRR-ESM-001", EventSourceMapping, _sl.esm_batch_failures),
        Rule("PRR-ESM-002", EventSourceMapping, _sl.esm_bounded_retries),
        Rule("PRR-ESM-003", EventSourceMapping, _sl.esm_visibility_timeout),
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
