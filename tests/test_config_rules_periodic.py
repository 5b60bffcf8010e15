"""The periodic custom rules (what Config does not record: URLs, permissions, role sharing,
aliases, log groups, release path, event source mappings) through the real entry point with a
ScheduledNotification, on a moto account with a passing, a failing and a not-applicable case
of each where moto can express it."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from prr_policies.config_rules import handler
from tests.aws_stack import _zip
from tests.test_config_rules import SETTINGS, A, R, event

SCHEDULED = "ScheduledNotification"


PUT_SIZES: list[int] = []
OLD_EVALUATIONS = [{"EvaluationResultIdentifier": {"EvaluationResultQualifier": {
    "ConfigRuleName": "x", "ResourceType": "AWS::Lambda::Function", "ResourceId": "deleted-fn"}}, "ComplianceType": "COMPLIANT"}]


def _config_client_with_history(real):
    """moto's Config does not implement GetComplianceDetailsByConfigRule, which rdklib calls
    after a scheduled run to mark resources that vanished NOT_APPLICABLE. Config clients get
    that one call answered with a previous evaluation of a function that no longer exists; the
    batch sizes of PutEvaluations are recorded."""
    def client(service, *a, **k):
        c = real(service, *a, **k)
        if service == "config":
            c.get_compliance_details_by_config_rule = lambda **kw: {"EvaluationResults": OLD_EVALUATIONS}
            orig = c.put_evaluations

            def put(**kw):
                PUT_SIZES.append(len(kw["Evaluations"]))
                assert kw["TestMode"] is True and len(kw["Evaluations"]) <= 100
                return orig(**kw)
            c.put_evaluations = put
        return c
    return client


@pytest.fixture(scope="module")
def account():
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_REGION", R)
    mp.setenv("AWS_DEFAULT_REGION", R)
    with mock_aws():
        ids = build()
        mp.setattr(boto3, "client", _config_client_with_history(boto3.client))
        yield ids
    mp.undo()


def build() -> dict:
    iam, lam, sqs, logs, kin, ddb, kms = (boto3.client(s) for s in ("iam", "lambda", "sqs", "logs", "kinesis", "dynamodb", "kms"))
    key = kms.create_key()["KeyMetadata"]["Arn"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    boundary = iam.create_policy(PolicyName="prr-app-boundary", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))["Policy"]["Arn"]
    own = iam.create_role(RoleName="ok-fn", AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)["Role"]["Arn"]
    idle = iam.create_role(RoleName="idle-fn", AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)["Role"]["Arn"]
    shared = iam.create_role(RoleName="shared", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    for name, role in (("ok-fn", own), ("bad-fn", shared), ("shared-fn", shared), ("idle-fn", idle)):
        lam.create_function(FunctionName=name, Runtime="python3.13", Role=role, Handler="app.handler", Code={"ZipFile": _zip()}, Timeout=30)
    lam.create_alias(FunctionName="ok-fn", Name="live", FunctionVersion=lam.publish_version(FunctionName="ok-fn")["Version"])
    logs.create_log_group(logGroupName="/aws/lambda/ok-fn", kmsKeyId=key)
    logs.put_retention_policy(logGroupName="/aws/lambda/ok-fn", retentionInDays=90)
    logs.create_log_group(logGroupName="/aws/lambda/shared-fn")  # never expires, not encrypted
    lam.create_function_url_config(FunctionName="ok-fn", AuthType="AWS_IAM")
    lam.create_function_url_config(FunctionName="bad-fn", AuthType="NONE")
    lam.add_permission(FunctionName="ok-fn", StatementId="apigw", Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                       SourceArn=f"arn:aws:execute-api:{R}:{A}:api1/*")
    lam.add_permission(FunctionName="bad-fn", StatementId="apigw", Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com")
    lam.add_permission(FunctionName="shared-fn", StatementId="acct", Action="lambda:InvokeFunction", Principal=A)
    good_q = sqs.create_queue(QueueName="ok-in", Attributes={"VisibilityTimeout": "180"})["QueueUrl"]
    bad_q = sqs.create_queue(QueueName="bad-in", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    arn = lambda url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]  # noqa: E731
    ids = {}
    ids["sqs_ok"] = lam.create_event_source_mapping(EventSourceArn=arn(good_q), FunctionName="ok-fn", FunctionResponseTypes=["ReportBatchItemFailures"])["UUID"]
    ids["sqs_bad"] = lam.create_event_source_mapping(EventSourceArn=arn(bad_q), FunctionName="bad-fn")["UUID"]
    kin.create_stream(StreamName="clicks", ShardCount=1)
    stream = kin.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
    ids["kinesis_ok"] = lam.create_event_source_mapping(
        EventSourceArn=stream, FunctionName="ok-fn", StartingPosition="LATEST", MaximumRetryAttempts=3, MaximumRecordAgeInSeconds=600,
        DestinationConfig={"OnFailure": {"Destination": arn(bad_q)}}, FunctionResponseTypes=["ReportBatchItemFailures"])["UUID"]
    table = ddb.create_table(TableName="orders", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    ids["ddb_bad"] = lam.create_event_source_mapping(EventSourceArn=table["TableDescription"]["LatestStreamArn"], FunctionName="bad-fn",
                                                     StartingPosition="LATEST")["UUID"]
    return ids


def run(control: str) -> dict[str, dict]:
    out = handler.lambda_handler(event(control, message=SCHEDULED), None, SETTINGS)
    assert isinstance(out, list), out
    return {e["ComplianceResourceId"]: e for e in out}


def status(evaluations: dict, resource: str) -> str:
    return evaluations[resource]["ComplianceType"]


def test_lambda_010_function_url_auth(account):
    got = run("PRR-LAMBDA-010")
    assert status(got, "ok-fn") == "COMPLIANT" and status(got, "bad-fn") == "NON_COMPLIANT"
    assert "idle-fn" not in got  # a function without a URL has nothing to evaluate (the rule has no NOT_APPLICABLE case)


def test_lambda_011_permissions_scoped(account):
    got = run("PRR-LAMBDA-011")
    assert status(got, "ok-fn") == "COMPLIANT" and status(got, "bad-fn") == "NON_COMPLIANT" and status(got, "shared-fn") == "NOT_APPLICABLE"


def test_lambda_012_own_role_with_boundary(account):
    got = run("PRR-LAMBDA-012")
    assert status(got, "ok-fn") == "COMPLIANT"
    assert status(got, "bad-fn") == "NON_COMPLIANT" and "no permissions boundary" in got["bad-fn"]["Annotation"]
    assert status(got, "shared-fn") == "NON_COMPLIANT"  # the rule has no NOT_APPLICABLE case: every function has a role


def test_lambda_014_release_path(account):
    """moto does not implement provisioned concurrency configs, so a function that serves
    traffic is UNKNOWN here (NON_COMPLIANT, naming the call); the PASS and FAIL outcomes are
    covered by the rule's unit tests. A function with no trigger is NOT_APPLICABLE."""
    got = run("PRR-LAMBDA-014")
    assert status(got, "idle-fn") == "NOT_APPLICABLE"
    assert status(got, "ok-fn") == "NON_COMPLIANT" and "ListProvisionedConcurrencyConfigs" in got["ok-fn"]["Annotation"]


