"""End to end: the workflow's release steps (`python -m prr_policies.pipeline`) against moto (S3
versioned objects, Lambda versions and aliases, CloudWatch alarms, Security Hub) plus the
documented fakes in tests/pipeline_fakes.py for Signer jobs, code signing configs, Invoke and
CodeDeploy's deployment lifecycle.

A good canary shifts 10 % and then everything; an alarm during the canary rolls the alias
back; an unsigned or wrongly signed package is refused before anything changes; the emergency
path (all at once) only with a reason and a ticket, and never unsigned."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from moto import mock_aws

from prr_policies.cli import main as prr_main
from prr_policies.pipeline import __main__ as cli
from prr_policies.pipeline import hooks
from prr_policies.pipeline import release as rel

from .pipeline_fakes import FakeCodeDeploy, FakeLambda, FakeSigner

REGION, ACCOUNT = "eu-west-1", "123456789012"
FN, ALIAS, APP, GROUP = "app-orders-api", "live", "app-orders", "app-orders-api-live"
BUCKET, PROFILE = "app-orders-artifacts", "orders_release"
CANARY = "CodeDeployDefault.LambdaCanary10Percent5Minutes"


def package(text: str = "def handler(e, c):\n    return {'ok': True}\n") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", text)
    return buf.getvalue()


class World:
    """moto plus the fakes, wired as the `client(name)` factory the release steps take."""

    def __init__(self):
        b = lambda name: boto3.client(name, region_name=REGION)  # noqa: E731
        self.s3, self.cw, self.sh = b("s3"), b("cloudwatch"), b("securityhub")
        self.lam = FakeLambda(b("lambda"))
        self.signer = FakeSigner(b("signer"), self.s3)
        self.cd = FakeCodeDeploy(self.lam, self.cw, hooks={
            "app-orders-smoke": lambda event: hooks.lambda_handler(event, None, client=self.client)})
        self.sleeps: list[float] = []

    def client(self, name: str):
        return {"s3": self.s3, "cloudwatch": self.cw, "lambda": self.lam, "signer": self.signer, "codedeploy": self.cd,
                "securityhub": self.sh}[name]

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def alias(self) -> dict:
        a = self.lam.get_alias(FunctionName=FN, Name=ALIAS)
        return {"FunctionVersion": a["FunctionVersion"],
                "AdditionalVersionWeights": a.get("RoutingConfig", {}).get("AdditionalVersionWeights", {})}

    def versions(self) -> list[str]:
        return [v["Version"] for v in self.lam.list_versions_by_function(FunctionName=FN)["Versions"]]

    def signed(self, profile: str = PROFILE) -> rel.Release:
        r = rel.upload(self.s3, BUCKET, "builds/42.zip", package())
        r.job_id = rel.start_signing(self.signer, r, profile, BUCKET, "signed/")
        rel.wait_signing(self.signer, r.job_id, self.sleep)
        return r


@pytest.fixture
def world(monkeypatch):
    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION,
                 "AWS_REGION": REGION}.items():
        monkeypatch.setenv(k, v)
    with mock_aws():
        w = World()
        w.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        w.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        role = boto3.client("iam").create_role(RoleName=FN, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        w.lam.create_function(FunctionName=FN, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": package("v1")})
        v1 = w.lam.publish_version(FunctionName=FN)["Version"]
        w.lam.create_alias(FunctionName=FN, Name=ALIAS, FunctionVersion=v1)
        profile = w.signer.put_signing_profile(profileName=PROFILE, platformId=rel.LAMBDA_PLATFORM)
        w.signer.put_signing_profile(profileName="someone_else", platformId=rel.LAMBDA_PLATFORM)
        w.lam.csc[FN] = {"CodeSigningConfigArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:code-signing-config:csc-0a1b2c3d4e5f67890",
                         "AllowedPublishers": {"SigningProfileVersionArns": [profile["profileVersionArn"]]},
                         "CodeSigningPolicies": {"UntrustedArtifactOnDeployment": "Enforce"}}
        w.cd.groups[(APP, GROUP)] = {
            "applicationName": APP, "deploymentGroupName": GROUP, "deploymentConfigName": CANARY, "computePlatform": "Lambda",
            "alarmConfiguration": {"enabled": True, "alarms": [{"name": rel.canary_alarm_name(FN, ALIAS)}]},
            "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]}}
        yield w


def deploy(w: World, r: rel.Release, **kw) -> rel.Outcome:
    return rel.deploy(w.client, r, FN, ALIAS, APP, GROUP, sleep=w.sleep, hooks=kw.pop("hooks", {
        "BeforeAllowTraffic": "app-orders-smoke", "AfterAllowTraffic": "app-orders-smoke"}), **kw)


def test_a_good_canary_shifts_traffic_gradually_and_completes(world):
    r = rel.sign(world.client, rel.upload(world.s3, BUCKET, "builds/42.zip", package()), PROFILE, BUCKET, "signed/", FN, world.sleep)
    assert world.sleeps, "the signing job was polled until it finished"
    out = deploy(world, r)
    assert out.status == "Succeeded" and (out.from_version, out.to_version) == ("1", "2")
    steps = [(step, routing) for _, step, routing in world.cd.alias_history]
    assert steps[0] == ("shift 10%", {"FunctionVersion": "1", "AdditionalVersionWeights": {"2": 0.1}})
    assert steps[-1] == ("shift 100%", {"FunctionVersion": "2", "AdditionalVersionWeights": {}})
    assert world.alias() == {"FunctionVersion": "2", "AdditionalVersionWeights": {}}
    # the hooks invoked the new version, not the alias
    assert world.lam.invocations == [(FN, "2"), (FN, "2")]
    # the group's alarm watches the new version only
    (alarm,) = world.cw.describe_alarms(AlarmNames=[rel.canary_alarm_name(FN, ALIAS)])["MetricAlarms"]
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {"FunctionName": FN, "Resource": f"{FN}:{ALIAS}", "ExecutedVersion": "2"}
    # the deployed code is the signed object
    code = world.lam.get_function(FunctionName=FN, Qualifier="2")["Configuration"]["CodeSha256"]
    signed = world.s3.get_object(Bucket=r.signed_bucket, Key=r.signed_key)["Body"].read()
    import base64
    import hashlib
    assert code == base64.b64encode(hashlib.sha256(signed).digest()).decode()


def test_an_alarm_during_the_canary_rolls_the_alias_back(world):
    r = world.signed()

    def fire(dep, step):
        if step == "shift 10":  # errors of the new version while it takes 10 %
            world.cw.set_alarm_state(AlarmName=rel.canary_alarm_name(FN, ALIAS), StateValue="ALARM", StateReason="errors")

    world.cd.on_step = fire
    out = deploy(world, rel.verify(world.client, r, FN))
    assert out.status == "Stopped" and "ALARM_ACTIVE" not in out.detail and "rolled back" in out.detail
    assert [s for _, s, _ in world.cd.alias_history] == ["shift 10%", "rollback"]
    assert world.alias() == {"FunctionVersion": "1", "AdditionalVersionWeights": {}}


def test_a_failing_pre_traffic_hook_leaves_the_alias_untouched(world):
    world.lam.unhealthy.add(f"{FN}:2")
    out = deploy(world, rel.verify(world.client, world.signed(), FN))
    assert out.status == "Failed" and "BeforeAllowTraffic" in out.detail
    assert [s for _, s, _ in world.cd.alias_history] == ["rollback"]
    assert world.alias()["FunctionVersion"] == "1"


def refused_without_change(world, match, fn):
    versions, deployments = world.versions(), dict(world.cd.deployments)
    with pytest.raises(rel.Refused, match=match):
        fn()
    assert world.versions() == versions and world.cd.deployments == deployments
    assert world.alias() == {"FunctionVersion": "1", "AdditionalVersionWeights": {}}


def test_an_unsigned_package_is_refused_before_deploy(world):
    unsigned = rel.upload(world.s3, BUCKET, "builds/43.zip", package("evil"))
    refused_without_change(world, "never signed", lambda: deploy(world, unsigned))
    # a release record pointing at the unsigned upload with another package's job
    r = world.signed()
    forged = rel.Release(unsigned.bucket, unsigned.key, unsigned.version_id, unsigned.sha256, r.job_id)
    refused_without_change(world, "not the uploaded", lambda: deploy(world, forged))


def test_a_wrongly_signed_package_is_refused_before_deploy(world):
    r = world.signed(profile="someone_else")
    refused_without_change(world, "signature that the client is not configured to accept", lambda: deploy(world, r))
    with pytest.raises(rel.Refused, match="does not accept"):
        rel.sign(world.client, rel.upload(world.s3, BUCKET, "b/1.zip", package()), "someone_else", BUCKET, "signed/", FN, world.sleep)


def test_revoked_failed_or_unenforced_signing_is_refused(world):
    r = world.signed()
    world.signer.revoke_signature(jobId=r.job_id, reason="key compromise")
    refused_without_change(world, "revoked", lambda: deploy(world, r))
    world.signer.fail = True
    with pytest.raises(rel.Refused, match="failed"):
        world.signed()
    world.signer.fail = False
    world.lam.csc[FN]["CodeSigningPolicies"]["UntrustedArtifactOnDeployment"] = "Warn"
    refused_without_change(world, "must be Enforce", lambda: deploy(world, world.signed()))
    del world.lam.csc[FN]
    refused_without_change(world, "no code signing config", lambda: deploy(world, world.signed()))


def test_signer_needs_a_versioned_bucket(world):
    world.s3.create_bucket(Bucket="plain-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    with pytest.raises(rel.Refused, match="versioning is off; AWS Signer signs only versioned S3 objects"):
        rel.upload(world.s3, "plain-bucket", "k.zip", package())


def test_release_path_checks(world):
    group = world.cd.groups[(APP, GROUP)]
    r = world.signed()
    # an alarm on the function across versions would roll the canary back for the old version's errors
    world.cw.put_metric_alarm(AlarmName="fn-errors", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60,
                              EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold",
                              Dimensions=[{"Name": "FunctionName", "Value": FN}])
    group["alarmConfiguration"]["alarms"].append({"name": "fn-errors"})
    refused_without_change(world, "across versions", lambda: deploy(world, r))
    group["alarmConfiguration"]["alarms"].pop()
    group["autoRollbackConfiguration"]["events"] = ["DEPLOYMENT_FAILURE"]
    refused_without_change(world, "DEPLOYMENT_STOP_ON_ALARM", lambda: deploy(world, r))
    group["autoRollbackConfiguration"]["events"].append("DEPLOYMENT_STOP_ON_ALARM")
    group["alarmConfiguration"]["alarms"] = [{"name": "something-else"}]
    refused_without_change(world, "alarm on the new version only", lambda: deploy(world, r))
    group["alarmConfiguration"] = {"enabled": False, "alarms": []}
    refused_without_change(world, "watches no alarm", lambda: deploy(world, r))
    group["alarmConfiguration"] = {"enabled": True, "alarms": [{"name": rel.canary_alarm_name(FN, ALIAS)}]}
    world.lam.provisioned[FN] = [{"FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FN}:1"}]
    refused_without_change(world, "Configure it on the alias", lambda: deploy(world, r))
    world.lam.provisioned[FN] = [{"FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FN}:{ALIAS}"}]
    assert deploy(world, r).status == "Succeeded"


def test_linear_config_shifts_in_steps(world):
    out = deploy(world, world.signed(), config="CodeDeployDefault.LambdaLinear10PercentEvery1Minute")
    assert out.status == "Succeeded"
    weights = [routing.get("AdditionalVersionWeights", {}).get("2") for _, s, routing in world.cd.alias_history if s != "shift 100%"]
    assert weights == [pytest.approx(p / 100) for p in range(10, 100, 10)]


def test_all_at_once_is_only_the_emergency_path(world):
    r = world.signed()
    refused_without_change(world, "emergency path only", lambda: deploy(world, r, config="CodeDeployDefault.LambdaAllAtOnce"))
    world.cd.groups[(APP, GROUP)]["deploymentConfigName"] = "CodeDeployDefault.LambdaAllAtOnce"
    refused_without_change(world, "emergency path only", lambda: deploy(world, r))
    with pytest.raises(rel.Refused, match="ticket"):
        rel.Emergency("payment outage, hotfix for the timeout", "tomorrow")
    with pytest.raises(rel.Refused, match="reason"):
        rel.Emergency("", "INC-1234")
    emergency = rel.Emergency("payment outage, hotfix for the timeout", "INC-1234")
    unsigned = rel.upload(world.s3, BUCKET, "builds/hotfix.zip", package("hotfix"))
    refused_without_change(world, "never signed", lambda: deploy(world, unsigned, emergency=emergency))
    out = deploy(world, r, emergency=emergency)
    assert out.status == "Succeeded"
    assert [s for _, s, _ in world.cd.alias_history] == ["shift 100%"]
    assert world.cd.deployments[out.deployment_id]["description"].startswith("EMERGENCY INC-1234: payment outage")
    assert world.cd.deployments[out.deployment_id]["deploymentConfigName"] == "CodeDeployDefault.LambdaAllAtOnce"


def test_manual_rollback(world):
    assert deploy(world, world.signed()).status == "Succeeded"
    assert world.alias()["FunctionVersion"] == "2"
    with pytest.raises(rel.Refused, match="--to-version"):
        rel.rollback(world.client, FN, ALIAS, APP, GROUP, None, world.sleep)
    out = rel.rollback(world.client, FN, ALIAS, APP, GROUP, "1", world.sleep)
    assert out.status == "Succeeded" and world.alias() == {"FunctionVersion": "1", "AdditionalVersionWeights": {}}
    # in flight: stop with rollback
    r = world.signed()
    dep = rel.start_deployment(world.cd, APP, GROUP, rel.appspec(FN, ALIAS, "1", "2", {}), CANARY, "x")
    world.cd.get_deployment(deploymentId=dep)  # 10 % shifted
    assert world.alias()["AdditionalVersionWeights"] == {"2": 0.1}
    out = rel.rollback(world.client, FN, ALIAS, APP, GROUP, None, world.sleep)
    assert out.status == "Stopped" and world.alias() == {"FunctionVersion": "1", "AdditionalVersionWeights": {}}
    assert r.job_id


def test_the_command_line_signs_deploys_and_audits_into_security_hub(world, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "_client", lambda: world.client)
    monkeypatch.setattr(rel, "pause", world.sleep)
    pkg = tmp_path / "pkg.zip"
    pkg.write_bytes(package())
    record = tmp_path / "release.json"
    assert cli.main(["sign", "--package", str(pkg), "--bucket", BUCKET, "--key", "builds/44.zip", "--profile", PROFILE,
                     "--function", FN, "--out", str(record)]) == 0
    assert json.loads(record.read_text())["job_id"]
    args = ["deploy", "--release", str(record), "--function", FN, "--application", APP, "--deployment-group", GROUP,
            "--before-hook", "app-orders-smoke"]
    assert cli.main(args + ["--deployment-config", "CodeDeployDefault.LambdaAllAtOnce"]) == 1
    assert "emergency path only" in capsys.readouterr().err
    assert cli.main(args + ["--ticket", "INC-1"]) == 1 and "reason" in capsys.readouterr().err
    assert cli.main(args) == 0
    assert "Succeeded" in capsys.readouterr().out and world.alias()["FunctionVersion"] == "2"
    # the workflow's last step: the audit of the released function, imported into Security Hub
    code = prr_main(["audit", "--region", REGION, "--function", FN, "-o", "json", "--security-hub"])
    assert code == 1  # moto's function lacks tracing, a DLQ, ... : findings
    stored = [f for page in world.sh.get_paginator("get_findings").paginate() for f in page["Findings"]]
    mine = {f["GeneratorId"]: f for f in stored if f["Resources"][0]["Id"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FN}"}
    assert mine["prr-policies/PRR-LAMBDA-001"]["Compliance"]["Status"] == "FAILED"
    assert mine["prr-policies/PRR-LAMBDA-001"]["Resources"][0]["Type"] == "AwsLambdaFunction"


def test_a_hook_that_cannot_run_reports_failed():
    class CodeDeploy:
        reported = None

        def get_deployment(self, deploymentId):
            raise RuntimeError("throttled")

        def put_lifecycle_event_hook_execution_status(self, **kw):
            CodeDeploy.reported = kw

    assert hooks.run(CodeDeploy(), None, {"DeploymentId": "d-1", "LifecycleEventHookExecutionId": "h-1"}) == "Failed"
    assert CodeDeploy.reported == {"deploymentId": "d-1", "lifecycleEventHookExecutionId": "h-1", "status": "Failed"}
