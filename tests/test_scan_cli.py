"""`prr-policies scan` end to end (issue 9): no silent passes, exit codes that mean what they say,
exemptions kept visible, findings people can act on, checkov options passed through."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import FIXTURES

SCAN = FIXTURES / "scan"
FEATURES = SCAN / "features"


def cli(*args, cwd=None, env=None, code=None):
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "prr_policies.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env)


def one_clear_error(proc, code: int) -> str:
    """The process exited with `code` after printing a `prr-policies:` line and no traceback."""
    assert proc.returncode == code, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("prr-policies: ")
    return last


@pytest.fixture(scope="module")
def features_json():
    """One scan of the features root, JSON output (a single checkov run shared by the tests below)."""
    proc = cli("scan", str(FEATURES), "--only-prr", "-o", "json")
    assert proc.returncode == 1, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def features_result():
    """The same scan as a ScanResult, to render every output format from one checkov run."""
    import tempfile

    from prr_policies.scan import ScanOptions, evaluate, plan_targets

    options = ScanOptions(only_prr=True)
    with tempfile.TemporaryDirectory() as tmp:
        return evaluate(plan_targets(FEATURES, None, options, Path(tmp)), None, options)


# -- fail-open scans ----------------------------------------------------------------------------------


def test_an_empty_directory_is_an_error_unless_allowed(tmp_path):
    """Issue 9: an empty directory gave an empty table and exit 0."""
    line = one_clear_error(cli("scan", str(tmp_path)), 2)
    assert "no Terraform files" in line and "--allow-empty" in line
    proc = cli("scan", str(tmp_path), "--allow-empty")
    assert proc.returncode == 0, proc.stderr


def test_terraform_json_files_are_scanned():
    """Issue 9: a directory of *.tf.json only gave an empty table and exit 0 (scan limited checkov
    to the terraform framework)."""
    proc = cli("scan", str(SCAN / "tf_json"), "--only-prr", "-o", "json")
    assert proc.returncode == 1, proc.stderr[-2000:]
    found = {(f["check_id"], f["resource"]): f for f in json.loads(proc.stdout)["findings"]}
    tracing = found[("CKV_PRR_1", "aws_lambda_function.api")]  # checkov names it "resource.api"; scan puts the type back
    assert (tracing["status"], tracing["framework"]) == ("FAIL", "terraform_json")
    assert tracing["file"].endswith("fixtures/scan/tf_json/main.tf.json") and tracing["lines"] == [4, 14]


def test_registry_modules_that_were_not_read_are_findings_and_an_empty_scan_exits_3():
    """Issue 9: a stack whose functions all come from registry modules gave exit 0 and an empty table."""
    proc = cli("scan", str(SCAN / "registry_only"), "--only-prr", "-o", "json")
    line = one_clear_error(proc, 3)
    assert "no resource a PRR control applies to" in line and "2 module call(s) not read" in line
    found = json.loads(proc.stdout)["findings"]
    assert {(f["check_id"], f["resource"], f["status"], tuple(f["lines"])) for f in found} == {
        ("PRR_MODULE_NOT_READ", "module.api", "UNKNOWN", (3, 10)), ("PRR_MODULE_NOT_READ", "module.worker", "UNKNOWN", (12, 19))}
    reason = found[0]["reason"]
    assert "terraform-aws-modules/lambda/aws" in reason and "--download-external-modules" in reason and "plan" in reason
    allowed = cli("scan", str(SCAN / "registry_only"), "--only-prr", "--allow-empty")
    assert allowed.returncode == 1 and "PRR_MODULE_NOT_READ module.api" in allowed.stdout


def test_unread_and_missing_modules_beside_checked_resources(features_json):
    unread = {f["resource"]: f for f in features_json["findings"] if f["check_id"] == "PRR_MODULE_NOT_READ"}
    assert set(unread) == {"module.registry_fn", "module.missing_local"}
    assert unread["module.registry_fn"]["lines"] == [32, 37]
    assert "modules/not-there holds no Terraform files" in unread["module.missing_local"]["reason"]
    assert features_json["roots"][0]["modules_not_read"] == 2


def test_state_json_is_read_as_deployed_values():
    """Issue 9: `terraform show -json` of a state (values, not planned_values) was scanned as nothing."""
    proc = cli("scan", str(SCAN / "state" / "state.json"), "--only-prr", "-o", "json")
    assert proc.returncode == 1, proc.stderr[-2000:]
    found = {(f["check_id"], f["resource"]): f for f in json.loads(proc.stdout)["findings"]}
    assert found[("CKV_PRR_1", "aws_lambda_function.api")]["status"] == "FAIL"
    assert found[("CKV_PRR_14", "module.worker.aws_sqs_queue.jobs")]["status"] == "FAIL"
    assert found[("CKV_PRR_6", "aws_lambda_function.api")]["status"] == "PASS"
    assert {f["framework"] for f in found.values()} == {"terraform_state"}
    assert {f["file"] for f in found.values()} == {"fixtures/scan/state/state.json"} or \
        all(f["file"].endswith("fixtures/scan/state/state.json") for f in found.values())


def test_an_empty_state_evaluates_nothing_and_exits_3(tmp_path):
    (tmp_path / "state.json").write_text('{"format_version":"1.0"}')
    assert "no resource a PRR control applies to" in one_clear_error(cli("scan", str(tmp_path / "state.json")), 3)


@pytest.mark.parametrize("doc, message", [
    ({"format_version": "2.0", "planned_values": {}}, "supported versions are 0.1, 0.2 and 1.x"),
    ({"format_version": "1.2", "planned_values": {"root_module": "x"}}, "planned_values.root_module: expected an object"),
    ({"version": 4, "resources": []}, "raw Terraform state file"),
])
def test_plans_checkov_cannot_read_are_refused_with_exit_2(tmp_path, doc, message):
    """Issue 9: a string root_module was a RuntimeError traceback and exit 1; an unknown
    format_version was scanned."""
    (tmp_path / "plan.json").write_text(json.dumps(doc))
    assert message in one_clear_error(cli("scan", "--plan", str(tmp_path / "plan.json")), 2)


# -- exit codes ---------------------------------------------------------------------------------------


BLOCK = "import sys; sys.modules[{name!r}] = None; from prr_policies.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.parametrize("module", ["hcl2", "checkov"])
def test_a_missing_dependency_gives_the_install_hint_and_exit_3(module):
    """Issue 9: scan without python-hcl2 was a ModuleNotFoundError traceback and exit 1."""
    line = one_clear_error(cli("scan", str(FEATURES), code=BLOCK.format(name=module)), 3)
    assert 'pip install "prr-policies[checkov]"' in line


def test_a_checkov_failure_is_exit_3_with_its_message():
    """Issue 9: a checkov crash was a RuntimeError traceback and exit 1 (1 means "controls failed")."""
    line = one_clear_error(cli("scan", str(SCAN / "tf_json"), "--only-prr", "--", "--no-such-option"), 3)
    assert "checkov failed on fixtures/scan/tf_json" in line or "checkov failed on" in line
    assert "--no-such-option" in line


def test_checkov_options_scan_must_own_are_refused_with_exit_2():
    assert "not passed to checkov" in one_clear_error(cli("scan", str(SCAN / "tf_json"), "--", "--quiet"), 2)


# -- exemptions stay visible --------------------------------------------------------------------------


def test_inline_exemptions_are_listed_with_reason_file_and_resource(features_json):
    """Issue 9: `#checkov:skip=CKV_PRR_1:reason` made the result vanish from scan's table and JSON."""
    (ex,) = features_json["exemptions"]
    assert (ex["check_id"], ex["control_id"], ex["resource"], ex["lines"], ex["how"]) == (
        "CKV_PRR_1", "PRR-LAMBDA-001", "aws_lambda_function.exempted", [10, 18], "inline skip comment")
    assert ex["reason"] == "batch job, X-Ray tracing adds nothing here" and ex["file"].endswith("features/main.tf")
    assert features_json["summary"]["exempted"] == 1 and features_json["roots"][0]["exempted"] == 1


