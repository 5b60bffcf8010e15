"""AWS's documented IAM semantics, one rule per test; each docstring quotes the sentence."""

from __future__ import annotations

import pytest

from prr_policies.iam import PolicySet, Request, parse_principal
from prr_policies.iam.conditions import parse_date
from prr_policies.iam.patterns import arn_like, matcher

A = "111122223333"
SESSION = f"arn:aws:sts::{A}:assumed-role/AppRole/s1"


def allow(action="*", resource="*", **kw):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **kw}]}


def deny(action="*", resource="*", **kw):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": resource, **kw}]}


def req(action="s3:GetObject", resource="arn:aws:s3:::b/k", principal=SESSION, **ctx):
    return Request(principal, action, resource, context=ctx)


def test_resource_star_ending_a_segment_crosses_colons():
    """"If the * wildcard is the last character of a resource ARN segment, it can expand to
    match beyond the colon boundaries." Otherwise * stays "within the individual segments of
    an ARN (the parts separated by colons)"."""
    m = matcher("arn:aws:dynamodb:*:table/prod-*", "resource", True)
    assert m(f"arn:aws:dynamodb:eu-west-1:{A}:table/prod-x", {})
    stays = matcher("arn:aws:sqs:*-1:orders", "resource", True)
    assert not stays(f"arn:aws:sqs:eu-west-1:{A}:orders", {})
    assert matcher("arn:aws:sqs:*-1:*:orders", "resource", True)(f"arn:aws:sqs:eu-west-1:{A}:orders", {})


def test_resource_star_spans_slashes():
    """"The asterisk (*) character can expand to replace everything within a segment,
    including characters like a forward slash (/)"."""
    m = matcher("arn:aws:s3:::amzn-s3-demo-bucket/*/test/*", "resource", True)
    assert m("arn:aws:s3:::amzn-s3-demo-bucket/1///test///object.jpg", {})
    assert not m("arn:aws:s3:::amzn-s3-demo-bucket/1/2/test.jpg", {})


def test_question_mark_is_one_character():
    """"You can use multi-character match wildcards (*) and single-character match wildcards (?)"."""
    m = matcher("s3:getobjec?", "action", False)
    assert m("s3:getobject", None) and not m("s3:getobjects", None)


def test_actions_are_case_insensitive():
    """"The prefix and the action name are case insensitive.\""""
    ps = PolicySet(identity=[allow("S3:GETOBJECT")])
    assert ps.evaluate(req("s3:getObject")).allowed


def test_arnlike_compares_six_components():
    """ArnLike: "Each of the six colon-delimited components of the ARN is checked separately
    and each can include multi-character match wildcards (*) or single-character match
    wildcards (?).\""""
    m = arn_like("arn:aws:sns:*:111122223333:orders-*", True)
    assert m(f"arn:aws:sns:eu-west-1:{A}:orders-x", {})
    assert not m("arn:aws:sns:eu-west-1:444455556666:orders-x", {})
    assert not arn_like("arn:aws:sns:*", True)(f"arn:aws:sns:eu-west-1:{A}:t", {})
    assert not m("orders-x", {})


def test_arnlike_with_a_variable_that_holds_a_colon():
    """Policy variables can be used "in string comparisons in the Condition element" (ARN
    operators included); ``${aws:PrincipalAccount}`` holds a colon that does not split the ARN."""
    m = arn_like("arn:aws:lambda:*:${aws:PrincipalAccount}:function:app-*", True)
    assert m(f"arn:aws:lambda:eu-west-1:{A}:function:app-x", {"aws:principalaccount": A})
    assert not m("arn:aws:lambda:eu-west-1:444455556666:function:app-x", {"aws:principalaccount": A})
    assert not m(f"arn:aws:lambda:eu-west-1:{A}:function:app-x", {})


