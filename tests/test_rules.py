"""The pure rules on hand-made facts, including the Unknown and not-applicable paths."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from prr_policies.controls import RULES, evaluate
from prr_policies.facts import EnvironmentVariable, ExecutionRoleFacts, FunctionUrl, LambdaFunction, LambdaPermission, Unknown
from prr_policies.result import Status
from prr_policies.settings import load_settings

S = load_settings()
U = Unknown("test")
GOOD_ROLE = ExecutionRoleFacts("role", "arn:aws:iam::1:policy/b", 1)
GOOD = LambdaFunction(
    address="f", runtime="python3.13", tracing_mode="Active", reserved_concurrency=10, timeout=10,
    memory_size=256, has_environment_variables=True, kms_key_arn="arn:aws:kms:eu-west-1:1:key/k",
    code_signing_config_arn="arn:csc", dead_letter_target_arn="arn:sqs", vpc_subnet_ids=("s",), role=GOOD_ROLE,
    environment=(EnvironmentVariable("POWERTOOLS_SERVICE_NAME", "orders"),), architectures=("arm64",), log_format="JSON",
    application_log_level="INFO", system_log_level="WARN", vpc_availability_zones=("eu-west-1a", "eu-west-1b"),
)
FN_RULES = [cid for cid, r in RULES.items() if r.facts_type is LambdaFunction]


def status(cid, facts, settings=S):
    return evaluate(cid, facts, settings).status


def test_a_fully_configured_function_passes_everything():
    vpc = dataclasses.replace(S, lambda_=dataclasses.replace(S.lambda_, require_vpc=True))
    assert {cid: status(cid, GOOD, vpc) for cid in FN_RULES} == {cid: Status.PASS for cid in FN_RULES}


@pytest.mark.parametrize("cid, change, expected", [
    ("PRR-LAMBDA-001", {"tracing_mode": "PassThrough"}, Status.FAIL),
    ("PRR-LAMBDA-001", {"tracing_mode": None}, Status.FAIL),
    ("PRR-LAMBDA-001", {"tracing_mode": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-002", {"reserved_concurrency": -1}, Status.FAIL),
    ("PRR-LAMBDA-002", {"reserved_concurrency": 0}, Status.FAIL),
    ("PRR-LAMBDA-002", {"reserved_concurrency": None}, Status.FAIL),
    ("PRR-LAMBDA-002", {"reserved_concurrency": 1001}, Status.FAIL),
    ("PRR-LAMBDA-002", {"reserved_concurrency": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-003", {"dead_letter_target_arn": None}, Status.FAIL),
    ("PRR-LAMBDA-003", {"dead_letter_target_arn": None, "on_failure_destination": "arn:q"}, Status.PASS),
    ("PRR-LAMBDA-003", {"dead_letter_target_arn": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-003", {"dead_letter_target_arn": U, "on_failure_destination": "arn:q"}, Status.PASS),
    ("PRR-LAMBDA-004", {"kms_key_arn": None}, Status.FAIL),
    ("PRR-LAMBDA-004", {"kms_key_arn": "arn:aws:kms:eu-west-1:1:alias/aws/lambda"}, Status.FAIL),
    ("PRR-LAMBDA-004", {"kms_key_arn": None, "has_environment_variables": False}, Status.NOT_APPLICABLE),
    ("PRR-LAMBDA-004", {"kms_key_arn": None, "has_environment_variables": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-004", {"kms_key_arn": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-005", {"code_signing_config_arn": None}, Status.FAIL),
    ("PRR-LAMBDA-005", {"code_signing_config_arn": None, "package_type": "Image"}, Status.NOT_APPLICABLE),
    ("PRR-LAMBDA-005", {"code_signing_config_arn": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-005", {"package_type": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-006", {"timeout": 901}, Status.FAIL),
    ("PRR-LAMBDA-006", {"timeout": None}, Status.FAIL),
    ("PRR-LAMBDA-006", {"timeout": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-006", {"timeout": "30"}, Status.UNKNOWN),
    ("PRR-LAMBDA-007", {"memory_size": 64}, Status.FAIL),
    ("PRR-LAMBDA-007", {"memory_size": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-008", {"runtime": "python3.8"}, Status.FAIL),
    ("PRR-LAMBDA-008", {"runtime": "cobol85"}, Status.UNKNOWN),
    ("PRR-LAMBDA-008", {"runtime": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-008", {"runtime": None, "package_type": "Image"}, Status.NOT_APPLICABLE),
    ("PRR-LAMBDA-009", {"vpc_subnet_ids": None}, Status.NOT_APPLICABLE),
    ("PRR-LAMBDA-012", {"role": None}, Status.FAIL),
    ("PRR-LAMBDA-012", {"role": U}, Status.UNKNOWN),
    ("PRR-LAMBDA-012", {"role": ExecutionRoleFacts("r", None, 1)}, Status.FAIL),
    ("PRR-LAMBDA-012", {"role": ExecutionRoleFacts("r", "b", 2)}, Status.FAIL),
    ("PRR-LAMBDA-012", {"role": ExecutionRoleFacts("r", U, 1)}, Status.UNKNOWN),
    ("PRR-LAMBDA-012", {"role": ExecutionRoleFacts("r", "b", U)}, Status.UNKNOWN),
])
def test_function_rules(cid, change, expected):
    result = evaluate(cid, dataclasses.replace(GOOD, **change), S)
    assert result.status is expected, result.reason
    assert result.control_id == cid and result.resource == "f" and result.reason.endswith(".")


def test_vpc_required_by_settings():
    vpc = dataclasses.replace(S, lambda_=dataclasses.replace(S.lambda_, require_vpc=True))
    assert status("PRR-LAMBDA-009", dataclasses.replace(GOOD, vpc_subnet_ids=None), vpc) is Status.FAIL
    assert status("PRR-LAMBDA-009", dataclasses.replace(GOOD, vpc_subnet_ids=U), vpc) is Status.UNKNOWN


def test_runtime_warning_window_and_evaluation_date():
    runtime = dataclasses.replace(S.lambda_.runtime, as_of=datetime.date(2028, 10, 1), warn_days_before_deprecation=60)
    s = dataclasses.replace(S, lambda_=dataclasses.replace(S.lambda_, runtime=runtime))
    assert status("PRR-LAMBDA-008", dataclasses.replace(GOOD, runtime="python3.12"), s) is Status.FAIL
    assert status("PRR-LAMBDA-008", dataclasses.replace(GOOD, runtime="python3.13"), s) is Status.PASS


@pytest.mark.parametrize("auth, expected", [("AWS_IAM", Status.PASS), ("NONE", Status.FAIL), (None, Status.FAIL), (U, Status.UNKNOWN)])
def test_function_url(auth, expected):
    assert status("PRR-LAMBDA-010", FunctionUrl("u", auth)) is expected


@pytest.mark.parametrize("perm, expected", [
    (LambdaPermission("p", principal="apigateway.amazonaws.com", source_arn="arn:x"), Status.PASS),
    (LambdaPermission("p", principal="s3.amazonaws.com", source_account="123456789012"), Status.PASS),
    (LambdaPermission("p", principal="sns.amazonaws.com"), Status.FAIL),
    (LambdaPermission("p", principal="sns.amazonaws.com", source_arn=U), Status.UNKNOWN),
    (LambdaPermission("p", principal="123456789012"), Status.NOT_APPLICABLE),
    (LambdaPermission("p", principal=U), Status.UNKNOWN),
])
def test_permission_scoping(perm, expected):
    assert status("PRR-LAMBDA-011", perm) is expected


def test_a_rule_that_raises_is_unknown_not_pass():
    result = evaluate("PRR-LAMBDA-011", LambdaPermission("p", principal=5), S)  # 5 has no .endswith
    assert result.status is Status.UNKNOWN and "AttributeError" in result.reason


def test_evaluate_rejects_an_unknown_control_or_facts_of_the_wrong_type():
    """Issue 9: evaluate() raised KeyError / AttributeError for a caller's mistake."""
    from prr_policies.errors import InputError

    with pytest.raises(InputError, match="'PRR-NOPE-001' is not a control with a rule"):
        evaluate("PRR-NOPE-001", GOOD, S)
    with pytest.raises(InputError, match="PRR-LAMBDA-006 evaluates LambdaFunction facts, not object"):
        evaluate("PRR-LAMBDA-006", object(), S)


def test_unknown_has_no_truth_value():
    with pytest.raises(TypeError):
        bool(U)
