"""Security Hub import: batches of at most 100, failed findings reported, and
`prr-policies audit -o asff --security-hub` into moto's Security Hub with GetFindings
returning the compliance status and resources intact."""

from __future__ import annotations

import json
import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from prr_policies import asff, audit, security_hub
from prr_policies.cli import main
from prr_policies.errors import InputError
from prr_policies.settings import load_settings
from tests import aws_stack
from tests.conftest import STACKS

from .test_asff import CTX, FN, report
from prr_policies.result import Status


def many(n):
    return asff.from_audit(report(*[("PRR-LAMBDA-001", "AWS::Lambda::Function", f"f{i}", f"{FN}-{i}", Status.FAIL, "r")
                                     for i in range(n)]), CTX)


class Recorder:
    """A securityhub client that records each call and answers like the service."""

    def __init__(self, fail_ids=(), refuse_call=None):
        self.calls, self.fail_ids, self.refuse_call = [], set(fail_ids), refuse_call

    def batch_import_findings(self, Findings):
        self.calls.append(len(Findings))
        if self.refuse_call is not None and len(self.calls) == self.refuse_call:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "BatchImportFindings")
        failed = [{"Id": f["Id"], "ErrorCode": "InvalidInput", "ErrorMessage": "Finding Id is bad"} for f in Findings
                  if f["Id"] in self.fail_ids]
        return {"SuccessCount": len(Findings) - len(failed), "FailedCount": len(failed), "FailedFindings": failed}


def test_batches_hold_at_most_100_findings():
    """moto accepts 101 findings in one call (AWS does not): the limit is ours to keep."""
    rec = Recorder()
    result = security_hub.import_findings(rec, many(250))
    assert rec.calls == [100, 100, 50] and result.imported == 250 and result.ok and result.batches == 3
    with pytest.raises(ValueError):
        list(security_hub.batches(many(3), 101))


def test_failed_findings_and_refused_batches_are_reported():
    found = many(150)
    rec = Recorder(fail_ids={found[3]["Id"]}, refuse_call=2)
    result = security_hub.import_findings(rec, found)
    assert result.imported == 99 and not result.ok
    assert result.failed[0] == {"Id": found[3]["Id"], "ErrorCode": "InvalidInput", "ErrorMessage": "Finding Id is bad"}
    assert [f["ErrorCode"] for f in result.failed[1:]] == ["AccessDeniedException"] * 50
    assert "99 finding(s) imported in 2 batch(es), 51 failed" in result.summary()


def test_an_invalid_finding_stops_the_import_before_any_call():
    found = many(2)
    found[1]["Compliance"]["Status"] = "BOGUS"
    rec = Recorder()
    with pytest.raises(InputError, match=r"\[1\].Compliance.Status"):
        security_hub.import_findings(rec, found)
    assert rec.calls == []


def get_all_findings(client):
    pages = client.get_paginator("get_findings").paginate()
    return {f["Id"]: f for page in pages for f in page["Findings"]}


@pytest.fixture
def moto_account(monkeypatch):
    for k, v in {"AWS_REGION": aws_stack.REGION, "AWS_DEFAULT_REGION": aws_stack.REGION, "AWS_ACCESS_KEY_ID": "testing",
                 "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(k, v)
    with mock_aws():
        yield aws_stack.build(5)


def test_audit_asff_security_hub_round_trip(moto_account, capsys):
    code = main(["audit", "--region", aws_stack.REGION, "-o", "asff", "--security-hub"])
    out, err = capsys.readouterr()
    assert code == 1, err  # the stack has failing controls
    printed = json.loads(out)["Findings"]
    assert asff.validate_all(printed) == [] and len(printed) > 100  # more than one batch
    assert f"{len(printed)} finding(s) imported in {(len(printed) + 99) // 100} batch(es), 0 failed" in err
    stored = get_all_findings(boto3.client("securityhub", region_name=aws_stack.REGION))
    assert set(stored) == {f["Id"] for f in printed}
    for f in printed:
        s = stored[f["Id"]]
        assert s["Compliance"]["Status"] == f["Compliance"]["Status"]
        assert s["Compliance"]["RelatedRequirements"] == f["Compliance"]["RelatedRequirements"]
        assert s["Resources"] == f["Resources"]
        assert s["Severity"]["Label"] == f["Severity"]["Label"]
    # the same results as the audit itself, finding by finding
    rep = audit.run(aws_stack.client, load_settings())
    expected = {asff.finding_id(asff.Context(aws_stack.ACCOUNT, aws_stack.REGION), r.control_id, r.result.resource):
                asff.COMPLIANCE[r.result.status] for r in rep.findings}
    assert {i: s["Compliance"]["Status"] for i, s in stored.items()} == expected
    failing = [s for s in stored.values() if s["Compliance"]["Status"] == "FAILED"]
    assert failing and {"AwsLambdaFunction", "AwsSqsQueue", "AwsIamRole"} <= {s["Resources"][0]["Type"] for s in stored.values()}


def test_a_second_import_updates_the_same_findings(moto_account, capsys):
    for _ in range(2):
        main(["audit", "--region", aws_stack.REGION, "--function", "app-fn-001", "-o", "json", "--security-hub"])
        out = json.loads(capsys.readouterr().out)
    stored = get_all_findings(boto3.client("securityhub", region_name=aws_stack.REGION))
    assert len(stored) == len(out["results"]) > 10


def test_audit_exits_3_when_findings_are_not_imported(moto_account, monkeypatch, capsys):
    def refuse(client, findings, size=100):
        return security_hub.ImportResult(imported=0, failed=[{"Id": f["Id"], "ErrorCode": "AccessDeniedException",
                                                              "ErrorMessage": "no"} for f in findings], batches=1)

    monkeypatch.setattr(security_hub, "import_findings", refuse)
    assert main(["audit", "--region", aws_stack.REGION, "--function", "app-fn-001", "--security-hub"]) == 3
    out, err = capsys.readouterr()
    assert "PRR-LAMBDA-001" in out  # the table is still printed
    assert "AccessDeniedException" in err


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "prr_policies.cli", *args], capture_output=True, text=True, env=env)


def test_scan_asff_output(monkeypatch):
    import os

    env = dict(os.environ, AWS_REGION="eu-west-1", AWS_ACCOUNT_ID="123456789012")
    proc = cli("scan", str(STACKS / "noncompliant"), "-o", "asff", "--only-prr", env=env)
    assert proc.returncode == 1, proc.stderr
    found = json.loads(proc.stdout)["Findings"]
    assert asff.validate_all(found) == []
    failed = {(f["GeneratorId"], f["Resources"][0]["Details"]["Other"]["TerraformAddress"]) for f in found
              if f["Compliance"]["Status"] == "FAILED"}
    assert ("prr-policies/PRR-LAMBDA-001", "aws_lambda_function.api_handler") in failed
    env.pop("AWS_REGION")
    env.pop("AWS_DEFAULT_REGION", None)
    proc = cli("scan", str(STACKS / "noncompliant"), "-o", "asff", "--only-prr", env=env)
    assert proc.returncode == 2 and "set AWS_REGION" in proc.stderr