@pytest.mark.parametrize("text, epoch", [
    ("1700000000", 1700000000), ("2023-11-14T22:13:20Z", 1700000000), ("2023-11-14T23:13:20+01:00", 1700000000),
    ("2023-11-14", 1699920000), ("2023-11-14T22:13:20.000Z", 1700000000), ("2023-11-14T22:13:20", 1700000000),
])
def test_dates_iso8601_and_epoch(text, epoch):
    """"You must specify date/time values with one of the W3C implementations of the ISO 8601
    date formats or in epoch (UNIX) time.\""""
    assert parse_date(text) == epoch


def test_missing_key_positive_false_negated_true():
    """"If the key that you specify in a policy condition is not present in the request
    context, the values do not match and the condition is false. If the policy condition
    requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right
    key is not present, the condition is true.\""""
    pos = PolicySet(identity=[allow(Condition={"StringLike": {"s3:prefix": "*"}})])
    neg = PolicySet(identity=[allow(Condition={"StringNotLike": {"s3:prefix": "x*"}})])
    assert not pos.evaluate(req()).allowed
    assert neg.evaluate(req()).allowed


def test_ifexists_absent_is_true():
    """"If the key is not present, evaluate the condition element as true.\""""
    ps = PolicySet(identity=[allow(Condition={"NumericLessThanIfExists": {"s3:max-keys": "10"}})])
    assert ps.evaluate(req()).allowed
    assert not ps.evaluate(req(**{"s3:max-keys": "11"})).allowed


def test_condition_keys_case_insensitive_values_not():
    """"Key names are case-insensitive." StringEquals: "Exact matching, case sensitive\""""
    ps = PolicySet(identity=[allow(Condition={"StringEquals": {"AWS:PrincipalTag/Team": "web"}})])
    assert ps.evaluate(req(**{"aws:principaltag/team": "web"})).allowed
    assert not ps.evaluate(req(**{"aws:principaltag/team": "WEB"})).allowed


def test_forallvalues_and_foranyvalue_on_absent_keys():
    """ForAllValues "also returns true if there are no keys in the request"; ForAnyValue: "For
    no matching context key or if the key does not exist, the condition returns false.\""""
    every = PolicySet(identity=[allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})])
    some = PolicySet(identity=[allow(Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]}})])
    assert every.evaluate(req()).allowed and not some.evaluate(req()).allowed
    assert not every.evaluate(req(**{"aws:TagKeys": ["a", "b"]})).allowed
    assert some.evaluate(req(**{"aws:TagKeys": ["a", "b"]})).allowed


def test_variables_and_special_characters():
    """"When the policy is evaluated, the policy variables are replaced with values that come
    from the conditional context keys passed in the request." "${*} - use where you need an *
    (asterisk) character.\""""
    ps = PolicySet(identity=[allow(resource=["arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/${*}"])])
    user = f"arn:aws:iam::{A}:user/alice"
    assert ps.evaluate(req(resource="arn:aws:s3:::b/alice/x", principal=user)).allowed
    assert not ps.evaluate(req(resource="arn:aws:s3:::b/bob/x", principal=user)).allowed
    assert ps.evaluate(req(resource="arn:aws:s3:::b/*", principal=user)).allowed
    assert not ps.evaluate(req(resource="arn:aws:s3:::b/x", principal=user)).allowed


def test_variable_without_value_never_matches():
    """"not present means that the value is not in the current request information, and any
    attempt to match it fails and causes the statement to be invalid.\""""
    ps = PolicySet(identity=[allow(resource="arn:aws:s3:::b/${aws:username}/*")])
    assert not ps.evaluate(req(resource="arn:aws:s3:::b//x")).allowed  # a role session has no aws:username
    assert not ps.evaluate(req(resource="arn:aws:s3:::b/${aws:username}/x")).allowed


def test_variable_default():
    """"To add a default value to a variable, surround the default value with single quotes
    (' '), and separate the variable text and the default value with a comma and space (, ).\""""
    ps = PolicySet(identity=[allow(resource="arn:aws:s3:::b/${aws:PrincipalTag/team, 'it''s'}/*")])
    assert ps.evaluate(req(resource="arn:aws:s3:::b/it's/x")).allowed


