"""The WARNING level (issue 13): a runtime inside its deprecation warning window is a WARNING before
it becomes a FAIL. How each sink carries it, and that it never blocks while FAIL and UNKNOWN still do:

- the rule: WARNING from ``warning_window_days`` before the FAIL date until that date;
- checkov: PASSED, first detail ``WARNING: ...`` (checkov has no warning result; FAILED would block);
- AWS Config: COMPLIANT, annotation ``WARNING: ...`` (Config has no warning compliance type);
- audit and scan: listed apart from the blocking findings; exit code 0 when nothing blocks.
"""

from __future__ import annotations

import dataclasses
import datetime
from xml.etree import ElementTree as ET

import pytest

from prr_policies import audit
from prr_policies.controls import evaluate
from prr_policies.facts import LambdaFunction
from prr_policies.result import Result, Status
from prr_policies.settings import load_settings

S = load_settings()
FN = LambdaFunction(address="f", runtime="ruby3.3")  # deprecated 2027-03-31 in the packaged table


def _as_of(day: datetime.date, window: int = 180, fail_days: int = 0):
    runtime = dataclasses.replace(S.lambda_.runtime, as_of=day, warning_window_days=window, warn_days_before_deprecation=fail_days)
    return dataclasses.replace(S, lambda_=dataclasses.replace(S.lambda_, runtime=runtime))


@pytest.mark.parametrize("day, window, fail_days, expected", [
    (datetime.date(2026, 10, 2), 180, 0, Status.WARNING),   # 180 days before: first day of the window
    (datetime.date(2026, 10, 1), 180, 0, Status.PASS),      # the day before the window
    (datetime.date(2027, 3, 30), 180, 0, Status.WARNING),   # last day before the FAIL date
    (datetime.date(2027, 3, 31), 180, 0, Status.FAIL),      # the deprecation date itself
    (datetime.date(2027, 3, 1), 180, 60, Status.FAIL),      # FAIL 60 days early, as the settings ask
    (datetime.date(2026, 12, 1), 180, 60, Status.WARNING),  # ... and the window moves with it
    (datetime.date(2027, 3, 30), 0, 0, Status.PASS),        # a window of 0 turns warnings off
])
def test_runtime_warning_window(day, window, fail_days, expected):
    result = evaluate("PRR-LAMBDA-008", FN, _as_of(day, window, fail_days))
    assert result.status is expected, result
    if expected is Status.WARNING:
        assert "2027-03-31" in result.reason and "FAIL" in result.reason


def test_warning_does_not_block_but_fail_and_unknown_do():
    assert not Status.WARNING.blocks
    assert Status.FAIL.blocks and Status.UNKNOWN.blocks
    assert Status.from_detail("WARNING: plan the upgrade") is Status.WARNING


def test_checkov_reports_a_warning_passed_and_ranks_it_below_fail_and_unknown():
    from checkov.common.models.enums import CheckResult

    from prr_policies.checkov_adapter import _CHECKOV_RESULT, combine

    assert _CHECKOV_RESULT[Status.WARNING] is CheckResult.PASSED
    w, p = Result("C", "a", Status.WARNING, "soon"), Result("C", "b", Status.PASS, "ok")
    assert combine([p, w]) == (Status.WARNING, "[a] soon")
    assert combine([w, Result("C", "c", Status.UNKNOWN, "?")])[0] is Status.UNKNOWN
    assert combine([w, Result("C", "d", Status.FAIL, "no")])[0] is Status.FAIL


def test_config_reports_a_warning_compliant_with_its_annotation():
    from prr_policies.config_rules.handler import evaluation

    got = evaluation(Result("C", "f", Status.WARNING, "Runtime ruby3.3 is deprecated soon."), "f", "AWS::Lambda::Function")
    assert got.complianceType == "COMPLIANT"
    assert got.annotation == "WARNING: Runtime ruby3.3 is deprecated soon."


def _report(*statuses: Status) -> audit.Report:
    return audit.Report(findings=[audit.Finding("PRR-LAMBDA-008", "AWS::Lambda::Function", f"fn{i}", Result("PRR-LAMBDA-008", f"fn{i}", s, f"why {i}"))
                                  for i, s in enumerate(statuses)])


def test_audit_lists_warnings_without_blocking():
    report = _report(Status.PASS, Status.WARNING)
    assert report.blocking == []  # the CLI exits 1 only when something blocks
    table = audit.render_table(report)
    assert "WARNING PRR-LAMBDA-008 AWS::Lambda::Function fn1" in table and "why 1" in table
    root = ET.fromstring(audit.render_junit(report))
    suite = next(root.iter("testsuite"))
    assert suite.get("failures") == "0"
    case = [c for c in root.iter("testcase") if c.get("name") == "fn1"][0]
    assert case.find("failure") is None and case.find("system-out").text == "WARNING: why 1"
    assert [f.resource_id for f in _report(Status.WARNING, Status.UNKNOWN).blocking] == ["fn1"]


def test_scan_lists_warnings_apart_and_keeps_exit_0():
    from prr_policies import scan
    from prr_policies.scan_output import table

    check = "CKV_PRR_8"
    report = {"check_type": "terraform", "results": {"passed_checks": [
        {"check_id": check, "resource": "aws_lambda_function.r", "file_path": "/main.tf", "details": ["WARNING: upgrade soon"]}],
        "failed_checks": []}}
    target = scan.Target("stack", "terraform", [])
    root = scan.target_findings(target, [report])
    found = root.findings
    assert [f.status for f in found] == [Status.WARNING]
    result = scan.ScanResult([root])
    assert not result.blocking  # scan's exit code: 0
    text = table(result)
    assert "Warnings (not blocking):" in text and "Findings:" not in text and "upgrade soon" in text
    row = next(line for line in text.splitlines() if line.startswith("PRR-LAMBDA-008"))
    header = text.splitlines()[0].split()
    assert dict(zip(header[2:8], row.split()[2:8]))["warn"] == "1"