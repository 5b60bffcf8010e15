"""Round trip through a moto account: attach the generated SCPs and RCPs to an organization,
create the deploy role with its boundary, collect everything back with the account collector,
and get the same decisions as in memory. moto 5.2 implements the RESOURCE_CONTROL_POLICY type
(and attaches RCPFullAWSAccess to the root, every OU and every account); like SCPs, it accepts
any content, so the size and validity of our RCPs are checked in test_guardrails.py."""

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
        org.enable_policy_type(RootId=root, PolicyType="RESOURCE_CONTROL_POLICY")
        workloads = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
        prod = org.create_organizational_unit(ParentId=workloads, Name="prod")["OrganizationalUnit"]["Id"]
        member = org.create_account(Email="orders@example.com", AccountName="orders-prod")["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=prod)
        for folder, ptype in (("scp/", "SERVICE_CONTROL_POLICY"), ("rcp/", "RESOURCE_CONTROL_POLICY")):
            for path in sorted(p for p in DOCS if p.startswith(folder)):
                text = (EXAMPLE / path).read_text()
                pid = org.create_policy(Content=text, Description="prr", Name=f"{folder[:3]}-{Path(path).stem}", Type=ptype)["Policy"]["PolicySummary"]["Id"]
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
        yield {"org": org, "iam": iam, "member": member, "levels": 4, "workloads": workloads}


def _swap(v):
    return v.replace(proofs.ACCOUNT, A) if isinstance(v, str) else [x.replace(proofs.ACCOUNT, A) for x in v]


def _moto_request(r: Request) -> Request:
    """The same request, made in moto's account (the approved code signing configs, which the
    settings pin to account 111122223333, stay as they are)."""
    principal_account = A if r.principal_account == proofs.ACCOUNT else r.principal_account
    ctx = {k: (v if k == "lambda:CodeSigningConfigArn" else _swap(v)) for k, v in r.context.items()}
    return Request(_swap(r.principal), r.action, _swap(r.resource), principal_account, A, ctx)


def _ours(folder: str) -> list[dict]:
    return [json.loads((EXAMPLE / k).read_text()) for k in sorted(DOCS) if k.startswith(folder)]


def test_collected_guardrails_decide_like_the_generated_ones(org_account):
    role = G.pipeline_roles[0]
    got = collect(org_account["iam"], f"arn:aws:sts::{A}:assumed-role/{role}/release-42",
                  organizations=org_account["org"], account_id=org_account["member"])
    p = got.policies
    assert len(p["scps"]) == 4 and len(p["rcps"]) == 4  # root, workloads, prod, account
    assert [d for d in p["scps"][1] if all(st["Effect"] == "Deny" for st in d["Statement"])] == _ours("scp/")
    assert [d for d in p["rcps"][1] if all(st["Effect"] == "Deny" for st in d["Statement"])] == _ours("rcp/")
    assert len(p["rcps"][1]) <= 5 and len(p["scps"][1]) <= 5  # per target, the FullAWSAccess policies included
    assert p["boundary"] == DOCS[f"boundaries/{G.application.ci_boundary_policy}.json"]
    assert p["identity"] == [DOCS[f"roles/{role}.json"]]
    collected = got.policy_set()
    levels = lambda full, folder: [[full], [full, *_ours(folder)], [full], [full]]  # noqa: E731
    in_memory = policy_set({"identity": [DOCS[f"roles/{role}.json"]], "boundary": DOCS[f"boundaries/{G.application.ci_boundary_policy}.json"],
                            "scps": levels(proofs.FULL_ACCESS, "scp/"), "rcps": levels(proofs.RCP_FULL_ACCESS, "rcp/")})
    steps = [s for s in proofs.deploy_path(SETTINGS) if s.actor == "deploy" and s.resource_policy is None]
    steps += [s for m in proofs.escalations(SETTINGS) for s in m.steps if s.actor == "deploy" and s.resource_policy is None]
    compared = 0
    for r in (_moto_request(s.request) for s in steps):
        mine, theirs = in_memory.evaluate(r), collected.evaluate(r)
        assert mine.effect == theirs.effect, (r.action, r.resource, mine.explain(), theirs.explain())
        compared += 1
    assert compared > 60
    deploy = [collected.evaluate(_moto_request(s.request)).effect for s in proofs.deploy_path(SETTINGS) if s.actor == "deploy" and s.resource_policy is None]
    assert set(deploy) == {"Allow"}


def test_collected_rcps_keep_outsiders_out(org_account):
    """The RCPs as Organizations returns them, on the resource side of requests from another
    organization: every outsider step of the escalation table is denied by them, as in memory."""
    from prr_policies.iam import PolicySet
    from prr_policies.iam.collector import collect_org_policies

    rcps, _ = collect_org_policies(org_account["org"], org_account["member"], "RESOURCE_CONTROL_POLICY")
    outsider = [s for m in proofs.escalations(SETTINGS) for s in m.steps if s.actor == "outsider"]
    assert len(outsider) >= 6
    for s in outsider:
        policy = json.loads(json.dumps(s.resource_policy).replace(proofs.ACCOUNT, A))
        d = PolicySet(identity=[proofs.ADMIN], resource=[policy], rcps=rcps).evaluate(_moto_request(s.request))
        assert d.effect == "ExplicitDeny" and d.blocked_by == ("rcp[1]",), (s.label, d.explain())


def test_scps_apply_below_the_ou_they_are_attached_to(org_account):
    """The SCPs attached to the workloads OU reach an account in a child OU: outside the
    Regions, even the deploy path is denied for that account's principals."""
    got = collect(org_account["iam"], f"arn:aws:sts::{A}:assumed-role/{G.pipeline_roles[0]}/r",
                  organizations=org_account["org"], account_id=org_account["member"])
    ps: PolicySet = got.policy_set()
    step = proofs.deploy_path(SETTINGS)[-1].request
    outside = Request(step.principal, step.action, step.resource, step.principal_account, step.resource_account,
                      {**step.context, "aws:RequestedRegion": "us-east-1"})
    d = ps.evaluate(_moto_request(outside))
    assert d.effect == "ExplicitDeny" and "PrrDenyOutsideRegions" in {s.sid for s in d.statements}
