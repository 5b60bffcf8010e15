"""Policy documents are validated as AWS validates them; every error names the JSON path."""

from __future__ import annotations

import json

import pytest

from prr_policies.iam import PolicyError, parse_policy

OK = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def doc(*stmts, **top):
    return {"Version": "2012-10-17", "Statement": list(stmts), **top}


@pytest.mark.parametrize("policy, kind, path, reason", [
    ("{", "identity", "(document)", "not JSON"),
    ([], "identity", "(document)", "JSON object"),
    ({"Version": "2012-10-17"}, "identity", "Statement", "missing"),
    (doc(), "identity", "Statement", "at least one statement"),
    ({"Version": "2012-10-17", "Statement": "x"}, "identity", "Statement", "object or a list"),
    (doc(OK, Extra=1), "identity", "Extra", "unknown policy element"),
    ({"Version": "2013-01-01", "Statement": [OK]}, "identity", "Version", "2012-10-17"),
    (doc(OK, {}), "identity", "Statement[1]", "empty statement"),
    (doc(OK, "s3:*"), "identity", "Statement[1]", "JSON object"),
    (doc({**OK, "Effect": "allow"}), "identity", "Statement[0].Effect", "\"Allow\" or \"Deny\""),
    (doc({"Action": "s3:*", "Resource": "*"}), "identity", "Statement[0].Effect", "missing"),
    (doc({**OK, "NotAction": "s3:*"}), "identity", "Statement[0]", "both Action and NotAction"),
    (doc({"Effect": "Allow", "Resource": "*"}), "identity", "Statement[0]", "exactly one of Action or NotAction"),
    (doc({**OK, "Action": "s3GetObject"}), "identity", "Statement[0].Action", "not an action"),
    (doc({**OK, "Action": ["s3:GetObject", 7]}), "identity", "Statement[0].Action[1]", "must be a string"),
    (doc({**OK, "Action": []}), "identity", "Statement[0].Action", "empty list"),
    (doc({"Effect": "Allow", "Action": "s3:*"}), "identity", "Statement[0]", "Resource or NotResource"),
    (doc({**OK, "NotResource": "*"}), "identity", "Statement[0]", "both Resource and NotResource"),
    (doc({**OK, "Resource": ["arn:aws:s3:::b", ""]}), "identity", "Statement[0].Resource[1]", "must not be empty"),
    (doc({**OK, "Principal": "*"}), "identity", "Statement[0].Principal", "cannot name a principal"),
    (doc({**OK, "Principal": "*"}), "scp", "Statement[0].Principal", "service control policy cannot name a principal"),
    (doc({**OK, "NotPrincipal": {"AWS": "111122223333"}}), "boundary", "Statement[0].NotPrincipal", "cannot name a principal"),
    (doc(OK), "resource", "Statement[0]", "needs a Principal"),
    (doc({**OK, "Principal": "*", "NotPrincipal": "*"}), "resource", "Statement[0]", "both Principal and NotPrincipal"),
    (doc({**OK, "Principal": {"AWS": "arn:aws:iam::*:role/x"}}), "resource", "Statement[0].Principal.AWS", "wildcard"),
    (doc({**OK, "Principal": {"AWS": "bob"}}), "resource", "Statement[0].Principal.AWS", "not an AWS principal"),
    (doc({**OK, "Principal": {"Group": "x"}}), "resource", "Statement[0].Principal.Group", "unknown principal type"),
    (doc({**OK, "Principal": {}}), "resource", "Statement[0].Principal", "at least one principal"),
    (doc({**OK, "Principal": "*"}), "rcp", "Statement[0].Effect", "deny-only"),
    (doc({**OK, "Effect": "Deny", "Principal": {"AWS": "111122223333"}}), "rcp", "Statement[0].Principal", "must be \"*\""),
    (doc({**OK, "Effect": "Deny"}), "rcp", "Statement[0]", "needs a Principal"),
    (doc({**OK, "Condition": {"StringEqualz": {"a": "b"}}}), "identity", "Statement[0].Condition.StringEqualz", "unknown condition operator"),
    (doc({**OK, "Condition": {"stringequals": {"a": "b"}}}), "identity", "Statement[0].Condition.stringequals", "unknown condition operator"),
    (doc({**OK, "Condition": {"NullIfExists": {"a": "true"}}}), "identity", "Statement[0].Condition.NullIfExists", "unknown condition operator"),
    (doc({**OK, "Condition": {"ForSomeValues:StringEquals": {"a": "b"}}}), "identity", "Condition.ForSomeValues:StringEquals", "unknown condition operator"),
    (doc({**OK, "Condition": {"StringEquals": {}}}), "identity", "Statement[0].Condition.StringEquals", "non-empty object"),
    (doc({**OK, "Condition": {"StringEquals": {"a": []}}}), "identity", "Condition.StringEquals.a", "at least one value"),
    (doc({**OK, "Condition": {"StringEquals": {"a": {"b": 1}}}}), "identity", "Condition.StringEquals.a", "string, number or boolean"),
    (doc({**OK, "Condition": {"NumericLessThan": {"s3:max-keys": "ten"}}}), "identity", "Condition.NumericLessThan.s3:max-keys", "not a number"),
    (doc({**OK, "Condition": {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}}), "identity", "Condition.DateLessThan.aws:CurrentTime", "ISO 8601"),
    (doc({**OK, "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}), "identity", "Condition.Bool.aws:SecureTransport", "\"true\" or \"false\""),
    (doc({**OK, "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.300"]}}}), "identity", "Condition.IpAddress.aws:SourceIp[1]", "not an IPv4 or IPv6"),
    (doc({**OK, "Condition": {"BinaryEquals": {"k": "***"}}}), "identity", "Condition.BinaryEquals.k", "not base64"),
    (doc({**OK, "Condition": {"Null": {"k": "maybe"}}}), "identity", "Condition.Null.k", "\"true\" or \"false\""),
    (doc({**OK, "Condition": []}), "identity", "Statement[0].Condition", "object of condition operators"),
    (doc({**OK, "Sid": 3}), "identity", "Statement[0].Sid", "must be a string"),
])
def test_invalid_documents_name_the_path(policy, kind, path, reason):
    with pytest.raises(PolicyError) as info:
        parse_policy(policy, kind, source="policy.json")
    assert info.value.source == "policy.json"
    assert info.value.path.endswith(path), info.value.path
    assert reason in info.value.reason