def test_exemptions_appear_in_every_output_format(features_result):
    from prr_policies.scan_output import render

    table = render(features_result, "cli")
    assert "Exemptions: 1" in table and "aws_lambda_function.exempted" in table and "batch job, X-Ray" in table
    row = next(line for line in table.splitlines() if line.startswith("PRR-LAMBDA-001"))
    assert row.split()[2:8] == ["0", "1", "0", "0", "0", "1"]  # pass fail unknown warn n/a exempt
    sarif = json.loads(render(features_result, "sarif"))
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert [(r["ruleId"], r["suppressions"][0]["justification"]) for r in suppressed] == [
        ("CKV_PRR_1", "batch job, X-Ray tracing adds nothing here")]
    junit = ET.fromstring(render(features_result, "junitxml"))
    skipped = [c for c in junit.iter("testcase") if c.find("skipped") is not None]
    assert [c.get("name") for c in skipped] == ["CKV_PRR_1 aws_lambda_function.exempted"]
    assert "batch job" in skipped[0].find("skipped").get("message") and junit.get("skipped") == "1"


def test_var_file_baseline_and_skip_check_pass_through(features_json):
    """Issue 9: scan could not pass the checkov options teams use; a baseline hid failures."""
    proc = cli("scan", str(FEATURES), "--only-prr", "-o", "json", "--var-file", str(FEATURES / "dev.tfvars"),
               "--baseline", str(FEATURES / "baseline.json"), "--skip-check", "CKV_PRR_5")
    assert proc.returncode == 1, proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    status = {(f["check_id"], f["resource"]): f["status"] for f in doc["findings"]}
    before = {(f["check_id"], f["resource"]): f["status"] for f in features_json["findings"]}
    key = ("CKV_PRR_1", "aws_lambda_function.by_var")
    assert (before[key], status[key]) == ("FAIL", "PASS")  # dev.tfvars sets tracing_mode = "Active"
    assert before[("CKV_PRR_3", "aws_lambda_function.by_var")] == "FAIL"
    assert ("CKV_PRR_3", "aws_lambda_function.by_var") not in status
    baseline = [e for e in doc["exemptions"] if e["how"].startswith("baseline")]
    assert [(e["check_id"], e["resource"], e["waived_status"]) for e in baseline] == [
        ("CKV_PRR_3", "aws_lambda_function.by_var", "FAIL")]
    assert not any(c == "CKV_PRR_5" for c, _ in status) and doc["not_run"] == ["CKV_PRR_5"]
    assert doc["summary"]["exempted"] == 2


