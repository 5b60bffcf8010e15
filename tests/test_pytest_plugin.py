"""The pytest plugin in another project: a scratch project (its own Terraform, prr.yaml,
configuration items and tests) runs a small suite with the installed package's `pytest11`
entry point; the failing test's message shows the finding and its reason."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from xml.etree import ElementTree as ET

from .conftest import EXAMPLE, FIXTURES, ROOT, STACKS

SUITE = '''
FN = "arn:aws:lambda:eu-west-1:111122223333:function:app-orders-api"


def test_compliant_stack_traces(prr_scan):
    assert prr_scan("infra/compliant").control("PRR-LAMBDA-001").passed


def test_noncompliant_stack_fails_tracing_on_the_api_handler(prr_scan):
    result = prr_scan("infra/noncompliant").control("PRR-LAMBDA-001")
    assert result.failed and result.resource("aws_lambda_function.api_handler").failed


def test_plan_too(prr_scan):
    assert prr_scan(plan="infra/noncompliant/plan.json").control("PRR-LAMBDA-001").failed


def test_deploy_role_can_still_publish_a_version(prr_guardrails):
    g = prr_guardrails("prr.yaml")
    assert g.deploy_role("lambda:PublishVersion", FN, context={"aws:ResourceTag/app": "orders"}).allowed


def test_deploy_role_cannot_detach_the_boundary(prr_guardrails):
    role = "arn:aws:iam::111122223333:role/app-orders-api"
    assert prr_guardrails("prr.yaml").deploy_role("iam:DeleteRolePermissionsBoundary", role, identity="admin").denied


def test_configuration_items(prr_config_rule):
    assert prr_config_rule("PRR-LAMBDA-001", "items/pass.json").passed
    assert prr_config_rule("PRR-LAMBDA-001", "items/fail.json").failed


def test_expected_to_fail_shows_the_reason(prr_scan):
    assert prr_scan("infra/noncompliant").control("PRR-LAMBDA-001").passed
'''


def test_entry_point_is_declared():
    (ep,) = [e for e in entry_points(group="pytest11") if e.name == "prr_policies"]
    assert ep.value == "prr_policies.pytest_plugin"
    assert 'prr_policies = "prr_policies.pytest_plugin"' in (ROOT / "pyproject.toml").read_text()


def test_a_scratch_project_uses_the_plugin(tmp_path):
    shutil.copytree(STACKS / "compliant", tmp_path / "infra/compliant")
    shutil.copytree(STACKS / "noncompliant", tmp_path / "infra/noncompliant")
    shutil.copy(EXAMPLE / "prr.yaml", tmp_path / "prr.yaml")
    shutil.copytree(FIXTURES / "controls/PRR-LAMBDA-001/config_items", tmp_path / "items")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_prr.py").write_text(textwrap.dedent(SUITE))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--junitxml", "out.xml", "tests"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "prr-policies-" in proc.stdout.split("collected")[0]  # loaded through the entry point, not -p
    cases = {c.get("name"): c for c in ET.parse(tmp_path / "out.xml").getroot().iter("testcase")}
    failed = {n for n, c in cases.items() if c.find("failure") is not None or c.find("error") is not None}
    assert len(cases) == 7 and failed == {"test_expected_to_fail_shows_the_reason"}, proc.stdout[-3000:]
    message = cases["test_expected_to_fail_shows_the_reason"].find("failure").text
    assert "FAIL aws_lambda_function.api_handler (terraform:" in message and "PassThrough" in message
