"""Every custom Config rule through the real Lambda entry point (rdklib plumbing, moto's
Config with the TESTMODE result token): recorded configuration items give COMPLIANT,
NON_COMPLIANT and NOT_APPLICABLE as their file names say; oversized and scheduled
notifications, parameter errors, batching and failures behave as AWS expects."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from prr_policies.config_rules import handler
from prr_policies.config_rules.evaluators import EVALUATORS
from prr_policies.facts import Unknown
from prr_policies.settings import load_settings

from .conftest import FIXTURES, all_items, items_dir

SETTINGS = load_settings(FIXTURES / "prr.yaml")
A, R = "123456789012", "eu-west-1"
# "warn": a WARNING (a runtime inside its deprecation warning window) is COMPLIANT, annotated "WARNING:".
EXPECTED = {"pass": "COMPLIANT", "fail": "NON_COMPLIANT", "na": "NOT_APPLICABLE", "warn": "COMPLIANT"}


def event(control: str, item: dict | None = None, *, message: str = "ConfigurationItemChangeNotification", left_scope: bool = False,
          params: dict | None = None, token: str = "TESTMODE") -> dict:
    invoking = {"notificationCreationTime": "2026-11-27T12:00:00.000Z", "messageType": message, "recordVersion": "1.3"}
    if message == "ConfigurationItemChangeNotification":
        invoking["configurationItem"] = item
    elif message == "OversizedConfigurationItemChangeNotification":
        invoking["configurationItemSummary"] = {k: item[k] for k in ("resourceType", "resourceId", "resourceName", "awsRegion",
                                                                     "configurationItemCaptureTime", "configurationItemStatus", "ARN")}
    return {"invokingEvent": json.dumps(invoking), "ruleParameters": json.dumps(params if params is not None else {"ControlId": control, "AssumeRoleMode": "false"}),
            "resultToken": token, "eventLeftScope": left_scope, "executionRoleArn": f"arn:aws:iam::{A}:role/config-role",
            "configRuleArn": f"arn:aws:config:{R}:{A}:config-rule/config-rule-abc", "configRuleName": control.lower(),
            "configRuleId": "config-rule-abc", "accountId": A, "version": "1.0"}


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_REGION", R)
    monkeypatch.setenv("AWS_DEFAULT_REGION", R)
    with mock_aws():
        seed()
        yield


def seed() -> None:
    """The resources the handler's describe calls read for the fixtures."""
    from tests.aws_stack import _zip

    iam, lam, sqs = boto3.client("iam"), boto3.client("lambda"), boto3.client("sqs")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="orders-api-handler", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    dlq = sqs.create_queue(QueueName="app-orders-in-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.create_queue(QueueName="app-orders-in", Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})})
    sqs.create_queue(QueueName="app-orders-noredrive")
    for name in ("orders-api-handler", "orders-no-dlq"):
        lam.create_function(FunctionName=name, Runtime="python3.13", Role=role, Handler="app.handler", Code={"ZipFile": _zip()},
                            Environment={"Variables": {"STAGE": "prod"}})
    # PRR-SQS-003 and PRR-SNS-002: Config records no access policies; GetQueueAttributes and
    # GetTopicAttributes read these (moto gives a new topic the owner-only default policy).
    public = lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [  # noqa: E731
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": arn}]})
    sqs.create_queue(QueueName="app-orders-public", Attributes={"Policy": public(f"arn:aws:sqs:{R}:{A}:app-orders-public")})
    sns = boto3.client("sns")
    sns.create_topic(Name="app-orders-events")
    sns.create_topic(Name="app-orders-public-events", Attributes={"Policy": public(f"arn:aws:sns:{R}:{A}:app-orders-public-events")})
    # PRR-EVENTS-003: Config records no bus policy; DescribeEventBus reads these.
    events = boto3.client("events")
    for name in ("orders-private", "orders-public"):
        events.create_event_bus(Name=name)
    events.put_permission(EventBusName="orders-public", Action="events:PutEvents", Principal="*", StatementId="Everyone")
    # PRR-LAMBDA-019's failing case: a literal password in the environment (Config does not record it).
    lam.create_function(FunctionName="orders-leaky-env", Runtime="python3.13", Role=role, Handler="app.handler",
                        Code={"ZipFile": _zip()}, Environment={"Variables": {"DB_PASSWORD": "hunter2-prod"}})
    # PRR-LAMBDA-024's failing case: NODE_OPTIONS makes Node.js load a module outside the signed package.
    lam.create_function(FunctionName="orders-loader-env", Runtime="nodejs22.x", Role=role, Handler="app.handler",
                        Code={"ZipFile": _zip()}, Environment={"Variables": {"NODE_OPTIONS": "--require /tmp/hook.js"}})
    lam.put_function_event_invoke_config(FunctionName="orders-api-handler", DestinationConfig={"OnFailure": {"Destination": dlq_arn}})


CASES = [pytest.param(p.parent.parent.name, p, id=f"{p.parent.parent.name}-{p.stem}") for p in all_items()]


def test_every_change_triggered_rule_has_pass_fail_and_na_fixtures():
    for control, ev in EVALUATORS.items():
        if ev.trigger != "change":
            continue
        stems = {p.stem.split("_")[0] for p in items_dir(control).glob("*.json")}
        wanted = {"fail", "na"} | ({"pass"} if control != "PRR-LAMBDA-005" else set())
        assert wanted <= stems, (control, stems)


@pytest.mark.parametrize("control, path", CASES)
def test_fixture_through_the_handler(aws, control, path):
    item = json.loads(path.read_text())
    out = handler.lambda_handler(event(control, item), None, SETTINGS)
    assert isinstance(out, list) and len(out) == 1, out
    evaluation = out[0]
    assert evaluation["ComplianceType"] == EXPECTED[path.stem.split("_")[0]], evaluation
    assert evaluation["ComplianceResourceId"] == item["resourceId"]
    assert evaluation["ComplianceResourceType"] == item["resourceType"]
    assert evaluation["OrderingTimestamp"] == item["configurationItemCaptureTime"]
    assert len(evaluation.get("Annotation", "")) <= 256
    if path.stem.split("_")[0] == "fail":
        # A known violation is a FAIL, not an UNKNOWN that happens to be reported NON_COMPLIANT too
        # (issue 9: a function whose item omits deadLetterConfig, as Config's items do, was UNKNOWN).
        assert not evaluation.get("Annotation", "").startswith("UNKNOWN"), evaluation
    if path.stem.split("_")[0] == "warn":
        assert evaluation["Annotation"].startswith("WARNING: "), evaluation


def test_lambda_005_pass_path_without_moto_support():
    """moto does not implement code signing configs (GetFunctionCodeSigningConfig answers with
    no ARN), so the attached case is covered here: the enrichment turns the API's answer into
    the fact, and the rule passes."""
    item = json.loads((items_dir("PRR-LAMBDA-005") / "fail.json").read_text())
    from prr_policies.sources import config_item

    class Lambda:
        def get_function_code_signing_config(self, FunctionName):
            return {"CodeSigningConfigArn": f"arn:aws:lambda:{R}:{A}:code-signing-config:csc-1", "FunctionName": FunctionName}

        def get_function(self, FunctionName):
            return {"Configuration": {"Environment": {"Variables": {}}}}

        def get_function_event_invoke_config(self, FunctionName):
            return {}

    from prr_policies.controls import evaluate
    from prr_policies.sources.aws_api import Api

    facts = config_item.enrich(config_item.facts_from_item(item), item, Api(lambda s: Lambda()))
    assert evaluate("PRR-LAMBDA-005", facts, SETTINGS).status.value == "PASS"


def _custom_config_group() -> dict:
    item = json.loads((items_dir("PRR-CODEDEPLOY-001") / "pass.json").read_text())
    item["configuration"]["deploymentConfigName"] = "app-orders-Linear10PercentEvery2Minutes"
    return item


def test_custom_deployment_config_is_read_in_the_config_path():
    """Issue 9: a deployment group with a custom deployment config stayed UNKNOWN in the Config
    path although GetDeploymentConfig tells its traffic routing. moto does not implement custom
    deployment configs, so the answer comes from a stand-in client here."""
    from prr_policies.controls import evaluate
    from prr_policies.sources import config_item
    from prr_policies.sources.aws_api import Api

    item = _custom_config_group()
    seen = []

    class CodeDeploy:
        def get_deployment_config(self, deploymentConfigName):
            seen.append(deploymentConfigName)
            return {"deploymentConfigInfo": {"deploymentConfigName": deploymentConfigName, "computePlatform": "Lambda",
                                             "trafficRoutingConfig": {"type": "TimeBasedLinear"}}}

    raw = config_item.facts_from_item(item)
    assert isinstance(raw.deployment_config_type, Unknown)
    facts = config_item.enrich(raw, item, Api(lambda s: CodeDeploy()), {"deployment_config_type"})
    assert seen == ["app-orders-Linear10PercentEvery2Minutes"]
    assert evaluate("PRR-CODEDEPLOY-001", facts, SETTINGS).status.value == "PASS"


def test_custom_deployment_config_through_the_handler_asks_codedeploy(aws):
    """Through the real entry point the handler makes the GetDeploymentConfig call; moto does not
    implement it, so the rule says which call it could not make (UNKNOWN, reported NON_COMPLIANT)."""
    item = _custom_config_group()
    out = handler.lambda_handler(event("PRR-CODEDEPLOY-001", item), None, SETTINGS)
    assert out[0]["ComplianceType"] == "NON_COMPLIANT"
    assert out[0]["Annotation"].startswith("UNKNOWN") and "codedeploy:GetDeploymentConfig" in out[0]["Annotation"]


def test_oversized_notification_fetches_the_item_from_config_history(aws, monkeypatch):
    """Oversized items are fetched with GetResourceConfigHistory (rdklib); moto's Config does
    not record resources, so its answer is stubbed with the recorded item, converted the way
    the API returns it (configuration as a JSON string)."""
    item = json.loads((items_dir("PRR-SQS-001") / "pass.json").read_text())
    history = {**{k: item[k] for k in ("resourceType", "resourceId", "resourceName", "awsRegion", "configurationItemCaptureTime",
                                          "configurationItemStatus", "accountId")},
               "arn": item["ARN"], "configuration": json.dumps(item["configuration"]), "supplementaryConfiguration": {}, "relationships": []}
    calls = []

    def fake_history(config_client, invoking_event):
        calls.append(invoking_event["configurationItemSummary"]["resourceId"])
        return {"configurationItems": [history]}

    monkeypatch.setattr("rdklib.util.service.get_resource_config_history", fake_history)
    out = handler.lambda_handler(event("PRR-SQS-001", item, message="OversizedConfigurationItemChangeNotification"), None, SETTINGS)
    assert calls == [item["resourceId"]]
    assert out[0]["ComplianceType"] == "COMPLIANT"


def test_resource_left_scope_is_not_applicable(aws):
    item = json.loads((items_dir("PRR-SQS-001") / "fail.json").read_text())
    out = handler.lambda_handler(event("PRR-SQS-001", item, left_scope=True), None, SETTINGS)
    assert out[0]["ComplianceType"] == "NOT_APPLICABLE"


@pytest.mark.parametrize("params, message", [
    ({}, "ControlId must name"),
    ({"ControlId": "PRR-NOPE-001"}, "ControlId must name"),
    ({"ControlId": "PRR-SQS-001", "Colour": "red"}, "Unknown rule parameter 'Colour'"),
])
def test_invalid_parameters_give_the_customer_error(aws, params, message):
    item = json.loads((items_dir("PRR-SQS-001") / "pass.json").read_text())
    out = handler.lambda_handler(event("PRR-SQS-001", item, params=params), None, SETTINGS)
    assert out["customerErrorCode"] == "InvalidParameterValueException" and message in out["customerErrorMessage"]


def test_an_exception_is_never_compliant(aws, monkeypatch):
    item = json.loads((items_dir("PRR-SQS-001") / "pass.json").read_text())

    def boom(*a, **k):
        raise RuntimeError("injected fault")
    monkeypatch.setattr("prr_policies.config_rules.handler.evaluate", boom)
    out = handler.lambda_handler(event("PRR-SQS-001", item), None, SETTINGS)
    assert out[0]["ComplianceType"] == "NON_COMPLIANT" and "injected fault" in out[0]["Annotation"]
    assert out[0]["Annotation"].startswith("UNKNOWN:")


def test_malformed_item_is_non_compliant_with_the_path(aws):
    item = json.loads((items_dir("PRR-SQS-001") / "pass.json").read_text())
    item["configuration"]["VisibilityTimeout"] = "soon"
    out = handler.lambda_handler(event("PRR-SQS-001", item), None, SETTINGS)
    assert out[0]["ComplianceType"] == "NON_COMPLIANT"
    assert "configuration.VisibilityTimeout" in out[0]["Annotation"]


def test_unknown_is_reported_non_compliant(aws):
    """A describe call that cannot read the field (here: the queue is gone) leaves the fact
    unknown: NON_COMPLIANT with the reason, not a verdict on a guess."""
    item = json.loads((items_dir("PRR-SQS-002") / "pass.json").read_text())
    item["configuration"]["QueueUrl"] = item["resourceId"] = f"https://sqs.{R}.amazonaws.com/{A}/not-in-this-account"
    out = handler.lambda_handler(event("PRR-SQS-002", item), None, SETTINGS)
    assert out[0]["ComplianceType"] == "NON_COMPLIANT" and out[0]["Annotation"].startswith("UNKNOWN:")


# -- malformed events (issue 9: raw KeyError / JSONDecodeError / AttributeError) ---------------
#
# What rdklib 0.3.10 does with each, for the record: no invokingEvent -> KeyError; bad JSON in it
# or in ruleParameters -> JSONDecodeError; ruleParameters "[1]" -> AttributeError ('list' object
# has no attribute 'get', in ConfigRule.get_execution_role_arn); a null configurationItem ->
# Exception("configurationItem is not defined"); no configurationItemStatus or eventLeftScope ->
# KeyError; GetResourceConfigHistory errors for an oversized item escape unhandled.

def sqs_item() -> dict:
    return json.loads((items_dir("PRR-SQS-001") / "pass.json").read_text())


def malformed(change) -> dict:
    ev = event("PRR-SQS-001", sqs_item())
    change(ev)
    return ev


def set_invoking(ev: dict, **changes) -> None:
    invoking = json.loads(ev["invokingEvent"])
    for key, value in changes.items():
        if value is None:
            invoking.pop(key, None)
        else:
            invoking[key] = value
    ev["invokingEvent"] = json.dumps(invoking)


def set_item(ev: dict, drop: str) -> None:
    invoking = json.loads(ev["invokingEvent"])
    del invoking["configurationItem"][drop]
    ev["invokingEvent"] = json.dumps(invoking)


UNREADABLE = [  # the resource is not known: no evaluation, one log line, rdklib's error answer
    ("no invokingEvent", lambda ev: ev.pop("invokingEvent"), "the event has no invokingEvent"),
    ("invokingEvent not JSON", lambda ev: ev.update(invokingEvent="{bad"), "invokingEvent is not JSON"),
    ("invokingEvent a list", lambda ev: ev.update(invokingEvent="[1]"), "invokingEvent is not a JSON object but list"),
    ("invokingEvent a number", lambda ev: ev.update(invokingEvent=7), "invokingEvent is not a JSON string"),
    ("null configurationItem", lambda ev: ev.update(invokingEvent=json.dumps({**json.loads(ev["invokingEvent"]), "configurationItem": None})),
     "has no configurationItem"),
    ("empty configurationItem", lambda ev: set_invoking(ev, configurationItem={}), "the configurationItem lacks resourceType"),
    ("unknown messageType", lambda ev: set_invoking(ev, messageType="Gossip"), "unexpected messageType 'Gossip'"),
    ("no resultToken", lambda ev: ev.pop("resultToken"), "the event has no resultToken"),
]
KNOWN_RESOURCE = [  # the item names the resource: NON_COMPLIANT for it, with the reason
    ("ruleParameters not JSON", lambda ev: ev.update(ruleParameters="{bad"), "ruleParameters is not JSON", True),
    ("ruleParameters a list", lambda ev: ev.update(ruleParameters="[1]"), "must be a JSON object, not list", True),
    ("ruleParameters a string", lambda ev: ev.update(ruleParameters='"PRR-SQS-001"'), "must be a JSON object, not str", True),
    ("AssumeRoleMode not a string", lambda ev: ev.update(ruleParameters='{"ControlId": "PRR-SQS-001", "AssumeRoleMode": false}'),
     "AssumeRoleMode must be a string", True),
    ("no configurationItemStatus", lambda ev: set_item(ev, "configurationItemStatus"), "lacks resourceType", False),
    ("no eventLeftScope", lambda ev: ev.pop("eventLeftScope"), "no eventLeftScope", False),
]


def errors_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == handler.__name__ and r.levelname == "ERROR"]


@pytest.mark.parametrize("what, change, message", UNREADABLE, ids=[c[0] for c in UNREADABLE])
def test_an_event_it_cannot_read_gets_no_evaluation_and_one_log_line(aws, caplog, what, change, message):
    """Issue 9: these events raised raw KeyError / JSONDecodeError / AttributeError."""
    out = handler.lambda_handler(malformed(change), None, SETTINGS)
    assert out["evaluations"] == [] and message in out["internalErrorMessage"], out
    [line] = errors_logged(caplog)
    assert "cannot evaluate this event" in line and message in line


@pytest.mark.parametrize("event_", [None, [], "{}", {}], ids=["none", "list", "string", "empty"])
def test_an_event_that_is_not_an_event_is_answered(aws, caplog, event_):
    out = handler.lambda_handler(event_, None, SETTINGS)
    assert out["evaluations"] == [] and out["internalErrorMessage"]
    assert len(errors_logged(caplog)) == 1


@pytest.mark.parametrize("what, change, message, parameters", KNOWN_RESOURCE, ids=[c[0] for c in KNOWN_RESOURCE])
def test_an_unreadable_event_about_a_known_resource_is_non_compliant(aws, caplog, what, change, message, parameters):
    """Issue 9: where the item names the resource, the malformed part is reported on it:
    NON_COMPLIANT with an UNKNOWN annotation saying why, sent with PutEvaluations (TestMode)."""
    item = sqs_item()
    out = handler.lambda_handler(malformed(change), None, SETTINGS)
    [ev] = out["evaluations"]
    assert ev["ComplianceType"] == "NON_COMPLIANT"
    assert (ev["ComplianceResourceId"], ev["ComplianceResourceType"]) == (item["resourceId"], item["resourceType"])
    assert ev["OrderingTimestamp"] == item["configurationItemCaptureTime"]
    assert ev["Annotation"].startswith("UNKNOWN: the rule could not read its event: ") and message in ev["Annotation"]
    assert out["customerErrorCode"] == ("InvalidParameterValueException" if parameters else None)
    assert len(errors_logged(caplog)) == 1


def test_a_scheduled_run_with_bad_parameters_reports_on_the_account(aws, caplog):
    ev = event("PRR-LAMBDA-015", message="ScheduledNotification")
    ev["ruleParameters"] = "[1]"
    out = handler.lambda_handler(ev, None, SETTINGS)
    [sent] = out["evaluations"]
    assert (sent["ComplianceType"], sent["ComplianceResourceType"], sent["ComplianceResourceId"]) == ("NON_COMPLIANT", "AWS::::Account", A)
    assert out["customerErrorCode"] == "InvalidParameterValueException"


def test_an_oversized_item_config_cannot_return_is_non_compliant(aws, caplog):
    """rdklib fetches an oversized item with GetResourceConfigHistory outside its own error
    handling; moto's Config has no history for it (ResourceNotDiscoveredException). The resource
    is named in the summary, so it is reported NON_COMPLIANT with the error."""
    item = sqs_item()
    out = handler.lambda_handler(event("PRR-SQS-001", item, message="OversizedConfigurationItemChangeNotification"), None, SETTINGS)
    [ev] = out["evaluations"]
    assert ev["ComplianceType"] == "NON_COMPLIANT" and ev["ComplianceResourceId"] == item["resourceId"]
    assert "evaluation failed" in ev["Annotation"] and "GetResourceConfigHistory" in ev["Annotation"]
    assert len(errors_logged(caplog)) == 1


def test_empty_rule_parameters_are_the_missing_control_error(aws):
    """An empty ruleParameters string is no parameters (rdklib's json.loads('') raised)."""
    ev = event("PRR-SQS-001", sqs_item())
    ev["ruleParameters"] = ""
    out = handler.lambda_handler(ev, None, SETTINGS)
    assert out["customerErrorCode"] == "InvalidParameterValueException" and "ControlId must name" in out["customerErrorMessage"]