def test_lambda_015_log_groups(account):
    got = run("PRR-LAMBDA-015")
    assert status(got, "ok-fn") == "COMPLIANT"
    assert status(got, "bad-fn") == "NON_COMPLIANT" and "does not exist" in got["bad-fn"]["Annotation"]
    assert status(got, "shared-fn") == "NON_COMPLIANT" and "never expires" in got["shared-fn"]["Annotation"]


def test_lambda_016_deployments(account):
    """No deployment group releases these functions; moto drops a deployment group's alarm
    configuration (moto 5.2.x), so the passing case is covered by the Config item fixtures of PRR-CODEDEPLOY-001
    and the rule's unit tests."""
    got = run("PRR-LAMBDA-016")
    assert status(got, "idle-fn") == "NOT_APPLICABLE" and status(got, "ok-fn") == "NON_COMPLIANT"


def test_esm_001_batch_item_failures(account):
    got = run("PRR-ESM-001")
    assert status(got, account["sqs_ok"]) == "COMPLIANT" and status(got, account["sqs_bad"]) == "NON_COMPLIANT"
    assert got[account["sqs_ok"]]["ComplianceResourceType"] == "AWS::Lambda::EventSourceMapping"


def test_esm_002_bounded_stream_retries(account):
    got = run("PRR-ESM-002")
    assert status(got, account["kinesis_ok"]) == "COMPLIANT"
    assert status(got, account["ddb_bad"]) == "NON_COMPLIANT" and "forever" in got[account["ddb_bad"]]["Annotation"]
    assert status(got, account["sqs_ok"]) == "NOT_APPLICABLE"


def test_esm_003_visibility_timeout(account):
    got = run("PRR-ESM-003")
    assert status(got, account["sqs_ok"]) == "COMPLIANT" and status(got, account["sqs_bad"]) == "NON_COMPLIANT"
    assert status(got, account["kinesis_ok"]) == "NOT_APPLICABLE"


def test_vanished_resources_become_not_applicable(account):
    got = run("PRR-LAMBDA-015")
    assert status(got, "deleted-fn") == "NOT_APPLICABLE"


def test_evaluations_go_out_in_batches_of_100(account):
    """rdklib sends PutEvaluations in batches of at most 100 (asserted on every call)."""
    lam = boto3.client("lambda")
    role = boto3.client("iam").get_role(RoleName="ok-fn")["Role"]["Arn"]
    for i in range(230):
        lam.create_function(FunctionName=f"bulk-{i:03d}", Runtime="python3.13", Role=role, Handler="app.handler", Code={"ZipFile": _zip()})
    PUT_SIZES.clear()
    got = run("PRR-LAMBDA-015")
    assert len(got) >= 234 and PUT_SIZES[:2] == [100, 100] and sum(PUT_SIZES) == len(got)


@pytest.mark.parametrize("control, not_built", [
    ("PRR-LAMBDA-015", {"sns", "secretsmanager", "kms", "apigateway", "apigatewayv2", "codedeploy", "iam", "sqs"}),
    ("PRR-ESM-003", {"sns", "secretsmanager", "kms", "apigateway", "apigatewayv2", "codedeploy", "iam", "logs"}),
])
def test_a_periodic_rule_reads_only_what_its_control_needs(account, monkeypatch, control, not_built):
    """Each periodic rule is its own invocation: it reads the facts its control evaluates, not
    every queue, topic, key and API of the account (nor per-function details it does not use)."""
    built: list[str] = []
    real = boto3.client

    def recording(service, *a, **k):
        built.append(service)
        return real(service, *a, **k)

    monkeypatch.setattr(boto3, "client", recording)
    got = run(control)
    assert got and "lambda" in built
    assert not set(built) & not_built, sorted(set(built) & not_built)
