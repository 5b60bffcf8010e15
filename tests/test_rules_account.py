"""Issue 13's account-level controls: GuardDuty Lambda Protection (PRR-ACCOUNT-001) and Amazon
Inspector's Lambda scans (PRR-ACCOUNT-002), on hand-made facts and through the live readers.

moto 5.2.5 implements what the readers call: GuardDuty ``create_detector``/``update_detector`` with
``Features`` and ``get_detector`` returning them; Inspector ``enable`` and
``batch_get_account_status`` with ``resourceState``. moto answers ``batch_get_account_status``
for an account never enabled with no entry at all, and never fills ``failedAccounts``: a stand-in
client covers that answer.
"""

from __future__ import annotations

import dataclasses

import boto3
import pytest
from moto import mock_aws

from prr_policies.controls import evaluate
from prr_policies.facts import GuardDutyProtection, InspectorScanning, Unknown
from prr_policies.result import Status
from prr_policies.settings import load_settings
from prr_policies.sources import live
from prr_policies.sources.aws_api import Api

S = load_settings()  # the defaults: Lambda Protection and standard scanning required, code scanning not
U = Unknown("test")
P, F, NA, UNK = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN
ACCOUNT = "123456789012"


def with_account(**changes):
    return dataclasses.replace(S, account=dataclasses.replace(S.account, **changes))


@pytest.mark.parametrize("facts, expected", [
    (GuardDutyProtection("d", True, "ENABLED"), P),
    (GuardDutyProtection("d", True, "DISABLED"), F),
    (GuardDutyProtection("d", True, None), F),  # no feature resource turns it on
    (GuardDutyProtection("d", False, "ENABLED"), F),  # a disabled detector watches nothing
    (GuardDutyProtection("a", None, None, None, True), F),  # the account has no detector
    (GuardDutyProtection("d", U, "ENABLED"), UNK),
    (GuardDutyProtection("d", True, U), UNK),
    (GuardDutyProtection("f", True, "ENABLED", "LAMBDA_NETWORK_LOGS"), P),
    (GuardDutyProtection("f", True, "ENABLED", "S3_DATA_EVENTS"), NA),
    (GuardDutyProtection("f", U, "ENABLED", "S3_DATA_EVENTS"), NA),  # another feature: its detector does not matter
    (GuardDutyProtection("f", True, "ENABLED", U), UNK),
])
def test_guardduty_lambda_protection(facts, expected):
    assert evaluate("PRR-ACCOUNT-001", facts, S).status is expected


def test_guardduty_check_can_be_turned_off():
    off = with_account(guardduty_lambda_protection_required=False)
    assert evaluate("PRR-ACCOUNT-001", GuardDutyProtection("a", None, None, None, True), off).status is NA


@pytest.mark.parametrize("standard, code, code_required, expected", [
    ("ENABLED", None, False, P),
    ("ENABLED", "DISABLED", False, P),
    ("DISABLED", "ENABLED", False, F),
    (None, None, False, F),
    ("ENABLING", None, False, UNK),
    (U, "ENABLED", False, UNK),
    ("ENABLED", "ENABLED", True, P),
    ("ENABLED", "DISABLED", True, F),
    ("ENABLED", U, True, UNK),
    ("ENABLED", U, False, P),  # code scanning is not asked for: its status does not matter
    ("DISABLED", U, True, F),  # code scanning cannot run without standard scanning
])
def test_inspector_lambda_scanning(standard, code, code_required, expected):
    settings = with_account(inspector_lambda_code_scanning_required=code_required)
    assert evaluate("PRR-ACCOUNT-002", InspectorScanning("a", standard, code, True), settings).status is expected


def test_inspector_check_can_be_turned_off():
    off = with_account(inspector_lambda_scanning_required=False)
    assert evaluate("PRR-ACCOUNT-002", InspectorScanning("a", "DISABLED", None, True), off).status is NA


