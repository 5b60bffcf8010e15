"""Issue 13's provisioned concurrency rule (PRR-LAMBDA-021): on hand-made facts, the Terraform builder's
graph lookups, and the audit's reader (moto 5.2.5 implements put/get_function_concurrency but not
PutProvisionedConcurrencyConfig or ListProvisionedConcurrencyConfigs: the moto account shows the
reader's UNKNOWN, a stand-in client shows its reading)."""

from __future__ import annotations

import dataclasses

import pytest

from prr_policies.controls import evaluate
from prr_policies.errors import InputError
from prr_policies.facts import ProvisionedConcurrency, Unknown
from prr_policies.result import Status
from prr_policies.settings import load_settings
from prr_policies.sources.terraform import ResourceGraph, Vertex
from prr_policies.sources.terraform import plan_reading as pr

S = load_settings()
U = Unknown("test")
P, F, NA, UNK = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN
LIVE = ProvisionedConcurrency("pc", "fn", "live", "alias", 10, 10, 50)
VERSIONS = dataclasses.replace(S, release=dataclasses.replace(S.release, provisioned_concurrency_on_versions=True))


@pytest.mark.parametrize("facts, settings, expected, says", [
    (LIVE, S, P, "fit in its reserved 50"),
    (dataclasses.replace(LIVE, reserved=None), S, P, "unreserved pool"),
    (dataclasses.replace(LIVE, provisioned_total=50, reserved=50), S, P, "50 over"),  # equal is allowed
    (dataclasses.replace(LIVE, qualifier="$LATEST", qualifier_kind="latest"), S, F, "Terraform plans it"),
    (dataclasses.replace(LIVE, qualifier="3", qualifier_kind="version"), S, F, "version 3, not on an alias"),
    (dataclasses.replace(LIVE, qualifier="3", qualifier_kind="version"), VERSIONS, P, "settings allow versions"),
    # the sum over the function's configs counts, not this config alone
    (dataclasses.replace(LIVE, amount=6, provisioned_total=12, reserved=10), S, F, "adds up to 12"),
    (dataclasses.replace(LIVE, reserved=0), S, F, "reserved concurrency of 0"),
    # a known violation is a FAIL even when the other configs' amounts are unknown
    (dataclasses.replace(LIVE, amount=30, provisioned_total=U, reserved=20), S, F, "adds up to 30"),
    (dataclasses.replace(LIVE, provisioned_total=U), S, UNK, "cannot be determined"),
    (dataclasses.replace(LIVE, reserved=U), S, UNK, "Reserved concurrency"),
    (dataclasses.replace(LIVE, qualifier=U, qualifier_kind=U), S, UNK, "Qualifier"),
    (dataclasses.replace(LIVE, amount=U), S, UNK, "Amount"),
    (ProvisionedConcurrency("fn", "fn"), S, NA, "no provisioned concurrency"),
])
def test_provisioned_concurrency(facts, settings, expected, says):
    got = evaluate("PRR-LAMBDA-021", facts, settings)
    assert got.status is expected and says in got.reason, got


def test_the_versions_setting_also_governs_the_release_path():
    """PRR-LAMBDA-014 flags provisioned concurrency on versions; with the setting that allows versions it
    no longer does (one setting, one answer across both controls)."""
    from prr_policies.facts import FunctionRelease

    r = FunctionRelease("fn", True, ("live",), ("3",))
    assert evaluate("PRR-LAMBDA-014", r, S).status is F
    assert evaluate("PRR-LAMBDA-014", r, VERSIONS).status is P


def test_the_versions_setting_must_be_a_boolean(tmp_path):
    f = tmp_path / "prr.yaml"
    f.write_text("version: 1\nrelease:\n  provisioned_concurrency_on_versions: sometimes\n")
    with pytest.raises(InputError) as e:
        load_settings(f)
    assert "provisioned_concurrency_on_versions" in str(e.value)


