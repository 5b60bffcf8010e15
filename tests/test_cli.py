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


def test_compliant_stack_plan_passes_but_for_what_a_plan_cannot_show():
    """Issue 13: the compliant example's plan passes every control (a queue whose redrive_allow_policy
    the plan lists as null is no dead-letter queue), except PRR-LAMBDA-019: an environment map holding one
    value known only after apply (QUEUE_URL = the queue's url) is unknown as a whole in a Terraform
    plan, names included, so the plan cannot show that no variable holds a literal secret."""
    proc = cli("scan", "--plan", str(STACKS / "compliant" / "plan.json"), "--only-prr", "-o", "json")
    found = json.loads(proc.stdout)["findings"]
    open_ = {(f["control_id"], f["resource"], f["status"]) for f in found if f["status"] not in ("PASS", "NOT_APPLICABLE")}
    # and PRR-LAMBDA-024 (no variable that loads code) for the same reason
    assert open_ == {(c, f"aws_lambda_function.{n}", "UNKNOWN") for c in ("PRR-LAMBDA-019", "PRR-LAMBDA-024")
                     for n in ("api_handler", "worker")}
    assert any(f["control_id"] == "PRR-ALARM-002" and f["resource"] == "aws_sqs_queue.dlq" and f["status"] == "PASS" for f in found)


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


def test_version():
    """Issue 9: there was no --version."""
    from prr_policies import __version__

    proc = cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"prr-policies {__version__}"


def test_help_lists_the_exit_codes_and_readme_gives_the_same_table():
    """Issue 9: the exit codes are defined once (cli.EXIT_CODES), printed by --help, and README's
    table says the same."""
    from prr_policies.cli import EXIT_CODES

    from .conftest import ROOT

    proc = cli("--help")
    assert proc.returncode == 0 and "exit codes:" in proc.stdout
    flat = " ".join(proc.stdout.split())
    readme = (ROOT / "README.md").read_text()
    for code, text in EXIT_CODES:
        assert f"{code} {text}" in flat
        assert f"| {code} | {text} |" in readme


@pytest.mark.parametrize("wanted", ["PRR-LAMBDA-003", "prr-lambda-003", "CKV_PRR_3", "ckv_prr_3", " Prr-Lambda-003 "])
def test_catalog_control_by_checkov_id_or_any_case(wanted):
    """Issue 9: `catalog --control` accepted only the exact control id."""
    proc = cli("catalog", "--control", wanted)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("PRR-LAMBDA-003 [HIGH]")
    doc = json.loads(cli("catalog", "--control", wanted, "--format", "json").stdout)
    assert [c["id"] for c in doc["controls"]] == ["PRR-LAMBDA-003"]


def test_settings_defaults_prints_the_packaged_defaults():
    """Issue 9: pip users have no source tree to read the defaults from."""
    from prr_policies.settings import DEFAULTS_FILE

    proc = cli("settings", "--defaults")
    assert proc.returncode == 0 and proc.stdout == DEFAULTS_FILE.read_text()


def test_settings_show_prints_the_merged_effective_settings(tmp_path):
    import yaml

    from prr_policies.settings import load_settings

    (tmp_path / "prr.yaml").write_text("lambda:\n  timeout: {max_seconds: 29}\n")
    for args, cwd in [(["--settings", str(tmp_path / "prr.yaml")], None), ([], tmp_path)]:  # named, or ./prr.yaml
        proc = cli("settings", "--show", *args, cwd=cwd)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"# effective settings: the package defaults merged with {tmp_path / 'prr.yaml'}")
        doc = yaml.safe_load(proc.stdout)
        assert doc["lambda"]["timeout"] == {"min_seconds": 1, "max_seconds": 29}
        # what it prints is itself a complete settings file giving the same settings
        (tmp_path / "shown.yaml").write_text(proc.stdout)
        assert load_settings(tmp_path / "shown.yaml") == load_settings(tmp_path / "prr.yaml")


def test_settings_show_refuses_an_invalid_file(tmp_path):
    (tmp_path / "prr.yaml").write_text("lambda:\n  timeout: {max_seconds: 29}\nlambda:\n  require_vpc: true\n")
    proc = cli("settings", "--show", "--settings", str(tmp_path / "prr.yaml"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == f"prr-policies: {tmp_path / 'prr.yaml'}: lambda: duplicate key (lines 1 and 3); " \
                                  "YAML would keep only the last one: merge them"


def _readme() -> str:
    from .conftest import ROOT

    return (ROOT / "README.md").read_text()


def test_readme_minimal_guardrails_example_generates(tmp_path):
    """Issue 9: README had no minimal `guardrails:` example; the one it has now generates."""
    import re

    from prr_policies import generate as gen
    from prr_policies.settings import load_settings

    block = re.search(r"<!-- minimal-guardrails[^>]*-->\n```yaml\n(.*?)```", _readme(), re.S).group(1)
    (tmp_path / "prr.yaml").write_text(block)
    generated = gen.artifacts(load_settings(tmp_path / "prr.yaml"))
    assert any(str(name).startswith("scp/") for name in generated)


def test_readme_simulate_example_runs_from_a_clone():
    """Issue 9: README's `simulate` example read ../shared, which a clone does not have."""
    import re
    import shlex

    from .conftest import ROOT

    command = re.search(r"^prr-policies simulate .*--explain$", _readme(), re.M).group(0)
    assert "../" not in command
    proc = cli(*shlex.split(command)[1:], cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert "ok   sls-scp-codesign-create-without-config-denied: ExplicitDeny" in proc.stdout
    assert "scp[1][1].Statement[0] (DenyLambdaWithoutCodeSigning): Deny" in proc.stdout
