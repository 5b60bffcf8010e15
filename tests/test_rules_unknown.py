"""Fail closed, field by field: making any one fact Unknown leaves a rule's verdict as it was
(the rule does not read that fact in this case) or makes it UNKNOWN. It never turns a verdict
into PASS, FAIL or NOT_APPLICABLE that the known facts did not give.

The starting facts are every configuration item fixture (pass, fail and not-applicable cases
of each change-triggered control) and hand-made facts for the types Config does not record
(URLs, permissions, log groups, release path, event source mappings), in passing, failing and
not-applicable variants. Facts nested in facts (a function's role, a release's deployment
group) are probed field by field too.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Iterator

import pytest

from prr_policies.controls import RULES, evaluate
from prr_policies.facts import (
    DeploymentGroup, EventSourceMapping, ExecutionRoleFacts, FunctionLogGroup, FunctionRelease, FunctionUrl, LambdaFunction,
    AccountBudgets, AlarmWatch, ApiDomain, Budget, ProvisionedConcurrency, ApiIntegration, ApiRoute, FunctionIdempotency, LambdaPermission, Subscription, TopicSubscriptions, Unknown, UsagePlan, GuardDutyProtection, InspectorScanning,
    WatchedResource, WebAcl,
)
from prr_policies.result import Status
from prr_policies.settings import load_settings
from prr_policies.sources.config_item import DELETED, facts_from_item

from .conftest import FIXTURES, all_items  # noqa: E402
SETTINGS = load_settings(FIXTURES / "prr.yaml")
PROBE = Unknown("probe")
KEY = "arn:aws:kms:eu-west-1:123456789012:key/k"
FN = "arn:aws:lambda:eu-west-1:123456789012:function:f"
GROUP = DeploymentGroup("app/f", "Lambda", "CodeDeployDefault.LambdaCanary10Percent5Minutes", "TimeBasedCanary", True,
                        ("f-errors",), True, ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"))
FUNCTION = LambdaFunction(
    address=FN, runtime="python3.13", tracing_mode="Active", reserved_concurrency=10, timeout=10, memory_size=256,
    has_environment_variables=True, kms_key_arn=KEY, code_signing_config_arn="arn:csc", dead_letter_target_arn="arn:sqs",
    vpc_subnet_ids=("s",), role=ExecutionRoleFacts("role", "arn:aws:iam::123456789012:policy/b", 1))

HAND_MADE: list[Any] = [
    FUNCTION,
    dataclasses.replace(FUNCTION, tracing_mode="PassThrough", reserved_concurrency=None, dead_letter_target_arn=None,
                        kms_key_arn=None, code_signing_config_arn=None, timeout=900, memory_size=128,
                        role=ExecutionRoleFacts("role", None, 3)),
    dataclasses.replace(FUNCTION, package_type="Image", has_environment_variables=False),
    FunctionUrl(FN, "AWS_IAM"), FunctionUrl(FN, "NONE"),
    LambdaPermission(f"{FN}#a", "apigateway.amazonaws.com", "lambda:InvokeFunction", "arn:aws:execute-api:eu-west-1:123456789012:a/*"),
    LambdaPermission(f"{FN}#b", "sns.amazonaws.com", "lambda:InvokeFunction"),
    LambdaPermission(f"{FN}#c", "123456789012", "lambda:InvokeFunction"),
    FunctionLogGroup(FN, "/aws/lambda/f", 90, KEY, ()),
    FunctionLogGroup(FN, "/aws/lambda/f", None, None, ("g",)),
    FunctionLogGroup(FN, None),
    FunctionRelease(FN, True, ("live",), ("live",), GROUP),
    FunctionRelease(FN, True, (), (), None),
    FunctionRelease(FN, True, ("live",), (), dataclasses.replace(GROUP, deployment_config_type="AllAtOnce", alarms_enabled=False)),
    FunctionRelease(FN, False, (), (), None),
    EventSourceMapping("m1", FN, "arn:aws:sqs:eu-west-1:123456789012:in", "sqs", ("ReportBatchItemFailures",), None, None, None, 180, 30),
    EventSourceMapping("m2", FN, "arn:aws:sqs:eu-west-1:123456789012:in", "sqs", (), None, None, None, 30, 60),
    EventSourceMapping("m3", FN, "arn:aws:kinesis:eu-west-1:123456789012:stream/s", "kinesis", ("ReportBatchItemFailures",),
                       3, 600, "arn:aws:sqs:eu-west-1:123456789012:dlq", None, 30),
    EventSourceMapping("m4", FN, "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/x", "dynamodb", (), -1, -1, None, None, 30),
    # issue 13: kinds Config does not record
    TopicSubscriptions("arn:aws:sns:eu-west-1:123456789012:t", (Subscription("s1", "sqs", "arn:q", "arn:dlq"),
                                                               Subscription("s2", "lambda", "arn:f", "arn:dlq"))),
    TopicSubscriptions("arn:aws:sns:eu-west-1:123456789012:t", (Subscription("s1", "sqs", "arn:q", None),)),
    TopicSubscriptions("arn:aws:sns:eu-west-1:123456789012:t", (Subscription("s1", "email", "a@b.c", None),)),
    WatchedResource(FN, "function", (AlarmWatch("f-errors", "AWS/Lambda", "Errors", 0.0, True), AlarmWatch("f-t", "AWS/Lambda", "Throttles", 0.0, True)),
                    deployment_group_alarms=("f-errors",)),
    WatchedResource(FN, "function", (), deployment_group_alarms=("other",)),
    WatchedResource("arn:aws:sqs:eu-west-1:123456789012:dlq", "dlq", (AlarmWatch("d", "AWS/SQS", "ApproximateNumberOfMessagesVisible", 0.0, True),)),
    WatchedResource("arn:aws:sqs:eu-west-1:123456789012:in", "event_source_queue", ()),
    UsagePlan("u", 50.0, 100, 1000, "DAY"), UsagePlan("u", None, None, None, None),
    ApiRoute("r", "POST /orders", "JWT"), ApiRoute("r", "POST /orders", "NONE"), ApiRoute("r", "GET /health", "NONE"),
    WebAcl("w", True, ("AWSManagedRulesCommonRuleSet",), True), WebAcl("w", False, (), True), WebAcl("w", False, (), False),
    ApiDomain("d", "REST", "TLS_1_2"), ApiDomain("d", "REST", "TLS_1_0"), ApiDomain("d", "V2", "TLS_1_2"),
    ApiIntegration("i", "VPC_LINK", "orders.internal"), ApiIntegration("i", "VPC_LINK", None), ApiIntegration("i", "INTERNET", None),
    WatchedResource("stage", "api_stage", (AlarmWatch("e", "AWS/ApiGateway", "5XXError", 0.0, True),
                                           AlarmWatch("l", "AWS/ApiGateway", "Latency", 800.0, True)), "REST"),
    FunctionIdempotency(FN, ("sqs",), (("prr:idempotency", "powertools"),), ()),
    FunctionIdempotency(FN, ("async:s3",), (), ("POWERTOOLS_IDEMPOTENCY_TABLE",)),
    FunctionIdempotency(FN, ("sqs", "async"), (("owner", "orders"),), ("QUEUE_URL",)),
    FunctionIdempotency(FN, (), (), ()),
    AccountBudgets("123456789012", (Budget("b", "COST", 800.0, "USD", "MONTHLY", True),), True),
    AccountBudgets("123456789012", (Budget("b", "COST", 5000.0, "USD", "MONTHLY", True),), True),
    AccountBudgets("123456789012", (Budget("b", "USAGE", 5.0, "GB", "MONTHLY", True),), False),
    ProvisionedConcurrency("pc", FN, "live", "alias", 10, 10, 50),
    ProvisionedConcurrency("pc", FN, "live", "alias", 6, 12, 10),
    ProvisionedConcurrency("pc", FN, "3", "version", 5, 5, None),
    ProvisionedConcurrency("pc", FN, "$LATEST", "latest", 5, 5, None),
    ProvisionedConcurrency(FN, FN),
    GuardDutyProtection("123456789012", True, "ENABLED", None, True), GuardDutyProtection("d", True, None),
    GuardDutyProtection("f", True, "ENABLED", "S3_DATA_EVENTS"),
    InspectorScanning("123456789012", "ENABLED", "DISABLED", True), InspectorScanning("e", "DISABLED", "DISABLED"),
]


def _cases() -> Iterator[Any]:
    for path in all_items():
        item = json.loads(path.read_text())
        if item.get("configurationItemStatus") in DELETED:  # rdklib answers those, no facts are built
            continue
        facts = facts_from_item(item, str(path), SETTINGS)
        for cid, rule in RULES.items():
            if isinstance(facts, rule.facts_type):
                yield pytest.param(cid, facts, id=f"{cid}-{path.parent.name}-{path.stem}")
    for i, facts in enumerate(HAND_MADE):
        for cid, rule in RULES.items():
            if isinstance(facts, rule.facts_type):
                yield pytest.param(cid, facts, id=f"{cid}-{type(facts).__name__}-{i}")


def _with_one_unknown(facts: Any) -> Iterator[tuple[str, Any]]:
    """Every copy of ``facts`` with one field (or one field of a nested facts object) Unknown."""
    for f in dataclasses.fields(facts):
        if f.name == "address":
            continue
        yield f.name, dataclasses.replace(facts, **{f.name: PROBE})
        inner = getattr(facts, f.name)
        if dataclasses.is_dataclass(inner) and not isinstance(inner, (type, Unknown)):
            for name, changed in _with_one_unknown(inner):
                yield f"{f.name}.{name}", dataclasses.replace(facts, **{f.name: changed})


CASES = list(_cases())


def test_the_cases_reach_every_rule_and_every_verdict():
    assert {c.values[0] for c in CASES} == set(RULES)
    verdicts = {evaluate(cid, facts, SETTINGS).status for cid, facts in (c.values for c in CASES)}
    assert verdicts >= {Status.PASS, Status.FAIL, Status.NOT_APPLICABLE}


@pytest.mark.parametrize("cid, facts", CASES)
def test_one_unknown_fact_only_ever_makes_the_verdict_unknown(cid, facts):
    before = evaluate(cid, facts, SETTINGS).status
    for field, probed in _with_one_unknown(facts):
        after = evaluate(cid, probed, SETTINGS)
        assert after.status in (before, Status.UNKNOWN), (field, before, after)
        if after.status is Status.UNKNOWN and before is not Status.UNKNOWN:
            assert "probe" in after.reason, (field, after.reason)  # the verdict is unknown because of this fact
