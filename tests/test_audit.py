"""`prr-policies audit` against a moto account of realistic size: findings and exit 1, the
junitxml parses, refused calls are UNKNOWN naming the permission, and the declared IAM
permissions are exactly the calls the audit makes."""

from __future__ import annotations

import dataclasses
import json
from xml.etree import ElementTree as ET

import boto3
import pytest
from moto import mock_aws
from moto.core.authorization import disable_iam_authentication, enable_iam_authentication

from prr_policies import audit
from prr_policies.cli import main
from prr_policies.result import Status
from prr_policies.settings import load_settings
from prr_policies.sources.aws_api import AUDIT_PERMISSIONS, CALLS, iam_action
from tests import aws_stack

SETTINGS = load_settings()


@pytest.fixture(scope="module")
def stack():
    mp = pytest.MonkeyPatch()
    for k, v in {"AWS_REGION": aws_stack.REGION, "AWS_DEFAULT_REGION": aws_stack.REGION, "AWS_ACCESS_KEY_ID": "testing",
                 "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        mp.setenv(k, v)
    with mock_aws():
        yield aws_stack.build(200)
    mp.undo()


@pytest.fixture(scope="module")
def report(stack):
    return audit.run(aws_stack.client, SETTINGS)


def by(report, control, resource):
    return next(f.result for f in report.findings if f.control_id == control and f.resource_id == resource)


def test_audits_every_function_and_its_relations(stack, report):
    functions = {f.resource_id for f in report.findings if f.control_id == "PRR-LAMBDA-001"}
    assert functions == set(stack.functions) and len(functions) == 200
    esms = [f for f in report.findings if f.control_id == "PRR-ESM-003"]
    assert len(esms) == 200
    for name in stack.bad[:5]:
        assert by(report, "PRR-LAMBDA-001", name).status is Status.FAIL
        assert by(report, "PRR-LAMBDA-015", name).status is Status.FAIL  # no log group
        assert by(report, "PRR-IAM-002", "shared-unbounded").status is Status.FAIL
    good = next(n for n in stack.functions if n not in stack.bad)
    for control in ("PRR-LAMBDA-001", "PRR-LAMBDA-002", "PRR-LAMBDA-003", "PRR-LAMBDA-004", "PRR-LAMBDA-012", "PRR-LAMBDA-015"):
        assert by(report, control, good).status is Status.PASS, (control, by(report, control, good))
    assert not report.refused
    # what moto does not implement is reported as failed calls, and those controls are UNKNOWN
    assert set(report.failed) == {"lambda:ListCodeSigningConfigs", "lambda:ListProvisionedConcurrencyConfigs",
                                  "backup:ListBackupSelections", "wafv2:ListResourcesForWebACL"}  # moto: not implemented
    assert by(report, "PRR-LAMBDA-014", good).status is Status.UNKNOWN


def test_mappings_on_an_alias_are_judged_against_the_function(stack):
    """A mapping that targets an alias (a qualified ARN) still finds the function's timeout."""
    sqs, lam = aws_stack.client("sqs"), aws_stack.client("lambda")
    url = sqs.create_queue(QueueName="app-fn-001-alias-in", Attributes={"VisibilityTimeout": "600"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="app-fn-001:live",
                                           FunctionResponseTypes=["ReportBatchItemFailures"])["UUID"]
    rep = audit.run(aws_stack.client, SETTINGS, functions=["app-fn-001"])
    assert by(rep, "PRR-ESM-003", uuid).status is Status.PASS


def test_an_unreadable_trigger_leaves_serving_traffic_unknown():
    """If the only trigger the audit could not read might be the one that makes a function
    serve traffic, the release controls are UNKNOWN, not NOT_APPLICABLE."""
    from prr_policies.sources.account import Account

    class Denied(Exception):
        response = {"Error": {"Code": "AccessDeniedException"}, "ResponseMetadata": {"HTTPStatusCode": 403}}

    class Lambda:
        meta = None

        def can_paginate(self, op):
            return False

        def list_functions(self):
            return {"Functions": [{"FunctionName": "f", "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:f", "Role": ""}]}

        def list_event_source_mappings(self):
            return {"EventSourceMappings": []}

        def get_function(self, FunctionName):
            return {"Configuration": {"FunctionName": "f", "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:f"}}

        def get_policy(self, FunctionName):
            raise Denied("no")

        def list_aliases(self, FunctionName):
            return {"Aliases": []}

        def get_function_url_config(self, FunctionName, Qualifier=None):
            return None

        def __getattr__(self, name):
            return lambda **kw: {}

    from prr_policies.facts import FunctionRelease, LambdaPermission
    snap = Account(lambda s: Lambda(), functions=["f"]).collect()
    release = snap.facts[FunctionRelease][0][2]
    assert release.serving_traffic.__class__.__name__ == "Unknown" and "lambda:GetPolicy was refused" in release.serving_traffic.reason
    # and PRR-LAMBDA-011 gets an unknown permission for the function instead of no row at all
    [(_, _, permission)] = snap.facts[LambdaPermission]
    assert "lambda:GetPolicy was refused" in permission.principal.reason


def test_a_refused_account_reports_every_control_unknown():
    """When every call is refused, each control still gets a finding (one per refused listing),
    and none of them is a PASS or a FAIL: only UNKNOWN, or NOT_APPLICABLE where the settings
    turn the control off."""
    from prr_policies.controls import RULES

    class Denied(Exception):
        response = {"Error": {"Code": "AccessDeniedException"}, "ResponseMetadata": {"HTTPStatusCode": 403}}

    class Refusing:
        def can_paginate(self, op):
            return False

        def __getattr__(self, name):
            def refuse(**kw):
                raise Denied(f"not authorized to perform {name}")
            return refuse

    rep = audit.run(lambda s: Refusing(), SETTINGS)
    assert {f.control_id for f in rep.findings} == set(RULES)
    for f in rep.findings:
        assert f.result.status is Status.UNKNOWN or (
            f.result.status is Status.NOT_APPLICABLE and f.result.reason.startswith("Settings do not require")), f.result
    assert all(f.resource_id.startswith("<") for f in rep.findings)


def test_a_full_audit_reads_each_deployment_group_and_queue_once(stack):
    """The release path and PRR-CODEDEPLOY-001 share one read of the deployment groups; the
    mappings' queues and the queue controls share one read of each queue's attributes."""
    from collections import Counter

    from prr_policies.sources.account import Account

    counts: Counter = Counter()

    class Counting:
        def __init__(self, client):
            self._client = client

        def __getattr__(self, name):
            attr = getattr(self._client, name)
            if name.startswith(("get_", "batch_get_")) and name != "get_paginator":
                def counted(**kw):
                    counts[name] += 1
                    return attr(**kw)
                return counted
            return attr

    Account(lambda s: Counting(aws_stack.client(s))).collect()
    cd = aws_stack.client("codedeploy")
    groups = sum(len(cd.list_deployment_groups(applicationName=a)["deploymentGroups"]) for a in cd.list_applications()["applications"])
    assert groups > 0 and counts["get_deployment_group"] == groups
    queues = aws_stack.client("sqs").list_queues(MaxResults=1000)["QueueUrls"]
    assert len(queues) > 100 and counts["get_queue_attributes"] == len(queues)


def test_cli_prints_findings_and_exits_1(stack, capsys):
    assert main(["audit", "--region", aws_stack.REGION]) == 1
    out = capsys.readouterr().out
    assert "PRR-LAMBDA-001" in out and "FAIL" in out and "X-Ray tracing mode is PassThrough" in out


def test_junitxml_parses(stack, capsys):
    assert main(["audit", "--region", aws_stack.REGION, "-o", "junitxml"]) == 1
    root = ET.fromstring(capsys.readouterr().out)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert "PRR-LAMBDA-001" in suites and int(suites["PRR-LAMBDA-001"].get("failures")) == 40
    assert all(c.get("name") for c in root.iter("testcase"))


def test_json_output_and_function_filter(stack, capsys):
    assert main(["audit", "--region", aws_stack.REGION, "-o", "json", "--function", "app-fn-001", "--function", "app-fn-005"]) == 1
    doc = json.loads(capsys.readouterr().out)
    fns = {r["resource_id"] for r in doc["results"] if r["control_id"] == "PRR-LAMBDA-001"}
    assert fns == {"app-fn-001", "app-fn-005"}
    assert not any(r["resource_type"] == "AWS::SQS::Queue" for r in doc["results"])  # account-wide types only without --function
    assert doc["required_permissions"] == list(AUDIT_PERMISSIONS)


def test_declared_permissions_are_exactly_the_calls_made(report):
    """Every call the audit makes is declared, and every declared permission is used, except
    codedeploy:GetDeploymentConfig: it is called only for custom deployment configs, which
    moto does not implement (its unit test below covers it), and backup:GetBackupSelection, which
    follows ListBackupSelections, which moto does not implement (test_backup_selections_are_read_...),
    and lambda:GetFunctionConcurrency, read only for functions with provisioned concurrency configs,
    which moto does not implement either (tests/test_rules_concurrency.py reads it from a stand-in)."""
    made = {iam_action(s, o) for s, o in report.calls}
    assert made <= set(AUDIT_PERMISSIONS)
    assert set(AUDIT_PERMISSIONS) - made == {"codedeploy:GetDeploymentConfig", "backup:GetBackupSelection",
                                             "lambda:GetFunctionConcurrency"}
    assert set(report.calls) <= set(CALLS)


def test_custom_deployment_configs_are_read():
    from prr_policies.sources.account import Account

    class CodeDeploy:
        def can_paginate(self, op):
            return False

        def list_applications(self):
            return {"applications": ["app"]}

        def batch_get_applications(self, applicationNames):
            return {"applicationsInfo": [{"applicationName": "app", "computePlatform": "Lambda"}]}

        def list_deployment_groups(self, applicationName):
            return {"deploymentGroups": ["fn"]}

        def get_deployment_group(self, applicationName, deploymentGroupName):
            return {"deploymentGroupInfo": {"deploymentGroupName": "fn", "deploymentConfigName": "Slow10"}}

        def get_deployment_config(self, deploymentConfigName):
            return {"deploymentConfigInfo": {"trafficRoutingConfig": {"type": "TimeBasedLinear"}}}

    acc = Account(lambda s: CodeDeploy())
    groups = acc.deployment_groups()
    assert groups[0][2].deployment_config_type == "TimeBasedLinear"
    assert ("codedeploy", "get_deployment_config") in acc.api.calls


def test_declared_permissions_are_real_iam_actions():
    from prr_policies.guardrails.lint import lint_document

    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(AUDIT_PERMISSIONS), "Resource": "*"}]}
    assert lint_document(doc, "audit-permissions") == []


