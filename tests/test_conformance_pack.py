"""The generated conformance pack validates the way Config and cfn-lint would, and the
template that deploys it (with the custom-rule function and its role) passes our checks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from prr_policies.catalog import catalog
from prr_policies.config_rules import pack
from prr_policies.config_rules.evaluators import EVALUATORS
from prr_policies.settings import load_settings

from .conftest import EXAMPLE, ROOT

PACK = EXAMPLE / "config_rules" / "conformance-pack.yaml"


@pytest.fixture(scope="module")
def text():
    return PACK.read_text()


def test_committed_pack_is_what_the_settings_generate(text):
    assert pack.generate(load_settings(EXAMPLE / "prr.yaml"))["config_rules/conformance-pack.yaml"] == text


def test_pack_is_within_configs_limits(text):
    assert pack.validate(text) == []
    doc = yaml.safe_load(text)
    assert len(text.encode()) <= 51200 and len(doc["Parameters"]) <= 60


def test_pack_is_cfn_lint_clean(text):
    from cfnlint.api import lint

    assert [str(m) for m in lint(text)] == []


def test_cfn_lint_would_catch_a_broken_rule(text):
    from cfnlint.api import lint

    doc = yaml.safe_load(text)
    first = next(iter(doc["Resources"].values()))
    first["Properties"]["MaximumExecutionFrequency"] = "Every_Tuesday"
    first["Properties"]["Colour"] = "red"
    assert lint(yaml.safe_dump(doc))


def test_every_custom_rule_and_managed_rule_is_in_the_pack(text):
    doc = yaml.safe_load(text)
    names = {r["Properties"]["ConfigRuleName"] for r in doc["Resources"].values()}
    for cid, ev in EVALUATORS.items():
        assert (ev.rule_name in names) == ev.custom_in_pack, cid
    managed = {r["Properties"]["Source"]["SourceIdentifier"] for r in doc["Resources"].values() if r["Properties"]["Source"]["Owner"] == "AWS"}
    listed = {rule for c in catalog().controls for rule in c.enforcement.config_rules if rule.isupper()}
    # the example settings do not require a VPC, AWS Backup for tables, client certificates on stages, nor
    # Inspector's Lambda code scanning (issue 13: off by default, fewer Regions offer it)
    assert managed == listed - {"LAMBDA_INSIDE_VPC", "DYNAMODB_IN_BACKUP_PLAN", "API_GW_SSL_ENABLED", "INSPECTOR_LAMBDA_CODE_SCAN_ENABLED"}


def test_detection_settings_choose_the_account_managed_rules():
    """Issue 13: Inspector's code-scanning rule joins the pack when the settings ask for code scanning;
    GuardDuty's and Inspector's rules leave it when the settings turn the checks off."""
    import dataclasses

    from prr_policies.config_rules.pack import conformance_pack
    from prr_policies.settings import load_settings

    def managed(**account):
        s = load_settings(EXAMPLE / "prr.yaml")
        s = dataclasses.replace(s, account=dataclasses.replace(s.account, **account))
        return {r["Properties"]["Source"]["SourceIdentifier"] for r in conformance_pack(s)["Resources"].values()
                if r["Properties"]["Source"]["Owner"] == "AWS"}

    assert {"GUARDDUTY_LAMBDA_PROTECTION_ENABLED", "INSPECTOR_LAMBDA_STANDARD_SCAN_ENABLED"} <= managed()
    assert "INSPECTOR_LAMBDA_CODE_SCAN_ENABLED" in managed(inspector_lambda_code_scanning_required=True)
    off = managed(guardduty_lambda_protection_required=False, inspector_lambda_scanning_required=False)
    assert not {"GUARDDUTY_LAMBDA_PROTECTION_ENABLED", "INSPECTOR_LAMBDA_STANDARD_SCAN_ENABLED"} & off


def test_periodic_and_change_rules_use_the_right_message_types(text):
    doc = yaml.safe_load(text)
    for r in doc["Resources"].values():
        p = r["Properties"]
        if p["Source"]["Owner"] != "CUSTOM_LAMBDA":
            continue
        ev = EVALUATORS[p["InputParameters"]["ControlId"]]
        types = {d["MessageType"] for d in p["Source"]["SourceDetails"]}
        if ev.trigger == "change":
            assert types == {"ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"}
            assert p["Scope"]["ComplianceResourceTypes"] == list(ev.resource_types)
        else:
            assert types == {"ScheduledNotification"}
            assert p["Source"]["SourceDetails"][0]["MaximumExecutionFrequency"] in pack.FREQUENCIES


@pytest.mark.parametrize("mutate, problem", [
    (lambda d: d["Resources"]["PrrLambdaConcurrencyCheck"]["Properties"]["Source"].update(SourceIdentifier="LAMBDA_CONCURENCY_CHECK"), "not an AWS managed rule"),
    (lambda d: d["Resources"]["PrrLambdaConcurrencyCheck"]["Properties"]["InputParameters"].update(ConcurrencyMax="9"), "not a parameter of LAMBDA_CONCURRENCY_CHECK"),
    (lambda d: d["Resources"]["PrrLambda001"]["Properties"]["Source"].update(Owner="CUSTOM"), "is not one of AWS"),
    (lambda d: d["Resources"]["PrrLambda001"]["Properties"]["Source"]["SourceDetails"][0].update(MessageType="Hourly"), "MessageType"),
    (lambda d: d["Parameters"].update({f"P{i}": {"Type": "String"} for i in range(60)}), "parameters; at most 60"),
    (lambda d: d["Resources"]["PrrLambda001"]["Properties"].update(Description="x" * 52000), "bytes; a conformance pack takes at most 51200"),
])
def test_validate_catches(text, mutate, problem):
    doc = yaml.safe_load(text)
    mutate(doc)
    assert any(problem in p for p in pack.validate(yaml.safe_dump(doc))), pack.validate(yaml.safe_dump(doc))


def test_managed_parameters_come_from_the_settings(tmp_path):
    f = tmp_path / "prr.yaml"
    f.write_text("lambda:\n  require_vpc: true\n  reserved_concurrency: {min: 5, max: 50}\nlogs:\n  min_retention_days: 400\n")
    doc = pack.conformance_pack(load_settings(f))
    props = {r["Properties"]["ConfigRuleName"]: r["Properties"] for r in doc["Resources"].values()}
    assert props["prr-lambda-concurrency-check"]["InputParameters"] == {"ConcurrencyLimitLow": "5", "ConcurrencyLimitHigh": "50"}
    assert props["prr-cw-loggroup-retention-period-check"]["InputParameters"] == {"MinRetentionTime": "400"}
    assert "prr-lambda-inside-vpc" in props


def test_rule_function_permissions_are_the_audits_plus_config():
    from prr_policies.sources.aws_api import AUDIT_PERMISSIONS

    doc = json.loads((EXAMPLE / "config_rules" / "rule-permissions.json").read_text())
    actions = [a for s in doc["Statement"] for a in s["Action"]]
    assert set(actions) == set(AUDIT_PERMISSIONS) | {"config:PutEvaluations", "config:GetResourceConfigHistory", "config:GetComplianceDetailsByConfigRule"}
    from prr_policies.guardrails.lint import lint_document

    assert lint_document(doc, "rule-permissions.json") == []


def test_deploy_template_passes_the_prr_checks():
    """The custom-rule function is itself production-ready by our own checks."""
    proc = subprocess.run([sys.executable, "-m", "prr_policies.cli", "scan", str(ROOT / "deploy" / "config-rules"), "--only-prr", "-o", "json"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    statuses = {f["status"] for f in doc["findings"] if f.get("control_id")}
    assert statuses <= {"PASS", "NOT_APPLICABLE"} and "PASS" in statuses


def test_the_policies_checkov_cannot_read_in_the_deploy_template_pass_the_kms_check():
    """Issue 13: the deploy template's inline policy comes from file(), which checkov does not read, so
    PRR-KMS-004's check is skipped on exactly that resource; the file itself is held to the rule here. (The
    boundary policy reads the same file, but a permissions boundary grants nothing: the check says so.)"""
    import re

    from prr_policies.controls import evaluate
    from prr_policies.facts import IamPolicy
    from prr_policies.result import Status

    check = next(c for c in catalog().controls if c.id == "PRR-KMS-004").enforcement.checkov[0]
    text = (ROOT / "deploy" / "config-rules" / "main.tf").read_text()
    blocks = re.findall(r'resource "([^"]+)" "([^"]+)" \{\n(.*?)\n\}', text, re.S)
    skipped = [(t, n, body) for t, n, body in blocks if f"checkov:skip={check}:" in body]
    assert {(t, n) for t, n, _ in skipped} == {("aws_iam_role_policy", "rules")}
    assert all(re.search(r'policy\s*=\s*file\(".*/config_rules/rule-permissions.json"\)', body) for _, _, body in skipped)
    doc = json.loads((EXAMPLE / "config_rules" / "rule-permissions.json").read_text())
    assert evaluate("PRR-KMS-004", IamPolicy("rule-permissions.json", doc, inline=True), load_settings()).status is Status.PASS
    widened = {**doc, "Statement": doc["Statement"] + [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}
    assert evaluate("PRR-KMS-004", IamPolicy("rule-permissions.json", widened, inline=True), load_settings()).status is Status.FAIL


def test_shipped_managed_rule_list_matches_aws_list():
    """managed_rules.json is AWS's entry for every managed rule the catalog names (moto's copy of
    the list); the tool exits 1 when it is stale or the catalog names a rule AWS does not have."""
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "managed_rules.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_generate_needs_no_moto():
    """moto is a test dependency: generating and checking the artifacts must not import it."""
    code = "import sys; sys.modules['moto'] = None; from prr_policies.cli import main; sys.exit(main(['generate', '--check']))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