def test_references_resolve_in_a_graph_keyed_by_root():
    """Issue 13: the graph keys its vertices by root module and address, and plan_reading.resolve looked
    the bare address up in ``vertices``, so it found nothing and a partner named by reference (not by a
    name checkov rendered) was missed. Given the referring resource's root it finds it now (the
    provisioned concurrency builder passes it; the older builders still call it without one)."""
    g = ResourceGraph()
    fn = Vertex("aws_lambda_function.f", "aws_lambda_function", {}, "/stack/main.tf")
    g.add(fn)
    assert pr.resolve(g, "aws_lambda_function.f", "/stack") is fn
    assert pr.resolve(g, "module.m.aws_lambda_function.f", "/stack") is fn  # rendered from a caller: outer prefixes tried
    assert pr.resolve(g, "aws_lambda_function.f", "/other") is None
    g.add(Vertex("aws_lambda_function.f", "aws_lambda_function", {}, "/other/main.tf"))
    assert pr.resolve(g, "aws_lambda_function.f", "/stack") is fn


class _Lambda:
    """A Lambda client standing in for AWS where moto has no provisioned concurrency."""

    def __init__(self, configs: dict, reserved: dict):
        self.configs, self.reserved = configs, reserved

    def can_paginate(self, op):
        return False

    def list_functions(self):
        return {"Functions": [{"FunctionName": n, "FunctionArn": f"arn:aws:lambda:eu-west-1:123456789012:function:{n}"}
                              for n in ("api", "tight", "idle")]}

    def list_provisioned_concurrency_configs(self, FunctionName):
        arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{FunctionName}"
        return {"ProvisionedConcurrencyConfigs": [{"FunctionArn": f"{arn}:{q}", "RequestedProvisionedConcurrentExecutions": n}
                                                  for q, n in self.configs.get(FunctionName, [])]}

    def get_function_concurrency(self, FunctionName):
        r = self.reserved.get(FunctionName)
        return {} if r is None else {"ReservedConcurrentExecutions": r}


def test_the_audit_reads_each_config_and_the_reservation_with_a_stand_in():
    from prr_policies.sources.account import Account

    lam = _Lambda({"api": [("live", 10)], "tight": [("blue", 6), ("7", 6)]}, {"tight": 10})
    snap = Account(lambda s: lam).collect([ProvisionedConcurrency])
    rows = {rid: facts for _t, rid, facts in snap.facts[ProvisionedConcurrency]}
    assert set(rows) == {"api:live", "tight:blue", "tight:7", "idle"}
    assert rows["tight:7"].qualifier_kind == "version" and rows["tight:blue"].provisioned_total == 12
    got = {rid: evaluate("PRR-LAMBDA-021", f, S).status for rid, f in rows.items()}
    assert got == {"api:live": P, "tight:blue": F, "tight:7": F, "idle": NA}
    assert ("lambda", "get_function_concurrency") in snap.calls and not snap.failed
    from prr_policies.sources.aws_api import AUDIT_PERMISSIONS
    assert {"lambda:ListProvisionedConcurrencyConfigs", "lambda:GetFunctionConcurrency"} <= set(AUDIT_PERMISSIONS)


def test_a_function_whose_configs_cannot_be_listed_is_unknown_in_moto(monkeypatch):
    """moto 5.2.5 does not implement ListProvisionedConcurrencyConfigs: the function is UNKNOWN and the
    reason names the call, never NOT_APPLICABLE."""
    import boto3
    from moto import mock_aws

    from prr_policies.sources.account import Account

    for k, v in {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(k, v)
    with mock_aws():
        iam, lam = boto3.client("iam"), boto3.client("lambda")
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("index.py", "def handler(e, c):\n    return 1\n")
        lam.create_function(FunctionName="fn", Runtime="python3.12", Role=role, Handler="index.handler", Code={"ZipFile": buf.getvalue()})
        lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=5)
        snap = Account(lambda s: boto3.client(s, region_name="eu-west-1")).collect([ProvisionedConcurrency])
    [(_t, rid, facts)] = snap.facts[ProvisionedConcurrency]
    got = evaluate("PRR-LAMBDA-021", facts, S)
    assert rid == "fn" and got.status is UNK and "lambda:ListProvisionedConcurrencyConfigs" in got.reason
