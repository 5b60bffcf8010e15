"""CONTRIBUTING.md's "add a rule to an existing kind" recipe, followed on a scratch control in a
copy of the package: three places change (catalog entry, rule, fixtures) and nothing else, and
checkov, the Config rule handler, the conformance pack and the audit all evaluate the new control."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import FIXTURES, ROOT

CONTROL, CHECK = "PRR-LAMBDA-099", "CKV_PRR_99"

CATALOG_ENTRY = """
  - id: PRR-LAMBDA-099
    title: Lambda functions have at least 256 MB of memory (scratch control of the contributing test)
    severity: LOW
    facts: LambdaFunction
    resource_types: [aws_lambda_function]
    rationale: >-
      A scratch control: it exists only in the contributing test's copy of the package.
    remediation: |
      resource "aws_lambda_function" "this" {
        memory_size = 256
      }
    requirements: ["1.3"]
    compliance:
      iso27001_2022: [A.8.6]
      soc2_tsc: [A1.1]
      nist_csf_2: [PR.IR-04]
    enforcement:
      checkov: [CKV_PRR_99]
      config_trigger: change
      config_rules: [prr-lambda-099]
      audit: [AWS::Lambda::Function]
"""

RULE = '''

@rule("PRR-LAMBDA-099")
def memory_floor(fn: LambdaFunction, settings: Settings) -> Verdict:
    if isinstance(fn.memory_size, Unknown):
        return unknown("Memory", fn.memory_size)
    if fn.memory_size is None or fn.memory_size < 256:
        return F, f"Memory is {fn.memory_size} MB, less than 256 MB."
    return P, f"Memory is {fn.memory_size} MB."
'''

MAIN_TF = """
resource "aws_lambda_function" "pass_512" {
  function_name = "pass-512"
  role          = "arn:aws:iam::123456789012:role/r"
  runtime       = "python3.13"
  handler       = "app.handler"
  filename      = "app.zip"
  memory_size   = 512
}
resource "aws_lambda_function" "fail_default_128" {
  function_name = "fail-128"
  role          = "arn:aws:iam::123456789012:role/r"
  runtime       = "python3.13"
  handler       = "app.handler"
  filename      = "app.zip"
}
"""

EXPECTED = {"control": CONTROL, "results": {"aws_lambda_function.pass_512": "PASS", "aws_lambda_function.fail_default_128": "FAIL"}}


def _item(name: str, memory: float) -> dict:
    arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{name}"
    return {"version": "1.3", "configurationItemCaptureTime": "2026-11-20T10:15:02.114Z", "configurationItemStatus": "OK",
            "accountId": "123456789012", "resourceType": "AWS::Lambda::Function", "resourceId": name, "resourceName": name,
            "ARN": arn, "awsRegion": "eu-west-1",
            "configuration": {"functionName": name, "functionArn": arn, "runtime": "python3.13", "timeout": 30,
                              "memorySize": memory, "packageType": "Zip", "tracingConfig": {"mode": "Active"}},
            "supplementaryConfiguration": {}}


DRIVER = r'''
import json, os, subprocess, sys
from pathlib import Path
import boto3
from moto import mock_aws

work = Path(sys.argv[1])
out = {}
import prr_policies
out["package"] = prr_policies.__file__
from prr_policies.controls import RULES
from prr_policies.config_rules.evaluators import EVALUATORS
from prr_policies.config_rules import pack
from prr_policies.settings import load_settings
settings = load_settings(work / "fixtures" / "prr.yaml")
out["rule"] = "PRR-LAMBDA-099" in RULES
out["evaluator"] = EVALUATORS["PRR-LAMBDA-099"].trigger
out["in_pack"] = "prr-lambda-099" in pack.generate(settings)["config_rules/conformance-pack.yaml"]

# checkov, with the copy's external checks
env = dict(os.environ, PRR_SETTINGS=str(work / "fixtures" / "prr.yaml"), BC_SKIP_MAPPING="TRUE", PYTHONHASHSEED="0")
fixture = work / "fixtures" / "controls" / "PRR-LAMBDA-099"
proc = subprocess.run([sys.executable, "-m", "checkov.main", "-d", str(fixture), "--framework", "terraform",
                       "--external-checks-dir", str(Path(prr_policies.__file__).parent / "checkov_checks"),
                       "--check", "CKV_PRR_99", "-o", "json", "--compact", "--skip-download"],
                      capture_output=True, text=True, env=env, cwd=fixture)
report = json.loads(proc.stdout)
out["checkov"] = {r["resource"]: r["details"][0].split(":")[0] for key in ("passed_checks", "failed_checks")
                  for r in report["results"][key]}

# the Config rule handler, through rdklib (TestMode)
from prr_policies.config_rules import handler
os.environ.update(AWS_REGION="eu-west-1", AWS_DEFAULT_REGION="eu-west-1")
out["config"] = {}
with mock_aws():
    for path in sorted((fixture / "config_items").glob("*.json")):
        item = json.loads(path.read_text())
        event = {"invokingEvent": json.dumps({"messageType": "ConfigurationItemChangeNotification", "configurationItem": item,
                                              "notificationCreationTime": "2026-11-27T12:00:00.000Z", "recordVersion": "1.3"}),
                 "ruleParameters": json.dumps({"ControlId": "PRR-LAMBDA-099", "AssumeRoleMode": "false"}), "resultToken": "TESTMODE",
                 "eventLeftScope": False, "executionRoleArn": "arn:aws:iam::123456789012:role/config-role",
                 "configRuleArn": "arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-abc",
                 "configRuleName": "prr-lambda-099", "configRuleId": "config-rule-abc", "accountId": "123456789012", "version": "1.0"}
        out["config"][path.stem] = handler.lambda_handler(event, None, settings)[0]["ComplianceType"]

# the audit, over a moto account
from prr_policies import audit
sys.path.insert(0, str(work / "repo_tests"))
from aws_stack import _zip
with mock_aws():
    iam, lam = boto3.client("iam", region_name="eu-west-1"), boto3.client("lambda", region_name="eu-west-1")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for name, memory in (("big", 512), ("small", 128)):
        lam.create_function(FunctionName=name, Runtime="python3.13", Role=role, Handler="app.handler",
                            Code={"ZipFile": _zip()}, MemorySize=memory)
    report = audit.run(lambda s: boto3.client(s, region_name="eu-west-1"), settings)
out["audit"] = {f.resource_id: f.result.status.value for f in report.findings if f.control_id == "PRR-LAMBDA-099"}
print(json.dumps(out))
'''


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def test_add_a_rule_recipe_works_end_to_end(tmp_path):
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    (tmp_path / "fixtures").mkdir()
    shutil.copy(FIXTURES / "prr.yaml", tmp_path / "fixtures" / "prr.yaml")
    shutil.copytree(ROOT / "tests", tmp_path / "repo_tests", ignore=shutil.ignore_patterns("__pycache__"))
    before = _tree(tmp_path / "src")

    # 1. the catalog entry
    catalog = tmp_path / "src" / "prr_policies" / "catalog" / "controls.yaml"
    catalog.write_text(catalog.read_text().rstrip("\n") + "\n" + CATALOG_ENTRY)
    # 2. the rule, in its kind's family file
    family = tmp_path / "src" / "prr_policies" / "controls" / "function.py"
    family.write_text(family.read_text() + RULE)
    # 3. the fixtures
    fixture = tmp_path / "fixtures" / "controls" / CONTROL
    (fixture / "config_items").mkdir(parents=True)
    (fixture / "main.tf").write_text(textwrap.dedent(MAIN_TF))
    (fixture / "expected.yaml").write_text(json.dumps(EXPECTED))
    (fixture / "config_items" / "pass.json").write_text(json.dumps(_item("big", 512.0)))
    (fixture / "config_items" / "fail.json").write_text(json.dumps(_item("small", 128)))

    changed = {p for p, h in _tree(tmp_path / "src").items() if before.get(p) != h}
    assert changed == {"prr_policies/catalog/controls.yaml", "prr_policies/controls/function.py"}

    env = dict(os.environ, PYTHONPATH=str(tmp_path / "src"))
    env.pop("PRR_SETTINGS", None)
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(tmp_path)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["package"].startswith(str(tmp_path / "src"))  # the copy, not the installed package
    assert got["rule"] and got["evaluator"] == "change" and got["in_pack"]
    assert got["checkov"] == EXPECTED["results"]
    assert got["config"] == {"pass": "COMPLIANT", "fail": "NON_COMPLIANT"}
    assert got["audit"] == {"big": "PASS", "small": "FAIL"}