def test_version_2008_variables_are_literal():
    """"variables such as ${aws:username} aren't recognized as variables and are instead
    treated as literal strings in the policy.\""""
    doc = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}"}]}
    user = f"arn:aws:iam::{A}:user/alice"
    ps = PolicySet(identity=[doc])
    assert not ps.evaluate(req(resource="arn:aws:s3:::b/alice", principal=user)).allowed
    assert ps.evaluate(req(resource="arn:aws:s3:::b/${aws:username}", principal=user)).allowed


def test_session_principal_carries_role_as_principal_arn():
    """aws:PrincipalArn: for an assumed-role session it is the ARN of the role (global keys
    page); the engine derives it when the request does not give it."""
    p = parse_principal(SESSION)
    assert p.kind == "session" and p.role_name == "AppRole" and p.account == A
    ps = PolicySet(identity=[allow(Condition={"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/AppRole"}})])
    assert ps.evaluate(req()).allowed


def test_explicit_deny_reports_the_statement():
    """"If the code finds even one explicit deny that applies, the code returns a final
    decision of Deny." The decision names the statement."""
    d = PolicySet(identity=[allow(), {"Version": "2012-10-17", "Statement": [{"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}]
                  ).evaluate(req("s3:DeleteObject"))
    assert d.effect == "ExplicitDeny" and [str(s) for s in d.statements] == ["identity[1].Statement[0] (NoDelete): Deny"]


def test_scp_levels_each_must_allow():
    """"If the enforcement code does not find any applicable Allow statements in the SCPs,
    then the request is implicitly denied." The decision names the level."""
    d = PolicySet(identity=[allow()], scps=[[allow()], [allow("ec2:*")], [allow()]]).evaluate(req())
    assert d.effect == "ImplicitDeny" and d.blocked_by == ("scp[1]",)


def test_unreadable_context_value_is_a_deny_with_error():
    """"If the AWS enforcement code encounters an error at any point during the evaluation,
    then it generates an exception and closes." Here: a deny carrying the error."""
    ps = PolicySet(identity=[allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})])
    d = ps.evaluate(req(**{"aws:SourceIp": "not-an-ip"}))
    assert d.effect == "ImplicitDeny" and d.errors and "not an IP address" in d.errors[0]
    # the same fault inside a Deny statement must not let an Allow through
    ps = PolicySet(identity=[allow(), deny(Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})])
    assert not ps.evaluate(req(**{"aws:SourceIp": "bogus"})).allowed


def test_evaluator_fault_is_a_deny(monkeypatch):
    """An internal fault in the evaluator is a deny, never an allow."""
    ps = PolicySet(identity=[allow()])
    assert ps.evaluate(req()).allowed

    def boom(*_a, **_k):
        raise RuntimeError("injected")
    monkeypatch.setattr("prr_policies.iam.engine._scan", boom)
    d = ps.evaluate(req())
    assert d.effect == "ImplicitDeny" and "injected" in d.errors[0]


def test_bad_request_is_a_deny_with_error():
    d = PolicySet(identity=[allow()]).evaluate(Request("not-a-principal", "s3:GetObject"))
    assert d.effect == "ImplicitDeny" and d.blocked_by == ("request",) and "not a principal ARN" in d.errors[0]


# ---- issue 12: service-side rules, permissions-only actions, KMS aliases ---------------------

SLR = f"arn:aws:iam::{A}:role/aws-service-role/lambda.amazonaws.com/AWSServiceRoleForLambdaReplicator"


def test_service_rule_decides_and_says_which():
    """Issue 12: "An IAM administrator can view, but not edit the permissions for service-linked
    roles." The decision is ExplicitDeny blocked by ``aws``, names the rule and explains it with
    the quoted sentence; an allow-everything policy set could change the role before."""
    d = PolicySet(identity=[allow()]).evaluate(req("iam:PutRolePolicy", SLR))
    assert (d.effect, d.blocked_by, d.rule) == ("ExplicitDeny", ("aws",), "service-linked-role")
    assert "can view, but not edit the permissions" in d.explain()
    assert d.to_dict()["rule"] == "service-linked-role"
    assert "rule" not in PolicySet(identity=[allow()]).evaluate(req()).to_dict()


def test_service_rules_bind_customers_not_aws():
    """The rule binds customer principals; AWS itself (a service principal, or the service's own
    service-linked role) is not stopped by it - its policies decide as usual."""
    linked = f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForLambdaReplicator/s"
    d = PolicySet(identity=[allow()]).evaluate(req("iam:PutRolePolicy", SLR, principal=linked, **{"aws:PrincipalArn": SLR}))
    assert d.allowed and not d.rule
    d = PolicySet(resource=[{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "iam:PutRolePolicy"}]}]
    ).evaluate(Request("lambda.amazonaws.com", "iam:PutRolePolicy", SLR, resource_account=A))
    assert d.allowed and not d.rule


