"""The engine against moto: a differential test with moto's own evaluator on the subset where
moto follows AWS, the written list of where it does not, and the account collector.

Where moto's evaluator (``moto.iam.access_control.IAMPolicy``, 5.2.x) differs from AWS, each
shown below by ``KNOWN_DIFFERENCES``:

1. action names compare case-sensitively (AWS: "The prefix and the action name are case
   insensitive");
2. ``?`` is not a wildcard, and ``.`` and other regex characters in a pattern are regex syntax;
3. ``*`` in a Resource crosses colons anywhere (AWS: only a ``*`` that ends an ARN segment);
4. a condition that does not hold turns an Allow statement into an explicit deny;
5. only ``StringEquals`` is evaluated; every other operator is treated as true, and a key
   missing from the request passes even ``StringEquals``;
6. a statement without ``Resource`` (``NotResource``) is "permitted" whatever its Effect;
7. no policy variables; and (TRAPS.md) no boundaries, SCPs, RCPs or session policies.

The differential test therefore draws identity policies without conditions, ``?``, regex
characters or ``NotResource``, in the exact case of the request, with ``*`` only where it ends
an ARN segment.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws
from moto.iam.access_control import IAMPolicy, PermissionResult

from prr_policies.iam import PolicySet, Request, policy_set
from prr_policies.iam.collector import CollectError, collect, collect_identity, resource_policy

A = "123456789012"  # moto's default account
USER = f"arn:aws:iam::{A}:user/alice"
ACTIONS = ["s3:GetObject", "s3:PutObject", "lambda:InvokeFunction", "lambda:CreateFunction", "sqs:SendMessage"]
ACTION_PATTERNS = ACTIONS + ["s3:*", "lambda:*", "*", "s3:Get*", "lambda:Create*", "sqs:Send*"]
RESOURCES = ["arn:aws:s3:::bucket-a/key", "arn:aws:s3:::bucket-b/key", f"arn:aws:lambda:eu-west-1:{A}:function:orders",
             f"arn:aws:lambda:us-east-1:{A}:function:billing", f"arn:aws:sqs:eu-west-1:{A}:queue"]
RESOURCE_PATTERNS = RESOURCES + ["*", "arn:aws:s3:::bucket-a/*", f"arn:aws:lambda:*:{A}:function:*", "arn:aws:sqs:*:*:queue"]

MOTO_TO_OURS = {PermissionResult.PERMITTED: "Allow", PermissionResult.DENIED: "ExplicitDeny", PermissionResult.NEUTRAL: "ImplicitDeny"}


def moto_decision(docs: list[dict], action: str, resource: str, context: dict | None = None) -> str:
    results = [IAMPolicy(json.dumps(d)).is_action_permitted(action, resource, None, context) for d in docs]
    if PermissionResult.DENIED in results:
        return "ExplicitDeny"
    return "Allow" if PermissionResult.PERMITTED in results else "ImplicitDeny"


def ours(docs: list[dict], action: str, resource: str, context: dict | None = None) -> str:
    return PolicySet(identity=docs).evaluate(Request(USER, action, resource, A, A, context or {})).effect


statement = st.fixed_dictionaries({
    "Effect": st.sampled_from(["Allow", "Deny"]),
    "Action": st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3),
    "Resource": st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2),
}).map(lambda s: s if len(s["Action"]) > 1 else {**s, "Action": s["Action"][0]})
not_action = st.fixed_dictionaries({"Effect": st.sampled_from(["Allow", "Deny"]),
                                    "NotAction": st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2),
                                    "Resource": st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2)})
policies = st.lists(st.lists(st.one_of(statement, statement, not_action), min_size=1, max_size=4).map(
    lambda ss: {"Version": "2012-10-17", "Statement": ss}), min_size=1, max_size=3)


@given(policies, st.sampled_from(ACTIONS), st.sampled_from(RESOURCES))
def test_differential_against_moto(docs, action, resource):
    """On the subset where moto follows AWS, both evaluators give the same decision."""
    assert ours(docs, action, resource) == moto_decision(docs, action, resource)


def _p(*stmts):
    return [{"Version": "2012-10-17", "Statement": list(stmts)}]


KNOWN_DIFFERENCES = [
    # (difference, policies, action, resource, context, AWS's decision)
    ("1 action case", _p({"Effect": "Allow", "Action": "S3:GETOBJECT", "Resource": "*"}), "s3:GetObject", "arn:aws:s3:::b/k", None, "Allow"),
    ("2 question mark", _p({"Effect": "Allow", "Action": "s3:GetObjec?", "Resource": "*"}), "s3:GetObject", "arn:aws:s3:::b/k", None, "Allow"),
    ("2 regex dot", _p({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/a.csv"}), "s3:GetObject", "arn:aws:s3:::b/aXcsv", None, "ImplicitDeny"),
    ("3 star inside a segment", _p({"Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:eu*1:queue"}),
     "sqs:SendMessage", "arn:aws:sqs:eu-west-1:111111111111:queue", None, "ImplicitDeny"),
    ("4 failed condition on Allow", _p({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "web"}}}),
     "s3:GetObject", "arn:aws:s3:::b/k", {"aws:PrincipalTag/team": "data"}, "ImplicitDeny"),
    ("5 other operators ignored", _p({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": "home/*"}}}),
     "s3:GetObject", "arn:aws:s3:::b/k", {"s3:prefix": "public/"}, "ImplicitDeny"),
    ("5 missing key passes", _p({"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "web"}}}),
     "s3:GetObject", "arn:aws:s3:::b/k", None, "ImplicitDeny"),
    ("6 NotResource", _p({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::b/*"}),
     "s3:GetObject", "arn:aws:s3:::other/k", None, "ExplicitDeny"),
    ("7 variables", _p({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}/*"}),
     "s3:GetObject", "arn:aws:s3:::b/alice/k", None, "Allow"),
]


@pytest.mark.parametrize("name, docs, action, resource, context, aws", KNOWN_DIFFERENCES, ids=[d[0] for d in KNOWN_DIFFERENCES])
def test_known_moto_differences_are_still_true(name, docs, action, resource, context, aws):
    """Our engine gives AWS's answer and moto a different one; if moto is fixed this fails and
    the list in the module docstring must shrink."""
    assert ours(docs, action, resource, context) == aws
    assert moto_decision(docs, action, resource, context) != aws


# ---- the account collector against a moto account ------------------------------------------

BOUNDARY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["lambda:*", "s3:*", "sqs:*"], "Resource": "*"}]}
USER_INLINE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}]}
MANAGED = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "iam:CreateUser"], "Resource": "*"}]}
GROUP_INLINE = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
                                                       {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::secret/*"}]}
OU_SCP = {"Version": "2012-10-17", "Statement": [{"Sid": "NoRegionsButEU", "Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*",
                                                  "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}]}
ACCOUNT_RCP = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*",
                                                       "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


@pytest.fixture
def account():
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_policy(PolicyName="app-boundary", PolicyDocument=json.dumps(BOUNDARY))
        managed = iam.create_policy(PolicyName="read", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))["Policy"]["Arn"]
        # a second version becomes the default: the collector must read the default one
        iam.create_policy_version(PolicyArn=managed, PolicyDocument=json.dumps(MANAGED), SetAsDefault=True)
        iam.create_user(UserName="alice")  # moto 5.2.5 stores no user permissions boundary (see below)
        iam.put_user_policy(UserName="alice", PolicyName="invoke", PolicyDocument=json.dumps(USER_INLINE))
        iam.attach_user_policy(UserName="alice", PolicyArn=managed)
        iam.create_group(GroupName="devs")
        iam.put_group_policy(GroupName="devs", PolicyName="queues", PolicyDocument=json.dumps(GROUP_INLINE))
        iam.add_user_to_group(GroupName="devs", UserName="alice")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName="app-orders", AssumeRolePolicyDocument=json.dumps(trust), Path="/service/",
                        PermissionsBoundary=f"arn:aws:iam::{A}:policy/app-boundary")
        iam.put_role_policy(RoleName="app-orders", PolicyName="inline", PolicyDocument=json.dumps(USER_INLINE))
        iam.put_role_policy(RoleName="app-orders", PolicyName="queues", PolicyDocument=json.dumps(GROUP_INLINE))
        iam.attach_role_policy(RoleName="app-orders", PolicyArn=managed)
        org = boto3.client("organizations", region_name="us-east-1")
        org.create_organization(FeatureSet="ALL")
        root = org.list_roots()["Roots"][0]["Id"]
        org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
        org.enable_policy_type(RootId=root, PolicyType="RESOURCE_CONTROL_POLICY")
        ou = org.create_organizational_unit(ParentId=root, Name="apps")["OrganizationalUnit"]["Id"]
        member = org.create_account(Email="app@example.com", AccountName="app")["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=member, SourceParentId=root, DestinationParentId=ou)
        scp = org.create_policy(Content=json.dumps(OU_SCP), Description="eu only", Name="eu-only", Type="SERVICE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=scp, TargetId=ou)
        rcp = org.create_policy(Content=json.dumps(ACCOUNT_RCP), Description="tls", Name="tls", Type="RESOURCE_CONTROL_POLICY")["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=rcp, TargetId=member)
        yield {"iam": iam, "org": org, "member": member, "root": root, "ou": ou}


class _UserBoundary:
    """moto 5.2.5 implements neither ``PermissionsBoundary`` on CreateUser nor
    PutUserPermissionsBoundary, so GetUser never reports one. This wrapper adds the field
    AWS returns to moto's GetUser answer and passes every other call to moto unchanged; the
    role path, where moto does store the boundary, is tested without it."""

    def __init__(self, iam, boundary_arn):
        self._iam, self._arn = iam, boundary_arn

    def get_user(self, **kw):
        out = self._iam.get_user(**kw)
        out["User"]["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": self._arn}
        return out

    def __getattr__(self, name):
        return getattr(self._iam, name)


def test_collect_user_identity_groups_boundary(account):
    got = collect_identity(_UserBoundary(account["iam"], f"arn:aws:iam::{A}:policy/app-boundary"), USER)
    p = got.policies
    assert p["identity"] == [USER_INLINE, MANAGED, GROUP_INLINE]
    assert p["boundary"] == BOUNDARY
    assert any("group devs inline policy queues" in s for s in got.sources)
    assert collect_identity(account["iam"], USER).policies["boundary"] is None  # what moto itself reports


def test_collect_org_levels_and_same_decisions_as_in_memory(account):
    member = account["member"]
    session = f"arn:aws:sts::{A}:assumed-role/app-orders/s1"
    got = collect(account["iam"], session, organizations=account["org"], account_id=member)
    assert len(got.policies["scps"]) == 3 and OU_SCP in got.policies["scps"][1]
    assert ACCOUNT_RCP in got.policies["rcps"][2]
    assert got.types["scps"] == [["scp"] * len(level) for level in got.policies["scps"]]
    assert got.types["rcps"] == [["rcp"] * len(level) for level in got.policies["rcps"]]
    assert got.types["identity"] == ["role-inline", "role-inline", "managed"]
    full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    in_memory = policy_set({"identity": [USER_INLINE, MANAGED, GROUP_INLINE], "boundary": BOUNDARY,
                            "scps": [[full], [full, OU_SCP], [full]],
                            "rcps": [[{**full, "Statement": [{**full["Statement"][0], "Principal": "*"}]}]] * 2
                            + [[{**full, "Statement": [{**full["Statement"][0], "Principal": "*"}]}, ACCOUNT_RCP]]})
    collected = got.policy_set()
    requests = [
        ("lambda:InvokeFunction", f"arn:aws:lambda:eu-west-1:{A}:function:f", {"aws:RequestedRegion": "eu-west-1"}, "Allow"),
        ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{A}:function:f", {"aws:RequestedRegion": "us-east-1"}, "ExplicitDeny"),
        ("s3:GetObject", "arn:aws:s3:::secret/k", {"aws:RequestedRegion": "eu-west-1"}, "ExplicitDeny"),
        ("s3:GetObject", "arn:aws:s3:::public/k", {"aws:RequestedRegion": "eu-west-1"}, "Allow"),
        ("iam:CreateUser", f"arn:aws:iam::{A}:user/x", {"aws:RequestedRegion": "us-east-1"}, "ImplicitDeny"),  # not in the boundary
        ("sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{A}:q", {"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "false"}, "ExplicitDeny"),
        ("sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{A}:q", {"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "true"}, "Allow"),
    ]
    for action, resource, ctx, expected in requests:
        r = Request(session, action, resource, A, A, ctx)
        assert collected.evaluate(r).effect == in_memory.evaluate(r).effect == expected, (action, resource, ctx)


def test_collect_role_session_and_resource_policies(account):
    iam = account["iam"]
    got = collect_identity(iam, f"arn:aws:sts::{A}:assumed-role/app-orders/s1")
    assert got.policies["identity"] == [USER_INLINE, GROUP_INLINE, MANAGED] and got.policies["boundary"] == BOUNDARY
    session = boto3.session.Session(region_name="eu-west-1")
    lam, sqs, s3 = session.client("lambda"), session.client("sqs"), session.client("s3")
    role_arn = iam.get_role(RoleName="app-orders")["Role"]["Arn"]
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c): return e\n")
    fn = lam.create_function(FunctionName="orders", Runtime="python3.12", Role=role_arn, Handler="index.handler", Code={"ZipFile": buf.getvalue()})["FunctionArn"]
    lam.add_permission(FunctionName="orders", StatementId="apigw", Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                       SourceArn=f"arn:aws:execute-api:eu-west-1:{A}:api/*")
    q = sqs.create_queue(QueueName="orders")["QueueUrl"]
    qpol = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "*"}]}
    sqs.set_queue_attributes(QueueUrl=q, Attributes={"Policy": json.dumps(qpol)})
    s3.create_bucket(Bucket="bucket-a", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    bpol = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket-a/*",
                                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    s3.put_bucket_policy(Bucket="bucket-a", Policy=json.dumps(bpol))
    s3.create_bucket(Bucket="bucket-none", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    client = session.client
    assert resource_policy(client, f"arn:aws:sqs:eu-west-1:{A}:orders") == qpol
    assert resource_policy(client, "arn:aws:s3:::bucket-a/k") == bpol
    assert resource_policy(client, "arn:aws:s3:::bucket-none/k") is None
    assert resource_policy(client, role_arn)["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    lam_pol = resource_policy(client, fn)
    ps = PolicySet(resource=[lam_pol])
    ok = Request("apigateway.amazonaws.com", "lambda:InvokeFunction", fn, None, A, {"aws:SourceArn": f"arn:aws:execute-api:eu-west-1:{A}:api/prod/GET/x"})
    other = Request("apigateway.amazonaws.com", "lambda:InvokeFunction", fn, None, A, {"aws:SourceArn": f"arn:aws:execute-api:eu-west-1:{A}:evil/prod/GET/x"})
    assert ps.evaluate(ok).effect == "Allow" and ps.evaluate(other).effect == "ImplicitDeny"
    got = collect(iam, USER, resource_arn="arn:aws:s3:::bucket-a/k", client=client)
    assert got.policies["resource"] == [bpol] and got.types["resource"] == ["s3-bucket"]


def test_collect_errors_name_the_call(account):
    with pytest.raises(CollectError) as info:
        collect_identity(account["iam"], f"arn:aws:iam::{A}:role/missing")
    assert info.value.call == "get_role" and "NoSuchEntity" in info.value.reason

    class Denied:
        def get_role(self, **_):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized to perform: iam:GetRole"}}, "GetRole")

    with pytest.raises(CollectError, match=r"get_role for role app: AccessDenied: not authorized to perform: iam:GetRole"):
        collect_identity(Denied(), f"arn:aws:iam::{A}:role/app")
    with pytest.raises(CollectError, match="no resource-policy reader"):
        resource_policy(lambda s: None, f"arn:aws:dynamodb:eu-west-1:{A}:table/t")


def test_collected_aws_managed_policies_keep_their_size(monkeypatch):
    """Issue 9: the engine holds documents to their size limits, but AWS managed policies are
    AWS's and larger (ReadOnlyAccess is over 90,000 characters without whitespace): the collector
    records each document's type, so a role with ReadOnlyAccess is evaluated, not refused.
    moto loads AWS managed policies only with MOTO_IAM_LOAD_MANAGED_POLICIES=true."""
    from prr_policies.iam import PolicyTooLarge

    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName="reader", PolicyName="inline", PolicyDocument=json.dumps(USER_INLINE))
        iam.attach_role_policy(RoleName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        got = collect_identity(iam, f"arn:aws:sts::{A}:assumed-role/reader/s1")
    assert got.types == {"identity": ["role-inline", "aws-managed"], "boundary": None}
    assert len("".join(json.dumps(got.policies["identity"][1]).split())) > 10240
    decision = got.policy_set().evaluate(Request(f"arn:aws:sts::{A}:assumed-role/reader/s1", "s3:GetObject", "arn:aws:s3:::b/k", A, A))
    assert decision.effect == "Allow"
    with pytest.raises(PolicyTooLarge, match=r"identity\[1\]"):
        policy_set(got.policies)  # without the types: the default identity limit