class _Account:
    """What the readers use of the live collector's account: its Api."""

    def __init__(self, factory):
        self.api = Api(factory)


@pytest.fixture
def moto_env(monkeypatch):
    for k, v in {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(k, v)
    with mock_aws():
        yield _Account(lambda service: boto3.client(service, region_name="eu-west-1"))


def test_guardduty_reader_against_moto(moto_env):
    """No detector, then one with Lambda Protection disabled, then enabled: FAIL, FAIL, PASS."""
    def verdict():
        [(rtype, rid, facts)] = live.guardduty_protection(moto_env)
        assert (rtype, rid, facts.whole_account) == ("AWS::::Account", ACCOUNT, True)
        return evaluate("PRR-ACCOUNT-001", facts, S)

    assert verdict().status is F and "no GuardDuty detector" in verdict().reason
    gd = boto3.client("guardduty", region_name="eu-west-1")
    detector = gd.create_detector(Enable=True, Features=[{"Name": "LAMBDA_NETWORK_LOGS", "Status": "DISABLED"}])["DetectorId"]
    assert verdict().status is F and "DISABLED" in verdict().reason
    gd.update_detector(DetectorId=detector, Features=[{"Name": "LAMBDA_NETWORK_LOGS", "Status": "ENABLED"}])
    assert verdict().status is P
    gd.update_detector(DetectorId=detector, Enable=False)
    assert verdict().status is F and "disabled" in verdict().reason


def test_inspector_reader_against_moto(moto_env):
    """Never enabled (moto gives no entry for the account): UNKNOWN; LAMBDA enabled: PASS, and FAIL
    when settings also ask for code scanning until LAMBDA_CODE is enabled."""
    def verdict(settings=S):
        [(rtype, rid, facts)] = live.inspector_scanning(moto_env)
        assert (rtype, rid) == ("AWS::::Account", ACCOUNT)
        return evaluate("PRR-ACCOUNT-002", facts, settings)

    assert verdict().status is UNK and "no status" in verdict().reason
    inspector = boto3.client("inspector2", region_name="eu-west-1")
    inspector.enable(accountIds=[ACCOUNT], resourceTypes=["LAMBDA"])
    code = with_account(inspector_lambda_code_scanning_required=True)
    assert verdict().status is P and verdict(code).status is F
    inspector.enable(accountIds=[ACCOUNT], resourceTypes=["LAMBDA_CODE"])
    assert verdict(code).status is P


def test_inspector_reader_names_a_failed_account():
    """moto never fills failedAccounts: a stand-in client answers as Inspector does for an account it
    cannot report on."""
    class StandIn:
        def get_caller_identity(self, **kw):
            return {"Account": ACCOUNT}

        def batch_get_account_status(self, **kw):
            return {"accounts": [], "failedAccounts": [{"accountId": ACCOUNT, "errorCode": "ACCESS_DENIED",
                                                        "errorMessage": "not a member"}]}

    [(_, _, facts)] = live.inspector_scanning(_Account(lambda s: StandIn()))
    result = evaluate("PRR-ACCOUNT-002", facts, S)
    assert result.status is UNK and "ACCESS_DENIED" in result.reason


def test_refused_reads_are_unknown_not_a_crash(moto_env):
    """A refused ListDetectors or BatchGetAccountStatus is UNKNOWN with the reason, never PASS or FAIL."""
    from botocore.exceptions import ClientError

    class Refusing:
        def get_caller_identity(self, **kw):
            return {"Account": ACCOUNT}

        def can_paginate(self, op):
            return False

        def __getattr__(self, name):
            def call(**kw):
                raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, name)
            return call

    account = _Account(lambda s: Refusing())
    for reader, control in ((live.guardduty_protection, "PRR-ACCOUNT-001"), (live.inspector_scanning, "PRR-ACCOUNT-002")):
        [(_, _, facts)] = reader(account)
        assert evaluate(control, facts, S).status is UNK, control
