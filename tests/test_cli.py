"""`prr-policies scan` end to end: findings, exit codes, output formats, clear input errors."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from .conftest import STACKS


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "prr_policies.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_compliant_stack_passes():
    proc = cli("scan", str(STACKS / "compliant"), "--only-prr")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PRR-LAMBDA-001" in proc.stdout and "Findings:" not in proc.stdout


def test_noncompliant_stack_fails_with_findings_json():
    proc = cli("scan", str(STACKS / "noncompliant"), "--plan", str(STACKS / "noncompliant" / "plan.json"), "-o", "json", "--only-prr")
    assert proc.returncode == 1, proc.stderr
    found = json.loads(proc.stdout)["findings"]
    failed = {(f["control_id"], f["resource"], f["framework"]) for f in found if f["status"] == "FAIL"}
    for framework in ("terraform", "terraform_plan"):
        assert ("PRR-LAMBDA-001", "aws_lambda_function.api_handler", framework) in failed
        assert ("PRR-LAMBDA-012", "aws_lambda_function.worker", framework) in failed
        assert ("PRR-LAMBDA-011", "aws_lambda_permission.apigw", framework) in failed


def test_junitxml_output_parses():
    proc = cli("scan", str(STACKS / "noncompliant"), "-o", "junitxml", "--only-prr")
    assert proc.returncode == 1
    root = ET.fromstring(proc.stdout)
    assert root.iter("testcase")


def test_sarif_output_parses():
    proc = cli("scan", str(STACKS / "noncompliant"), "-o", "sarif", "--only-prr")
    assert proc.returncode == 1
    rules = {r["id"] for run in json.loads(proc.stdout)["runs"] for r in run["tool"]["driver"]["rules"]}
    assert "CKV_PRR_1" in rules


@pytest.mark.parametrize("setup, args, message", [
    (lambda d: None, ["scan", "{d}/missing"], "no such file or directory"),
    (lambda d: (d / "main.tf").write_text('resource "aws_lambda_function" "x" {\n  timeout = \n'), ["scan", "{d}"], "malformed HCL"),
    (lambda d: (d / "plan.json").write_text("{not json"), ["scan", "--plan", "{d}/plan.json"], "malformed plan JSON"),
    (lambda d: (d / "plan.json").write_text("[]"), ["scan", "--plan", "{d}/plan.json"], "format_version"),
    (lambda d: (d / "prr.yaml").write_text("lambda:\n  timeout: {max: 3}\n"), ["scan", str(STACKS / "compliant"), "--settings", "{d}/prr.yaml"], "lambda.timeout.max"),
])
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, setup, args, message):
    setup(tmp_path)
    proc = cli(*[a.format(d=tmp_path) for a in args])
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_scan_does_not_pick_up_settings_from_the_working_directory(tmp_path):
    """Issue 10: scanning from a repository root used the root's prr.yaml for any stack."""
    (tmp_path / "prr.yaml").write_text("lambda:\n  timeout: {min_seconds: 1, max_seconds: 1}\n")
    proc = cli("scan", str(STACKS / "compliant"), "--only-prr", "-o", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "settings: package defaults" in proc.stderr


def test_scan_uses_and_names_the_prr_yaml_in_the_scanned_directory(tmp_path):
    import shutil

    stack = tmp_path / "stack"
    shutil.copytree(STACKS / "compliant", stack)
    (stack / "prr.yaml").write_text("lambda:\n  timeout: {min_seconds: 1, max_seconds: 1}\n")
    proc = cli("scan", str(stack), "--only-prr", "-o", "json")
    assert proc.returncode == 1
    assert f"settings: {stack / 'prr.yaml'}" in proc.stderr
    failed = {f["control_id"] for f in json.loads(proc.stdout)["findings"] if f["status"] == "FAIL"}
    assert "PRR-LAMBDA-006" in failed


def test_checkov_dir_prints_a_loadable_directory():
    proc = cli("checkov-dir")
    out = proc.stdout.strip()
    assert proc.returncode == 0 and out.endswith("checkov_checks")
    from pathlib import Path

    assert (Path(out) / "__init__.py").is_file() and (Path(out) / "prr_checks.py").is_file()