class _Unsigned:
    """moto's IAM authorization rejects the SigV4 signature of Lambda and API Gateway REST
    requests (SignatureDoesNotMatch), so their calls run with authorization switched off; the
    calls to SQS and CloudWatch Logs, which moto does authorize, are judged by moto's IAM
    evaluator. Calls are made one at a time (jobs=1) because the switch is process-wide."""

    def __init__(self, client):
        self._client = client

    def get_paginator(self, name):
        real = self._client.get_paginator(name)

        class Paginator:
            def paginate(self, **kw):
                with disable_iam_authentication():
                    return list(real.paginate(**kw))
        return Paginator()

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr) or name in ("can_paginate", "meta"):
            return attr

        def call(*a, **k):
            with disable_iam_authentication():
                return attr(*a, **k)
        return call


def test_refused_calls_are_unknown_naming_the_permission(stack):
    """A role that may not read queue attributes or log groups gets UNKNOWN, naming the
    permission, for the controls that need them: not a crash and not a PASS."""
    iam = aws_stack.client("iam")
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="audit", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(AUDIT_PERMISSIONS), "Resource": "*"},
        {"Effect": "Deny", "Action": ["sqs:GetQueueAttributes", "logs:DescribeLogGroups"], "Resource": "*"}]}))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]

    def client(service):
        c = boto3.client(service, region_name=aws_stack.REGION, aws_access_key_id=key["AccessKeyId"],
                         aws_secret_access_key=key["SecretAccessKey"])
        return _Unsigned(c) if service in ("lambda", "apigateway", "iam") else c

    with enable_iam_authentication():
        rep = audit.run(client, SETTINGS, functions=["app-fn-001", "app-fn-002"], jobs=1)
    assert set(rep.refused) == {"sqs:GetQueueAttributes", "logs:DescribeLogGroups"}, (rep.refused, rep.failed)
    logs = by(rep, "PRR-LAMBDA-015", "app-fn-001")
    assert logs.status is Status.UNKNOWN and "logs:DescribeLogGroups was refused" in logs.reason
    visibility = [f.result for f in rep.findings if f.control_id == "PRR-ESM-003"]
    assert len(visibility) >= 2 and all(r.status is Status.UNKNOWN and "sqs:GetQueueAttributes" in r.reason for r in visibility)
    assert by(rep, "PRR-LAMBDA-001", "app-fn-001").status is Status.PASS  # what could be read is still judged
    assert "Refused calls" in audit.render_table(rep)