def test_path_prefix_for_embedded_documents():
    with pytest.raises(PolicyError) as info:
        parse_policy(doc(OK, {**OK, "Effect": "Maybe"}), "identity", source="case.json", path="policies.identity[2].")
    assert str(info.value) == "case.json: policies.identity[2].Statement[1].Effect: must be \"Allow\" or \"Deny\", not 'Maybe'"


@pytest.mark.parametrize("policy, kind", [
    ({"Version": "2012-10-17", "Statement": OK}, "identity"),  # Statement as one object
    ({"Statement": [OK]}, "identity"),  # no Version (2008-10-17 semantics)
    ({"Version": "2008-10-17", "Id": "x", "Statement": [OK]}, "session"),
    (doc({**OK, "Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/path/R",
                                     "arn:aws:sts::111122223333:assumed-role/R/s", "arn:aws:iam::111122223333:user/u",
                                     "arn:aws:sts::111122223333:federated-user/f"], "Service": "lambda.amazonaws.com",
                              "Federated": "cognito-identity.amazonaws.com", "CanonicalUser": "79a59df900b949e55d96a1e698fbaced"}}), "resource"),
    (doc({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}), "resource"),  # trust policy: no Resource
    (doc({"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}), "resource"),
    (doc({**OK, "NotPrincipal": {"AWS": "111122223333"}}), "resource"),  # Allow + NotPrincipal: discouraged, valid
    (doc({"Sid": "RCPFullAWSAccess", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
         {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": False}}}), "rcp"),
    (doc({**OK, "Condition": {"NumericLessThan": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": True},
                              "ForAllValues:StringLikeIfExists": {"aws:TagKeys": ["a*"]}, "Null": {"x": True},
                              "DateGreaterThan": {"aws:CurrentTime": ["2020-01-01", "1700000000", "2020-01-01T00:00:00.123+02:00"]},
                              "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"]}}}), "identity"),
    (json.dumps(doc(OK)), "identity"),  # JSON text
])
def test_valid_documents_parse(policy, kind):
    p = parse_policy(policy, kind)
    assert p.statements


# ---- document size limits (issue 9) -------------------------------------------------------

from prr_policies.iam import POLICY_TYPES, PolicySet, PolicyTooLarge, policy_set  # noqa: E402
from prr_policies.iam.limits import DEFAULT_TYPE  # noqa: E402

_STATEMENT_OF_KIND = {
    "identity": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    "boundary": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    "session": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    "scp": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    "resource": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "*"},
    "rcp": {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
}


def _sized(ptype: str, size: int, pad: str = "x") -> dict:
    """A valid document of ``ptype`` that measures exactly ``size`` the way its row counts."""
    row = POLICY_TYPES[ptype]
    policy = {"Version": "2012-10-17", "Statement": [{**_STATEMENT_OF_KIND[row.kinds[0]], "Sid": ""}]}
    per_pad = row.measure(pad) if row.unit == "bytes" else 1
    policy["Statement"][0]["Sid"] = pad * ((size - row.measure(policy)) // per_pad)
    assert row.measure(policy) == size
    return policy


@pytest.mark.parametrize("ptype", [name for name, row in POLICY_TYPES.items() if row.limit is not None])
def test_every_documented_limit_is_enforced_at_its_number(ptype):
    """Issue 9: the engine enforces AWS's document size limit of each policy type on input (it
    accepted any size). A document of exactly the limit parses; one character (byte) more raises
    PolicyTooLarge naming the path and the limit; each row cites its AWS page."""
    row = POLICY_TYPES[ptype]
    kind = row.kinds[0]
    assert parse_policy(_sized(ptype, row.limit), kind, policy_type=ptype).statements
    with pytest.raises(PolicyTooLarge) as info:
        parse_policy(_sized(ptype, row.limit + 1), kind, source="p.json", path="policies.x[0].", policy_type=ptype)
    assert info.value.path == "policies.x[0]"
    assert f"holds at most {row.limit:,}" in info.value.reason and f"{row.limit + 1:,}" in info.value.reason
    assert "https://docs.aws.amazon.com/" in row.source and row.doc


def test_identity_quotas_do_not_count_whitespace_scp_quota_does():
    """"IAM does not count white space when calculating the size of a policy against these
    quotas"; an SCP's 5,120 characters are counted as sent. JSON text is measured as written."""
    managed = json.dumps(_sized("managed", 6144), indent=4)
    assert len(managed) > 6144
    parse_policy(managed, "identity", policy_type="managed")
    scp = _sized("scp", 5100)
    with pytest.raises(PolicyTooLarge, match="5,120"):
        parse_policy(json.dumps(scp, indent=4), "scp", policy_type="scp")
    parse_policy(scp, "scp", policy_type="scp")  # a dict is measured minified


def test_bytes_limits_count_utf8_bytes():
    """SQS: "Bytes 8,192": a character outside ASCII is two bytes."""
    doc = _sized("sqs-queue", 8192, pad="é")
    parse_policy(doc, "resource", policy_type="sqs-queue")
    doc["Statement"][0]["Sid"] += "x"
    with pytest.raises(PolicyTooLarge, match="8,193 bytes"):
        parse_policy(doc, "resource", policy_type="sqs-queue")


def test_policy_set_holds_each_document_to_its_type_and_defaults_to_the_loosest():
    """Issue 9: PolicySet enforces the limits: a document whose type is not named gets the
    loosest limit of its kind (an inline role policy's 10,240 for identity policies), so nothing
    AWS accepts is refused; ``types`` names the exact type. The error names the path."""
    assert DEFAULT_TYPE["identity"] == "role-inline"
    user_inline = _sized("user-inline", 3000)
    PolicySet(identity=[user_inline])  # 3,000 fits a role's inline policy
    with pytest.raises(PolicyTooLarge) as info:
        policy_set({"identity": [doc(OK), user_inline]}, source="case.json", path="policies",
                   types={"identity": [None, "user-inline"]})
    assert str(info.value).startswith("case.json: policies.identity[1]: 3,000 characters without whitespace; "
                                      "a user's inline policy holds at most 2,048")
    with pytest.raises(PolicyTooLarge, match=r"identity\[0\]: 10,241"):
        PolicySet(identity=[_sized("role-inline", 10241)])
    with pytest.raises(PolicyTooLarge, match=r"scps\[1\]\[0\]: 5,121 characters"):
        PolicySet(scps=[[doc(OK)], [_sized("scp", 5121)]])


def test_aws_managed_policies_are_not_held_to_customer_quotas():
    """AWS managed policies are AWS's (ReadOnlyAccess is over 90,000 characters): named
    ``aws-managed`` they parse at any size; unnamed they would be refused."""
    big = _sized("role-inline", 50000)
    PolicySet(identity=[big], types={"identity": ["aws-managed"]})
    PolicySet(boundary=big, types={"boundary": "aws-managed"})
    with pytest.raises(PolicyTooLarge):
        PolicySet(identity=[big])


def test_unknown_or_mismatched_policy_type_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown policy type 'inline'"):
        parse_policy(doc(OK), "identity", policy_type="inline")
    with pytest.raises(ValueError, match="a scp policy is parsed as scp, not identity"):
        parse_policy(doc(OK), "identity", policy_type="scp")


def test_lint_and_engine_read_one_table():
    """Issue 9: lint-policy's sizes by type and the engine's are one table, not two."""
    from prr_policies.guardrails import lint

    assert lint.POLICY_TYPES is POLICY_TYPES


def test_not_principal_allow_parses_but_not_in_a_trust_policy():
    """Issue 12: "We strongly recommend that you do not use NotPrincipal in the same policy
    statement as "Effect": "Allow"" - discouraged, so it parses (the parser refused it); but "You
    cannot use the NotPrincipal element in an IAM identity-based policy or in an IAM role trust
    policy", with either effect."""
    stmt = {"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}
    assert parse_policy(doc(stmt), "resource").statements[0].not_principal
    for effect in ("Allow", "Deny"):
        with pytest.raises(PolicyError) as info:
            parse_policy(doc({**stmt, "Effect": effect}), "resource", policy_type="trust")
        assert info.value.path == "Statement[0].NotPrincipal" and "trust policy" in info.value.reason
    with pytest.raises(PolicyError, match="RCPs do not support NotPrincipal"):
        parse_policy(doc({**stmt, "Effect": "Deny", "Resource": "*"}), "rcp")