def test_raw_checkov_arguments_after_double_dash(tmp_path):
    """`--` hands the rest to checkov: here --skip-path leaves the legacy folder out of one root."""
    (tmp_path / "legacy").mkdir()
    fn = (SCAN / "tf_json" / "main.tf.json").read_text()
    (tmp_path / "main.tf.json").write_text(fn)
    (tmp_path / "legacy" / "old.tf.json").write_text(fn.replace('"api"', '"old"'))
    proc = cli("scan", str(tmp_path), "--only-prr", "--single-root", "-o", "json", "--", "--skip-path", "legacy")
    assert proc.returncode == 1, proc.stderr[-2000:]
    found = {f["resource"] for f in json.loads(proc.stdout)["findings"]}
    assert "aws_lambda_function.api" in found and all(r.endswith(".api") for r in found), found  # nothing from legacy/


# -- findings people can act on -----------------------------------------------------------------------


def test_findings_carry_location_remediation_and_link(features_json):
    f = next(f for f in features_json["findings"] if (f["check_id"], f["resource"]) == ("CKV_PRR_3", "aws_lambda_function.by_var"))
    assert f["file"].endswith("fixtures/scan/features/main.tf") and f["lines"] == [20, 30]
    assert 'resource "aws_lambda_function_event_invoke_config"' in f["remediation"]
    assert f["guideline"].endswith("#prr-lambda-003")


def test_table_shows_location_and_how_to_fix(features_result):
    from prr_policies.scan_output import render

    table = render(features_result, "cli")
    assert "fixtures/scan/features/main.tf:20-30" in table
    assert "How to fix" in table and "#prr-lambda-003" in table and "destination_config" in table


def test_sarif_puts_the_reason_in_the_message_and_sets_help_uri(features_result):
    """Issue 9: GitHub code scanning shows message.text, not attachments; each rule needs helpUri."""
    from prr_policies.scan_output import render

    run = json.loads(render(features_result, "sarif"))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["CKV_PRR_3"]["helpUri"].endswith("#prr-lambda-003")
    assert all(r["helpUri"].startswith("https://") for k, r in rules.items() if k.startswith("CKV_PRR_"))
    assert rules["PRR_MODULE_NOT_READ"]["helpUri"].endswith("#prr-policies-scan")
    unread = [r for r in run["results"] if r["ruleId"] == "PRR_MODULE_NOT_READ"]
    assert len(unread) == 2 and all("was not read" in r["message"]["text"] for r in unread)
    result = next(r for r in run["results"] if r["ruleId"] == "CKV_PRR_3" and "by_var" in r["message"]["text"])
    assert "Neither a dead-letter queue nor an on-failure destination" in result["message"]["text"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["endLine"]) == (20, 30)
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("fixtures/scan/features/main.tf")


def test_the_checkov_guideline_of_each_check_is_its_link():
    from prr_policies.catalog import catalog
    from prr_policies.checkov_adapter import register

    for check in register():
        assert check.guideline.endswith("#" + check.control.id.lower())
    readme = (FIXTURES.parent / "README.md").read_text()
    assert all(f'<a id="{c.id.lower()}"></a>' in readme for c in catalog().controls)


def test_a_plan_scanned_beside_the_hcl_covers_the_modules_it_holds(tmp_path):
    """The remedy the module finding names works: with --plan, a registry module whose resources
    the plan holds is not reported as unread."""
    values = {"function_name": "from-the-registry", "role": "arn:aws:iam::123456789012:role/r", "runtime": "python3.13",
              "handler": "app.handler", "package_type": "Zip", "timeout": 3, "memory_size": 128,
              "reserved_concurrent_executions": -1, "tracing_config": [{"mode": "Active"}]}
    plan = {"format_version": "1.2", "terraform_version": "1.11.4", "planned_values": {"root_module": {"child_modules": [
        {"address": "module.registry_fn", "resources": [{"address": "module.registry_fn.aws_lambda_function.this[0]",
                                                         "mode": "managed", "type": "aws_lambda_function", "name": "this",
                                                         "index": 0, "values": values}]}]}}}
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    proc = cli("scan", str(FEATURES), "--plan", str(tmp_path / "plan.json"), "--only-prr", "-o", "json")
    assert proc.returncode == 1, proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    assert any(f["resource"] == "module.registry_fn.aws_lambda_function.this[0]" for f in doc["findings"])
    unread = {f["resource"] for f in doc["findings"] if f["check_id"] == "PRR_MODULE_NOT_READ"}
    assert unread == {"module.missing_local"}