def test_progress_bar_only_on_a_terminal():
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert audit.terminal_progress(io.StringIO()) is None
    out = Tty()
    show = audit.terminal_progress(out)
    show("functions", 1, 4)
    show("functions", 4, 4)
    assert "[#######" in out.getvalue() and "4/4\n" in out.getvalue()


def test_no_credentials_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["audit", "--region", "eu-west-1"]) == 2
    assert "no AWS credentials" in capsys.readouterr().err
    assert main(["audit", "--region", "eu-west-1", "--profile", "nope"]) == 2


# -- an AWS that cannot be reached, or answers only in part (issue 9: the audit hung) ---------

def audit_cli(port, *args, env=None):
    """The audit in a subprocess against 127.0.0.1:port. The subprocess timeout is a guard that it
    terminated at all, not a timing assertion."""
    import subprocess
    import sys

    from tests import fake_aws

    return subprocess.run([sys.executable, "-m", "prr_policies.cli", "audit", *fake_aws.FAST, *args], capture_output=True,
                          text=True, env=env or fake_aws.aws_env(port), timeout=300)


def one_line_error(proc):
    errors = [line for line in proc.stderr.splitlines() if line.startswith("prr-policies: ")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return errors[0]


def test_a_refused_port_fails_fast_with_exit_3():
    """Issue 9: against a refused port the audit took 72-91 s and exited 1 like a non-compliant
    account. The preflight sts:GetCallerIdentity now ends it with exit 3 and says why."""
    from tests.fake_aws import refused_port

    proc = audit_cli(refused_port())
    assert proc.returncode == 3, proc.stderr
    line = one_line_error(proc)
    assert "cannot reach AWS" in line and "sts:GetCallerIdentity" in line and "Could not connect" in line
    assert proc.stdout == ""


def test_an_endpoint_that_never_answers_ends_with_exit_3():
    """Issue 9: against an endpoint that accepts connections and never answers, the audit printed
    nothing for 20 minutes. Now the read timeout ends the preflight: exit 3, naming the timeout."""
    from tests.fake_aws import Silent

    with Silent() as server:
        proc = audit_cli(server.port)
    assert proc.returncode == 3, proc.stderr
    line = one_line_error(proc)
    assert "cannot reach AWS" in line and "Read timeout" in line


def test_the_time_limit_ends_an_audit_whose_calls_hang():
    """Issue 9: the preflight is answered but no other call is: each call times out (UNKNOWN naming
    the call), --timeout stops the calls not made yet (UNKNOWN, "not read"), progress lines show
    on stderr without a terminal, and as nothing was answered the audit exits 3."""
    from tests.fake_aws import Partial

    with Partial() as server:
        proc = audit_cli(server.port, "--timeout", "3", "-o", "json")
    assert proc.returncode == 3, proc.stderr
    assert "could not evaluate anything: no AWS call was answered" in one_line_error(proc)
    progress = [line for line in proc.stderr.splitlines() if line.startswith("prr-policies audit: ")]
    assert "prr-policies audit: account 123456789012 region eu-west-1 as arn:aws:iam::123456789012:user/auditor" in progress
    assert "prr-policies audit: reading lambda ListFunctions" in progress
    assert any("time limit of 3 s ran out" in line for line in progress)
    doc = json.loads(proc.stdout)
    assert doc["evaluated_nothing"] is True
    assert doc["failed_calls"]["lambda:ListFunctions"] == "ReadTimeoutError"
    assert "TimeLimit" in doc["failed_calls"].values()
    reasons = [r["reason"] for r in doc["results"]]
    assert all(r["status"] in ("UNKNOWN", "NOT_APPLICABLE") for r in doc["results"])
    assert any("lambda:ListFunctions timed out (Read timeout" in r for r in reasons)
    assert any("was not read: the time limit of 3 s ran out" in r for r in reasons)


def test_an_audit_that_read_something_exits_1_with_the_unknowns():
    """When some calls are answered (the function listing) and the rest time out, what was read
    is judged and the rest is UNKNOWN naming the call: exit 1, not 3 and never 0."""
    from tests.fake_aws import Partial

    with Partial({"/2015-03-31/functions/": {"Functions": []}}) as server:
        proc = audit_cli(server.port, "--timeout", "3")
    assert proc.returncode == 1, proc.stderr
    assert "lambda:ListEventSourceMappings timed out" in proc.stdout
    assert "The time limit of 3 s ran out" in proc.stdout


def test_credentials_aws_rejects_are_exit_2():
    from tests.fake_aws import Partial

    with Partial(reject_credentials=True) as server:
        proc = audit_cli(server.port)
    assert proc.returncode == 2
    assert "AWS refused the credentials at sts:GetCallerIdentity (InvalidClientTokenId" in one_line_error(proc)


def test_timeouts_and_retries_are_set_on_every_client(monkeypatch):
    """The clients the audit makes carry the connect/read timeouts and the attempt limit given."""
    from prr_policies.sources.aws_api import Limits

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client, region, identity = audit.connect(None, "eu-west-1", Limits(connect_timeout=2, read_timeout=7, max_attempts=4))
        config = client("lambda").meta.config
    assert region == "eu-west-1" and identity["Account"]
    assert (config.connect_timeout, config.read_timeout) == (2, 7)
    assert config.retries["total_max_attempts"] == 4 and config.retries["mode"] == "standard"  # the first attempt included


def test_api_reports_a_timed_out_call_as_unknown_naming_it():
    """Api._fail: botocore's connect and read timeouts and connection errors are Unknown naming
    the call, recorded as failed calls, never a crash."""
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

    from prr_policies.facts import Unknown
    from prr_policies.sources.aws_api import Api

    class Hanging:
        def __init__(self, exc):
            self.exc = exc

        def can_paginate(self, op):
            return False

        def __getattr__(self, name):
            def call(**kw):
                raise self.exc
            return call

    for exc, words in [(ReadTimeoutError(endpoint_url="https://lambda"), "lambda:GetFunction timed out (Read timeout"),
                       (ConnectTimeoutError(endpoint_url="https://lambda"), "lambda:GetFunction timed out (Connect timeout"),
                       (EndpointConnectionError(endpoint_url="https://lambda"), "lambda:GetFunction got no answer (Could not connect")]:
        api = Api(lambda s: Hanging(exc))
        got = api.call("lambda", "get_function", FunctionName="f")
        assert isinstance(got, Unknown) and got.reason.startswith(words), got
        assert api.failed == {"lambda:GetFunction": type(exc).__name__}
        listed = api.pages("lambda", "list_functions", "Functions")
        assert isinstance(listed, Unknown) and "lambda:ListFunctions" in listed.reason


def test_a_function_the_region_does_not_have_is_exit_2(stack, capsys):
    """Issue 9: `--function` with a misspelt name audited nothing and exited 0."""
    assert main(["audit", "--region", aws_stack.REGION, "--function", "app-fn-001", "--function", "app-fn-999"]) == 2
    assert "no function app-fn-999 in eu-west-1" in capsys.readouterr().err


def test_an_empty_region_is_exit_3_unless_allowed():
    """A region where nothing was found evaluated nothing: exit 3 (the wrong region?), or 0
    with --allow-empty."""
    class Empty:
        def can_paginate(self, op):
            return False

        def get_caller_identity(self, **kw):
            return {"Account": "123456789012"}

        def describe_budgets(self, **kw):  # issue 13: Budgets is global, so a budget shows in every Region
            return {"Budgets": [{"BudgetName": "monthly", "BudgetType": "COST", "TimeUnit": "MONTHLY",
                                 "BudgetLimit": {"Amount": "500", "Unit": "USD"}}]}

        def describe_notifications_for_budget(self, **kw):
            return {"Notifications": [{"NotificationType": "FORECASTED"}]}

        def list_detectors(self, **kw):  # issue 13: GuardDuty and Inspector are account settings of the Region
            return {"DetectorIds": ["d1"]}

        def get_detector(self, **kw):
            return {"Status": "ENABLED", "Features": [{"Name": "LAMBDA_NETWORK_LOGS", "Status": "ENABLED"}]}

        def batch_get_account_status(self, **kw):
            return {"accounts": [{"accountId": "123456789012", "resourceState": {"lambda": {"status": "ENABLED"}}}]}

        def __getattr__(self, name):
            return lambda **kw: {}

    rep = audit.run(lambda s: Empty(), SETTINGS)
    # Issue 13: the account-wide checks are reported, but a Region holding nothing still exits 3.
    assert rep.regional == [] and sorted((f.control_id, f.result.status) for f in rep.findings) == [
        ("PRR-ACCOUNT-001", Status.PASS), ("PRR-ACCOUNT-002", Status.PASS), ("PRR-COST-001", Status.PASS)]
    assert audit.exit_code(rep) == 3 and "nothing to evaluate" in audit.why_nothing(rep, "eu-west-1")
    assert audit.exit_code(rep, allow_empty=True) == 0


def test_progress_lines_without_a_terminal():
    """Issue 9: without a terminal the audit printed no progress at all."""
    import io

    out = io.StringIO()
    p = audit.Progress(out)
    p.line("reading lambda ListFunctions")
    for i in range(1, 201):
        p.step("functions", i, 200)
    lines = out.getvalue().splitlines()
    assert lines[0] == "prr-policies audit: reading lambda ListFunctions"
    assert lines[1:] == [f"prr-policies audit: functions {n}/200" for n in range(20, 201, 20)]


# ---- issue 13: the new kinds through the audit (moto's account of aws_stack) ---------------------

def test_event_rules_and_buses_are_audited(report):
    assert by(report, "PRR-EVENTS-001", "app-orders-created").status is Status.PASS
    assert by(report, "PRR-EVENTS-002", "app-orders-created").status is Status.PASS
    assert by(report, "PRR-EVENTS-001", "app-orders-shipped").status is Status.FAIL
    assert by(report, "PRR-EVENTS-002", "app-orders-shipped").status is Status.FAIL  # EventBridge's 185 attempts / 24 h
    assert by(report, "PRR-EVENTS-003", "app-partners").status is Status.FAIL
    assert by(report, "PRR-EVENTS-003", "default").status is Status.PASS


def test_vpc_function_zones_are_read(report):
    assert by(report, "PRR-LAMBDA-020", "app-fn-001").status is Status.PASS  # two subnets in eu-west-1a and -1b
    assert by(report, "PRR-LAMBDA-020", "app-fn-002").status is Status.NOT_APPLICABLE


def test_queue_and_topic_policies_and_subscriptions_are_audited(report):
    public = next(f for f in report.findings if f.control_id == "PRR-SQS-003" and f.resource_id.endswith("/app-orders-public"))
    assert public.result.status is Status.FAIL
    assert by(report, "PRR-SQS-003", "https://sqs.eu-west-1.amazonaws.com/123456789012/app-fn-002-in").status is Status.PASS
    topic = f"arn:aws:sns:{aws_stack.REGION}:{aws_stack.ACCOUNT}:app-orders-fanout"
    assert by(report, "PRR-SNS-002", topic).status is Status.PASS  # moto's default policy pins AWS:SourceOwner
    assert by(report, "PRR-SNS-003", topic).status is Status.PASS
    assert by(report, "PRR-SNS-003", topic.replace("app-orders-fanout", "app-orders-bare-fanout")).status is Status.FAIL


def test_buckets_and_tables_are_audited(report):
    assert by(report, "PRR-BUCKET-001", "app-orders-uploads").status is Status.PASS
    assert by(report, "PRR-BUCKET-001", "app-orders-scratch").status is Status.FAIL  # notifies a function S3 may not invoke
    assert by(report, "PRR-BUCKET-002", "app-orders-uploads").status is Status.PASS
    assert by(report, "PRR-BUCKET-002", "app-orders-scratch").status is Status.FAIL
    assert by(report, "PRR-DDB-001", "app-orders").status is Status.PASS
    assert by(report, "PRR-DDB-001", "app-orders-cache").status is Status.FAIL
    # moto does not implement ListBackupSelections: with backups required the tables are UNKNOWN, naming the call
    required = dataclasses.replace(SETTINGS, resilience=dataclasses.replace(SETTINGS.resilience, table_backup_required=True))
    from prr_policies.controls import evaluate

    facts = next(f for t, rid, f in __import__("prr_policies.sources.account", fromlist=["Account"]).Account(aws_stack.client)
                 .collect([__import__("prr_policies.facts", fromlist=["Table"]).Table]).facts[__import__("prr_policies.facts", fromlist=["Table"]).Table]
                 if rid == "app-orders")
    result = evaluate("PRR-DDB-002", facts, required)
    assert result.status is Status.UNKNOWN and "backup:ListBackupSelections" in result.reason


def test_backup_selections_are_read_with_a_stand_in_for_moto():
    """moto lacks ListBackupSelections; a stand-in client shows the reading: a selection naming the
    table's ARN covers it, and only that table."""
    from prr_policies.controls import evaluate
    from prr_policies.facts import Table
    from prr_policies.sources.account import Account

    arn = f"arn:aws:dynamodb:{aws_stack.REGION}:{aws_stack.ACCOUNT}:table/"

    class Stub:
        def can_paginate(self, op):
            return False

        def list_tables(self):
            return {"TableNames": ["covered", "bare"]}

        def describe_table(self, TableName):
            return {"Table": {"TableName": TableName, "TableArn": arn + TableName}}

        def describe_continuous_backups(self, TableName):
            return {"ContinuousBackupsDescription": {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED"}}}

        def list_backup_plans(self):
            return {"BackupPlansList": [{"BackupPlanId": "p1"}]}

        def list_backup_selections(self, BackupPlanId):
            return {"BackupSelectionsList": [{"SelectionId": "s1"}]}

        def get_backup_selection(self, BackupPlanId, SelectionId):
            return {"BackupSelection": {"Resources": [arn + "covered"]}}

    required = dataclasses.replace(SETTINGS, resilience=dataclasses.replace(SETTINGS.resilience, table_backup_required=True))
    rows = {rid: f for _t, rid, f in Account(lambda s: Stub()).collect([Table]).facts[Table]}
    assert evaluate("PRR-DDB-002", rows["covered"], required).status is Status.PASS
    assert evaluate("PRR-DDB-002", rows["bare"], required).status is Status.FAIL


def test_alarms_and_what_they_watch_are_audited(report):
    assert by(report, "PRR-ALARM-001", "app-fn-001").status is Status.PASS
    assert by(report, "PRR-ALARM-001", "app-fn-002").status is Status.FAIL  # its only alarm notifies no one
    assert by(report, "PRR-ALARM-001", "app-fn-003").status is Status.FAIL
    queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/"
    dlq = [f.result for f in report.findings if f.control_id == "PRR-ALARM-002" and f.resource_id == queue + "app-fn-001-dlq"]
    assert [r.status for r in dlq] == [Status.PASS]
    assert by(report, "PRR-ALARM-002", queue + "app-fn-003-dlq").status is Status.FAIL
    source = [f.result for f in report.findings if f.control_id == "PRR-ALARM-003" and f.resource_id == queue + "app-fn-001-in"]
    assert [r.status for r in source] == [Status.PASS]
    stages = [f.result.status for f in report.findings if f.control_id == "PRR-ALARM-004" and f.resource_id.startswith("arn:aws:apigateway")]
    assert sorted(s.value for s in stages) == ["FAIL", "PASS"]  # the REST stage has both alarms, the HTTP API stage none
    assert by(report, "PRR-ALARM-005", "app-fn-001-errors").status is Status.PASS
    assert by(report, "PRR-ALARM-005", "app-fn-002-errors").status is Status.FAIL
    # moto drops a deployment group's alarm configuration: app-fn-001's group watches nothing there
    assert by(report, "PRR-CODEDEPLOY-002", "app-fn-001").status is Status.FAIL
    assert by(report, "PRR-CODEDEPLOY-002", "app-fn-003").status is Status.NOT_APPLICABLE


def test_rollback_alarms_are_read_with_a_stand_in_for_moto():
    """moto drops alarmConfiguration from GetDeploymentGroup; a stand-in gives the group its alarms."""
    from prr_policies.controls import evaluate
    from prr_policies.facts import WatchedResource
    from prr_policies.sources.account import Account

    class Stub:
        def can_paginate(self, op):
            return False

        def describe_alarms(self):
            return {"MetricAlarms": [{"AlarmName": "f-errors", "Namespace": "AWS/Lambda", "MetricName": "Errors", "Threshold": 0,
                                      "ActionsEnabled": True, "AlarmActions": ["arn:aws:sns:eu-west-1:1:t"],
                                      "Dimensions": [{"Name": "FunctionName", "Value": "f"}]}]}

        def list_functions(self):
            return {"Functions": [{"FunctionName": n, "FunctionArn": f"arn:aws:lambda:eu-west-1:1:function:{n}"} for n in ("f", "g")]}

        def list_applications(self):
            return {"applications": ["app"]}

        def batch_get_applications(self, applicationNames):
            return {"applicationsInfo": [{"applicationName": "app", "computePlatform": "Lambda"}]}

        def list_deployment_groups(self, applicationName):
            return {"deploymentGroups": ["f", "g"]}

        def get_deployment_group(self, applicationName, deploymentGroupName):
            return {"deploymentGroupInfo": {"deploymentGroupName": deploymentGroupName,
                                            "deploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
                                            "alarmConfiguration": {"enabled": True, "alarms": [{"name": "f-errors"}]}}}

        def __getattr__(self, name):  # everything else is empty
            return lambda **kw: {}

    rows = {rid: f for _t, rid, f in Account(lambda s: Stub()).collect([WatchedResource]).facts[WatchedResource]}
    assert evaluate("PRR-CODEDEPLOY-002", rows["f"], SETTINGS).status is Status.PASS
    assert evaluate("PRR-CODEDEPLOY-002", rows["g"], SETTINGS).status is Status.FAIL  # g's group watches f's alarm


def test_api_gateway_resources_are_audited(report):
    statuses = lambda cid: sorted(f.result.status.value for f in report.findings if f.control_id == cid)  # noqa: E731
    assert statuses("PRR-APIGW-005") == ["FAIL", "PASS"]  # app-unlimited, app-partners
    assert statuses("PRR-APIGW-006") == ["FAIL", "PASS"]  # DELETE /orders/{id} has no authorizer
    assert statuses("PRR-APIGW-010") == ["FAIL", "PASS"]  # the REST domain accepts TLS 1.0, the HTTP API's uses TLS 1.2
    assert statuses("PRR-APIGW-011") == ["FAIL"]  # the private integration has no tls_config
    # moto does not implement ListResourcesForWebACL: whether the ACL protects a stage is UNKNOWN, naming the call
    [acl] = [f.result for f in report.findings if f.control_id == "PRR-APIGW-007"]
    assert acl.status is Status.UNKNOWN and "wafv2:ListResourcesForWebACL" in acl.reason


def test_web_acl_rules_are_read_with_a_stand_in_for_moto():
    """A stand-in answers ListResourcesForWebACL: the ACL on a stage with a rate-based rule but not
    the common rule set FAILs; one on no stage is NOT_APPLICABLE."""
    from prr_policies.controls import evaluate
    from prr_policies.facts import WebAcl
    from prr_policies.sources.account import Account

    class Stub:
        def can_paginate(self, op):
            return False

        def list_web_acls(self, Scope):
            return {"WebACLs": [{"Name": n, "Id": n, "ARN": f"arn:aws:wafv2:eu-west-1:1:regional/webacl/{n}/{n}"} for n in ("api", "alb")]}

        def get_web_acl(self, Name, Scope, Id):
            return {"WebACL": {"Rules": [{"Name": "rate", "Statement": {"RateBasedStatement": {"Limit": 2000}}}]}}

        def list_resources_for_web_acl(self, WebACLArn, ResourceType):
            return {"ResourceArns": ["arn:aws:apigateway:eu-west-1::/restapis/a/stages/prod"] if "/api/" in WebACLArn else []}

    rows = {rid: f for _t, rid, f in Account(lambda s: Stub()).collect([WebAcl]).facts[WebAcl]}
    api = evaluate("PRR-APIGW-007", rows["api"], SETTINGS)
    assert api.status is Status.FAIL and "AWSManagedRulesCommonRuleSet" in api.reason
    assert evaluate("PRR-APIGW-007", rows["alb"], SETTINGS).status is Status.NOT_APPLICABLE


def test_keys_and_iam_policies_are_audited(report):
    """Issue 13: a key pending deletion fails PRR-KMS-002 and its 7-day window PRR-KMS-003; a customer
    managed policy that may decrypt with every key fails PRR-KMS-004, an inline role policy naming its key
    passes. moto's ListPolicies leaves out PermissionsBoundaryUsageCount (AWS returns it), so there the
    boundary policy (Action "*") is judged as a granting policy; the stand-in below covers the boundary."""
    pending = [f for f in report.findings if f.control_id == "PRR-KMS-002" and f.result.status is Status.FAIL]
    assert len(pending) == 1 and "deletion" in pending[0].result.reason
    # DescribeKey gives the deletion date, not the waiting period chosen: 7 days left is below the
    # 30-day minimum, but the period may have been longer (PendingDeletionWindowInDays is reported
    # only for a multi-Region primary key pending replica deletion).
    window = [f for f in report.findings if f.control_id == "PRR-KMS-003" and f.resource_id == pending[0].resource_id]
    assert [f.result.status for f in window] == [Status.UNKNOWN] and "not the waiting period" in window[0].result.reason
    decrypt_all = [f for f in report.findings if f.control_id == "PRR-KMS-004" and f.result.resource.endswith("policy/app-orders-decrypt-all")]
    assert [f.result.status for f in decrypt_all] == [Status.FAIL]
    inline = [f for f in report.findings if f.control_id == "PRR-KMS-004" and f.result.resource.endswith("#decrypt-app-key")]
    assert [f.result.status for f in inline] == [Status.PASS]
    boundary = [f for f in report.findings if f.control_id == "PRR-KMS-004" and f.result.resource.endswith("policy/prr-app-boundary")]
    assert [f.result.status for f in boundary] == [Status.FAIL]  # moto: no PermissionsBoundaryUsageCount


def test_a_policy_used_only_as_a_boundary_grants_nothing_with_a_stand_in_for_moto():
    """AWS's ListPolicies gives AttachmentCount and PermissionsBoundaryUsageCount; moto omits the second.
    A stand-in client answers as AWS does: the boundary is NOT_APPLICABLE, the same policy attached is FAIL."""
    from prr_policies.controls import evaluate
    from prr_policies.settings import load_settings
    from prr_policies.sources import live
    from prr_policies.sources.account import Account

    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})

    class Iam:
        def can_paginate(self, op):
            return False

        def list_policies(self, **kw):
            return {"Policies": [
                {"PolicyName": "b", "PolicyId": "B", "Arn": "arn:aws:iam::1:policy/b", "DefaultVersionId": "v1",
                 "AttachmentCount": 0, "PermissionsBoundaryUsageCount": 4},
                {"PolicyName": "g", "PolicyId": "G", "Arn": "arn:aws:iam::1:policy/g", "DefaultVersionId": "v1",
                 "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 4}]}

        def get_policy_version(self, **kw):
            return {"PolicyVersion": {"Document": doc}}

        def list_roles(self, **kw):
            return {"Roles": []}

    rows = live.iam_policies(Account(lambda service: Iam()))
    verdicts = {rid: evaluate("PRR-KMS-004", facts, load_settings()).status for _, rid, facts in rows}
    assert verdicts == {"B": Status.NOT_APPLICABLE, "G": Status.FAIL}


def test_function_idempotency_is_audited(report):
    """Issue 13: every function is fed by SQS; the good ones (also invoked asynchronously, with an
    invoke config) carry the idempotency tag, the broken ones do not."""
    good = by(report, "PRR-LAMBDA-022", "app-fn-001")
    assert good.status is Status.PASS and "async" in good.reason and "sqs" in good.reason
    assert by(report, "PRR-LAMBDA-022", "app-fn-000").status is Status.FAIL


def test_the_accounts_budgets_are_audited(report):
    """Issue 13: one finding for the account; the monthly cost budget within the KPI that notifies passes
    it although another budget notifies no one."""
    found = [f for f in report.findings if f.control_id == "PRR-COST-001"]
    assert [(f.resource_type, f.resource_id, f.result.status) for f in found] == [("AWS::::Account", aws_stack.ACCOUNT, Status.PASS)]
    assert "app-orders-monthly" in found[0].result.reason


def test_provisioned_concurrency_is_audited_per_function(report):
    """Issue 13 (PRR-LAMBDA-021): moto 5.2.5 has no ListProvisionedConcurrencyConfigs, so every function
    is UNKNOWN naming the call (never NOT_APPLICABLE); the configs' reading is covered with a stand-in
    client in tests/test_rules_concurrency.py."""
    found = [f for f in report.findings if f.control_id == "PRR-LAMBDA-021"]
    assert len(found) == 200 and {f.resource_type for f in found} == {"AWS::Lambda::Function"}
    assert all(f.result.status is Status.UNKNOWN and "lambda:ListProvisionedConcurrencyConfigs" in f.result.reason for f in found)


def test_guardduty_and_inspector_are_audited_on_the_account(report):
    """Issue 13: one finding per control for the account; moto's detector has Lambda Protection on
    and Inspector's Lambda standard scanning is activated."""
    for control, words in (("PRR-ACCOUNT-001", "LAMBDA_NETWORK_LOGS"), ("PRR-ACCOUNT-002", "LAMBDA is ENABLED")):
        found = [f for f in report.findings if f.control_id == control]
        assert [(f.resource_type, f.resource_id, f.result.status) for f in found] == [("AWS::::Account", aws_stack.ACCOUNT, Status.PASS)]
        assert words in found[0].result.reason
