"""Round trip through a moto account: attach the generated SCPs to an organization, create the
deploy role with its boundary, collect everything back with the account collector, and get the
same decisions as in memory."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from prr_policies.guardrails import proofs
from prr_policies.iam import PolicySet, Request, policy_set
from prr_policies.iam.collector import collect
from prr_policies.settings import load_settings

from .conftest import EXAMPLE

SETTINGS = load_settings(EXAMPLE / "prr.yaml")
G = SETTINGS.guardrails
DOCS = proofs.artifacts(SETTINGS)
A = "123456789012"  # moto's account


@pytest.fixture
def org_account():
    with mock_aws():
        org = boto3.client("organizations", region_name="us-east-1")
        org.create_organization(FeatureSet="ALL")
        root = org.list_roots()["Roots"][0]["Id"]
        org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
        workloads = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
        prod = org.create_organizational_unit(ParentId=workloads, Name="prod")["OrganizationalUnit"]["Id"]
        member = org.create_account(Email="orders@example.com", AccountName="orders-prod")["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=prod)
        for path in sorted(p for p in DOCS if p.startswith("scp/")):
            text = (EXAMPLE / path).read_text()
            pid = org.create_policy(Content=text, Description="prr", Name=Path(path).stem, Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
            org.attach_policy(PolicyId=pid, TargetId=workloads)
        iam = boto3.client("iam", region_name="us-east-1")
        app = G.application
        for name in (app.ci_boundary_policy, app.boundary_policy):
            iam.create_policy(PolicyName=name, PolicyDocument=(EXAMPLE / f"boundaries/{name}.json").read_text())
        role = G.pipeline_roles[0]
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust),
                        PermissionsBoundary=f"arn:aws:iam::{A}:policy/{app.ci_boundary_policy}")
        iam.put_role_policy(RoleName=role, PolicyName="deploy", PolicyDocument=(EXAMPLE / f"roles/{role}.json").read_text())
        yield {"org": org, "iam": iam, "member": member, "levels": 4}


def _moto_request(r: Request) -> Request:
    """The same request, made in moto's account."""
    swap = lambda v: v.replace(proofs.ACCOUNT, A) if isinstance(v, str) else [x.replace(proofs.ACCOUNT, A) for x in v]  # noqa: E731
    return Request(swap(r.principal), r.action, swap(r.resource), A, A, {k: swap(v) for k, v in r.context.items()})


def test_collected_guardrails_decide_like_the_generated_ones(org_account):
    role = G.pipeline_roles[0]
    got = collect(org_account["iam"], f"arn:aws:sts::{A}:assumed-role/{role}/release-42",
                  organizations=org_account["org"], account_id=org_account["member"], rcps=False)
    p = got.policies
    assert len(p["scps"]) == 4  # root, workloads, prod, account
    ours = [d for d in p["scps"][1] if all(st["Effect"] == "Deny" for st in d["Statement"])]
    assert ours == [json.loads((EXAMPLE / k).read_text()) for k in sorted(DOCS) if k.startswith("scp/")]
    assert p["boundary"] == DOCS[f"boundaries/{G.application.ci_boundary_policy}.json"]
    assert p["identity"] == [DOCS[f"roles/{role}.json"]]
    collected = got.policy_set()
    in_memory = policy_set({"identity": [DOCS[f"roles/{role}.json"]], "boundary": DOCS[f"boundaries/{G.application.ci_boundary_policy}.json"],
                            "scps": [[proofs.FULL_ACCESS], [proofs.FULL_ACCESS, *[json.loads((EXAMPLE / k).read_text()) for k in sorted(DOCS) if k.startswith("scp/")]],
                                     [proofs.FULL_ACCESS], [proofs.FULL_ACCESS]]})
    steps = [s.request for s in proofs.deploy_path(SETTINGS)] + [s.request for m in proofs.escalations(SETTINGS) for s in m.steps]
    compared = 0
    for r in map(_moto_request, steps):
        mine, theirs = in_memory.evaluate(r), collected.evaluate(r)
        assert mine.effect == theirs.effect, (r.action, r.resource, mine.explain(), theirs.explain())
        compared += 1
    assert compared > 50
    deploy = [collected.evaluate(_moto_request(s.request)).effect for s in proofs.deploy_path(SETTINGS)]
    assert set(deploy) == {"Allow"}


def test_scps_apply_below_the_ou_they_are_attached_to(org_account):
    """The SCPs attached to the workloads OU reach an account in a child OU: outside the
    Regions, even the deploy path is denied for that account's principals."""
    got = collect(org_account["iam"], f"arn:aws:sts::{A}:assumed-role/{G.pipeline_roles[0]}/r",
                  organizations=org_account["org"], account_id=org_account["member"], rcps=False)
    ps: PolicySet = got.policy_set()
    step = proofs.deploy_path(SETTINGS)[-1].request
    outside = Request(step.principal, step.action, step.resource, step.principal_account, step.resource_account,
                      {**step.context, "aws:RequestedRegion": "us-east-1"})
    d = ps.evaluate(_moto_request(outside))
    assert d.effect == "ExplicitDeny" and "PrrDenyOutsideRegions" in {s.sid for s in d.statements}
