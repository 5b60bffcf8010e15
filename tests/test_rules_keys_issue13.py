"""Issue 13's key, policy, secret and idempotency rules on hand-made facts."""

from __future__ import annotations

import dataclasses

import pytest

from prr_policies.controls import evaluate
from prr_policies.facts import FunctionIdempotency, IamPolicy, KmsKey, Secret, Unknown
from prr_policies.result import Status
from prr_policies.settings import load_settings

S = load_settings()
U = Unknown("test")
P, F, NA, UNK = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN
KEY = "arn:aws:kms:eu-west-1:123456789012:key/k"


@pytest.mark.parametrize("key, expected", [
    (KmsKey(KEY, "CUSTOMER", key_state="Enabled"), P),
    (KmsKey(KEY, "CUSTOMER", key_state="PendingDeletion"), F),
    (KmsKey(KEY, "CUSTOMER", key_state="PendingReplicaDeletion"), F),
    (KmsKey(KEY, "AWS", key_state="PendingDeletion"), NA),
    (KmsKey(KEY, "CUSTOMER", key_state=U), UNK),
])
def test_keys_pending_deletion_fail(key, expected):
    assert evaluate("PRR-KMS-002", key, S).status is expected


@pytest.mark.parametrize("window, left, expected", [
    (30, None, P), (7, None, F), (None, None, NA), (U, None, UNK),
    (None, 30, P),  # deleted in 30 days: it was given at least 30
    (None, 6, UNK),  # 6 days left: the period chosen may have been 7 or 30
    (None, U, UNK),
])
def test_deletion_window(window, left, expected):
    """Issue 13: DescribeKey reports a scheduled key's deletion date, not its waiting period; days left
    settle the window only when they reach the minimum."""
    key = KmsKey(KEY, "CUSTOMER", key_state="PendingDeletion" if left is not None else "Enabled",
                 deletion_window_days=window, deletion_days_left=left)
    assert evaluate("PRR-KMS-003", key, S).status is expected


def test_deletion_window_minimum_comes_from_the_settings():
    strict = dataclasses.replace(S, keys=dataclasses.replace(S.keys, min_deletion_window_days=7))
    assert evaluate("PRR-KMS-003", KmsKey(KEY, "CUSTOMER", deletion_window_days=7), strict).status is P


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize("policy, expected", [
    (IamPolicy("p", doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})), F),
    (IamPolicy("p", doc({"Effect": "Allow", "Action": ["kms:*"], "Resource": "arn:aws:kms:*:*:key/*"})), F),
    (IamPolicy("p", doc({"Effect": "Allow", "Action": "*", "Resource": "*"})), F),
    (IamPolicy("p", doc({"Effect": "Allow", "Action": "kms:ReEncrypt*", "Resource": ["*"]})), F),
    (IamPolicy("p", doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY})), P),
    (IamPolicy("p", doc({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"})), P),
    (IamPolicy("p", doc({"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"})), P),
    (IamPolicy("p", doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), boundary_only=True), NA),
    (IamPolicy("p", U), UNK),
    (IamPolicy("p", U, boundary_only=True), NA),  # a boundary grants nothing, whatever it says
])
def test_decrypt_on_every_key(policy, expected):
    assert evaluate("PRR-KMS-004", policy, S).status is expected


@pytest.mark.parametrize("secret, expected", [
    (Secret("s", rotation_enabled=True, rotation_on_schedule=True), P),
    (Secret("s", rotation_enabled=True, rotation_on_schedule=False), F),
    (Secret("s", rotation_enabled=False), NA),
    (Secret("s", rotation_enabled=True, rotation_on_schedule=U), UNK),
])
def test_rotation_succeeds(secret, expected):
    assert evaluate("PRR-SECRETS-003", secret, S).status is expected


def test_unused_secrets():
    limit = S.secrets.max_unused_days
    assert evaluate("PRR-SECRETS-004", Secret("s", days_since_last_access=limit), S).status is P
    assert evaluate("PRR-SECRETS-004", Secret("s", days_since_last_access=limit + 1), S).status is F
    assert evaluate("PRR-SECRETS-004", Secret("s", days_since_last_access=None), S).status is NA
    assert evaluate("PRR-SECRETS-004", Secret("s", days_since_last_access=U), S).status is UNK


FN = "arn:aws:lambda:eu-west-1:123456789012:function:f"


@pytest.mark.parametrize("facts, expected", [
    (FunctionIdempotency(FN, ("sqs",), (("prr:idempotency", "powertools"),), ()), P),
    (FunctionIdempotency(FN, ("async:s3",), (), ("POWERTOOLS_IDEMPOTENCY_TABLE",)), P),
    (FunctionIdempotency(FN, ("kinesis",), (("prr:idempotency", " "),), ("QUEUE_URL",)), F),  # a blank tag says nothing
    (FunctionIdempotency(FN, ("sqs", "async"), (("owner", "orders"),), ()), F),
    (FunctionIdempotency(FN, (), (), ()), NA),
    (FunctionIdempotency(FN, U, (("prr:idempotency", "powertools"),), ()), UNK),
    (FunctionIdempotency(FN, ("sqs",), U, ()), UNK),
    (FunctionIdempotency(FN, ("sqs",), U, ("IDEMPOTENCY_TABLE",)), P),  # the table declares it, whatever the tags
    (FunctionIdempotency(FN, ("sqs",), (("prr:idempotency", U),), ()), UNK),
    (FunctionIdempotency(FN, ("sqs",), (), U), UNK),
])
def test_idempotency_declared(facts, expected):
    assert evaluate("PRR-LAMBDA-022", facts, S).status is expected


def test_idempotency_settings():
    off = dataclasses.replace(S, idempotency=dataclasses.replace(S.idempotency, required=False))
    assert evaluate("PRR-LAMBDA-022", FunctionIdempotency(FN, ("sqs",), (), ()), off).status is NA
    own = dataclasses.replace(S, idempotency=dataclasses.replace(S.idempotency, tag_key="team:dedupe"))
    assert evaluate("PRR-LAMBDA-022", FunctionIdempotency(FN, ("sqs",), (("team:dedupe", "natural key"),), ()), own).status is P
    assert evaluate("PRR-LAMBDA-022", FunctionIdempotency(FN, ("sqs",), (("prr:idempotency", "powertools"),), ()), own).status is F
