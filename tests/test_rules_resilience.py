"""Issue 13's bucket and table rules on hand-made facts."""

from __future__ import annotations

import dataclasses

import pytest

from prr_policies.controls import evaluate
from prr_policies.facts import Bucket, NotifiedFunction, Table, Unknown
from prr_policies.result import Status
from prr_policies.settings import load_settings

S = load_settings()
U = Unknown("test")
P, F, NA, UNK = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN
BUCKET_ARN = "arn:aws:s3:::uploads"


@pytest.mark.parametrize("notified, expected", [
    ((), NA),
    ((NotifiedFunction("f", True, BUCKET_ARN, "123456789012"),), P),
    ((NotifiedFunction("f", True, BUCKET_ARN, None),), F),
    ((NotifiedFunction("f", True, None, "123456789012"),), F),
    ((NotifiedFunction("f", False),), F),
    ((NotifiedFunction("f", U, U, U),), UNK),
    ((NotifiedFunction("f", True, BUCKET_ARN, U),), UNK),
    ((NotifiedFunction("f", U, U, U), NotifiedFunction("g", False)), F),
    (U, UNK),
])
def test_notification_permissions(notified, expected):
    assert evaluate("PRR-BUCKET-001", Bucket(BUCKET_ARN, "uploads", "Enabled", notified), S).status is expected


@pytest.mark.parametrize("versioning, buckets, expected", [
    ("Enabled", (), P), (None, (), F), ("Suspended", (), F), (U, (), UNK),
    (None, ("app-*",), NA),  # not one of the named buckets
    (None, ("upl*",), F),
])
def test_bucket_versioning(versioning, buckets, expected):
    s = dataclasses.replace(S, resilience=dataclasses.replace(S.resilience, buckets=buckets))
    assert evaluate("PRR-BUCKET-002", Bucket(BUCKET_ARN, "uploads", versioning, ()), s).status is expected


@pytest.mark.parametrize("pitr, expected", [(True, P), (False, F), (None, F), (U, UNK)])
def test_table_pitr(pitr, expected):
    assert evaluate("PRR-DDB-001", Table("t", "t", pitr), S).status is expected


@pytest.mark.parametrize("backup, replicas, expected", [
    (True, None, P), (False, ("eu-central-1",), P), (False, None, F), (U, None, UNK), (U, ("eu-central-1",), P), (False, U, UNK),
])
def test_table_backup(backup, replicas, expected):
    required = dataclasses.replace(S, resilience=dataclasses.replace(S.resilience, table_backup_required=True))
    assert evaluate("PRR-DDB-002", Table("t", "t", True, backup, replicas), required).status is expected
    assert evaluate("PRR-DDB-002", Table("t", "t", True, backup, replicas), S).status is NA  # off by default


def test_unknown_replicas_do_not_raise_in_the_bare_rule():
    """Issue 13: the bare PRR-DDB-002 rule took the truth value of an Unknown replica list (a TypeError
    the fail-closed wrapper hid); a backup plan decides it, else the unknown replicas do."""
    from prr_policies.controls import RULES

    on = dataclasses.replace(S, resilience=dataclasses.replace(S.resilience, table_backup_required=True))
    rule = RULES["PRR-DDB-002"]
    assert rule.check(Table("t", "orders", True, True, Unknown("replicas")), on)[0] is Status.PASS
    assert rule.check(Table("t", "orders", True, False, Unknown("replicas")), on)[0] is Status.UNKNOWN