def test_get_caller_identity_is_not_for_anonymous_callers():
    """sts:GetCallerIdentity needs no permission from a principal that signs the request; an
    anonymous caller has no identity to return and gets the ordinary evaluation."""
    assert PolicySet().evaluate(Request(SESSION, "sts:GetCallerIdentity")).allowed
    assert not PolicySet().evaluate(Request("*", "sts:GetCallerIdentity")).allowed


def test_session_tags_need_tag_session_named_in_the_decision():
    """Issue 12: "In addition to the action that matches the API operation, you must have the
    following permissions-only action in your policy: sts:TagSession". The trust policy trusts
    the user for sts:AssumeRole only: without tags the user assumes the role, with tags the
    decision is blocked by the trust policy for sts:TagSession (it was Allow before)."""
    user, role = f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:role/Target"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": user}, "Action": "sts:AssumeRole"}]}
    ps = PolicySet(resource=[trust])
    assert ps.evaluate(Request(user, "sts:AssumeRole", role)).allowed
    d = ps.evaluate(Request(user, "sts:AssumeRole", role, context={"aws:TagKeys": ["team"], "aws:RequestTag/team": "web"}))
    assert d.effect == "ImplicitDeny" and "resource (sts:TagSession)" in d.blocked_by
    d = ps.evaluate(Request(user, "sts:AssumeRole", role, context={"sts:SourceIdentity": "alice"}))
    assert d.effect == "ImplicitDeny" and "resource (sts:SetSourceIdentity)" in d.blocked_by


def test_kms_request_on_an_alias_arn_is_an_invalid_request():
    """Issue 12: "When an alias is the value of a resource element, the policy applies to the
    alias resource, not to any KMS key that might be associated with it": KMS authorizes Decrypt
    on the key, so a Decrypt request on the alias ARN is refused with the reason (it was
    allowed by a policy naming the alias before)."""
    alias = f"arn:aws:kms:eu-west-1:{A}:alias/orders"
    d = PolicySet(identity=[allow("kms:Decrypt", alias)]).evaluate(req("kms:Decrypt", alias))
    assert d.effect == "ImplicitDeny" and d.blocked_by == ("request",)
    assert "authorized on the KMS key, not on the alias alias/orders" in d.errors[0]


def test_kms_request_alias_becomes_the_alias_name_and_a_resource_alias():
    """"the value of the KeyId parameter in the request must be a matching alias name or alias
    ARN": an alias ARN in kms:RequestAlias is compared as its name; and the alias that named the
    key is among the key's aliases (kms:ResourceAliases), alongside those the caller listed."""
    key = f"arn:aws:kms:eu-west-1:{A}:key/k1"
    ps = PolicySet(identity=[allow("kms:Decrypt", key, Condition={
        "StringEquals": {"kms:RequestAlias": "alias/orders"},
        "ForAllValues:StringEquals": {"kms:ResourceAliases": ["alias/orders", "alias/billing"]},
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/orders"}})],
                   resource=[{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": A}, "Action": "kms:*"}]}])
    arn = f"arn:aws:kms:eu-west-1:{A}:alias/orders"
    assert ps.evaluate(req("kms:Decrypt", key, **{"kms:RequestAlias": arn, "kms:ResourceAliases": ["alias/billing"]})).allowed
    assert not ps.evaluate(req("kms:Decrypt", key, **{"kms:RequestAlias": arn, "kms:ResourceAliases": ["alias/prod"]})).allowed
