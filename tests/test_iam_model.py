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
    (doc({**OK, "NotPrincipal": {"AWS": "111122223333"}}), "resource", "Statement[0].NotPrincipal", "only with \"Effect\": \"Deny\""),
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
