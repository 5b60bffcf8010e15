"""terraform-compliance features (features/*.feature) run on the plan JSON of the example stacks
and of the control fixtures that carry a plan, each verdict compared with an oracle read from
the same plan, so the test holds for whatever plan.json is there (Terraform-written or derived).

terraform-compliance reads only single-line plan JSON and rewrites a multi-line file in place:
it gets a minified copy. It treats a value known only after apply as present (it cannot see
it); the oracle does the same, and the checkov checks stay the fail-closed authority."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT, STACKS

FEATURES = ROOT / "features"
TFC = Path(sys.executable).parent / "terraform-compliance"
PLANS = sorted(STACKS.glob("*/plan.json")) + [FIXTURES / "controls" / c / "plan.json"
                                             for c in ("PRR-LAMBDA-001", "PRR-LAMBDA-005", "PRR-LAMBDA-013")]
MIN_RETENTION = 30


def changes(plan: dict, rtype: str) -> list[dict]:
    return [rc for rc in plan.get("resource_changes", []) if rc.get("type") == rtype and rc.get("mode", "managed") == "managed"
            and (rc.get("change", {}).get("actions") or []) != ["delete"]]


def after(rc):
    return rc.get("change", {}).get("after") or {}, rc.get("change", {}).get("after_unknown") or {}


def first(v):
    return v[0] if isinstance(v, list) and v else (v if isinstance(v, dict) else {})


def set_or_unknown(values, unknown, key):
    return values.get(key) is not None or unknown.get(key) is True


def signed(plan):
    out = []
    for rc in changes(plan, "aws_lambda_function"):
        v, u = after(rc)
        if v.get("package_type") == "Zip":
            out.append(set_or_unknown(v, u, "code_signing_config_arn"))
    return out


def enforced(plan):
    out = []
    for rc in changes(plan, "aws_lambda_code_signing_config"):
        v, _ = after(rc)
        out.append(str(first(v.get("policies")).get("untrusted_artifact_on_deployment", "")).lower() == "enforce")
    return out


def traced(plan):
    return [str(first(after(rc)[0].get("tracing_config")).get("mode", "")).lower() == "active"
            for rc in changes(plan, "aws_lambda_function")]


def aliased(plan):
    refs = set()
    for r in (plan.get("configuration", {}).get("root_module", {}).get("resources") or []):
        if r.get("type") == "aws_lambda_alias":
            for ref in r.get("expressions", {}).get("function_name", {}).get("references", []):
                refs.add(".".join(ref.split(".")[:2]))
    return [rc["address"] in refs for rc in changes(plan, "aws_lambda_function")]


def retained(plan):
    return [(after(rc)[0].get("retention_in_days") or 0) >= MIN_RETENTION for rc in changes(plan, "aws_cloudwatch_log_group")]


def encrypted_logs(plan):
    return [set_or_unknown(*after(rc), "kms_key_id") for rc in changes(plan, "aws_cloudwatch_log_group")]


ORACLES = {  # scenario name -> the resources' verdicts; no resource = skipped (not failed)
    ".zip functions name a code signing config": signed,
    "code signing configs reject untrusted code": enforced,
    "tracing mode is Active": traced,
    "every function has an alias": aliased,
    "retention of at least 30 days": retained,
    "encrypted with a customer-managed key": encrypted_logs,
}


def run_features(plan_doc: dict, tmp_path: Path) -> dict[str, str]:
    """scenario name -> passed | failed | skipped, read from terraform-compliance's report
    (its JUnit writer files scenarios under the wrong features, so the console is read)."""
    single = tmp_path / "plan.json"
    single.write_text(json.dumps(plan_doc, separators=(",", ":")))  # one line
    proc = subprocess.run([TFC, "-f", FEATURES, "-p", single, "--no-ansi"], capture_output=True, text=True, cwd=tmp_path,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert proc.returncode in (0, 1) and "scenarios (" in proc.stdout, proc.stdout[-3000:] + proc.stderr[-3000:]
    out, name = {}, None
    for line in proc.stdout.splitlines():
        found = re.match(r"\s*Scenario: (.+?)\s*$", line)
        if found:
            name = found.group(1)
            out[name] = "passed"
        elif name and "Failure:" in line:
            out[name] = "failed"
        elif name and "SKIPPING" in line and out[name] == "passed":
            out[name] = "skipped"
    return out


def expected(plan_doc: dict) -> dict[str, str]:
    out = {}
    for name, oracle in ORACLES.items():
        verdicts = oracle(plan_doc)
        out[name] = "skipped" if not verdicts else "passed" if all(verdicts) else "failed"
    return out


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: str(p.relative_to(ROOT)))
def test_features_agree_with_the_plan(plan, tmp_path):
    doc = json.loads(plan.read_text())
    got = run_features(doc, tmp_path)
    want = expected(doc)
    assert set(got) <= set(ORACLES) and got  # a feature with nothing to check leaves its scenarios out
    for name in ORACLES:
        if want[name] == "skipped":
            assert got.get(name, "skipped") in ("passed", "skipped"), (name, got[name])
        else:
            assert got[name] == want[name], (name, got[name], want[name])


def test_a_multi_line_plan_is_left_alone(tmp_path):
    """The trap: given a multi-line file, terraform-compliance rewrites it; we never hand it one."""
    original = STACKS / "compliant" / "plan.json"
    before = original.read_bytes()
    run_features(json.loads(before), tmp_path)
    assert original.read_bytes() == before


def synthetic(alias: bool, retention: int | None, kms: bool) -> dict:
    """A small plan in `terraform show -json` shape for the release-path scenarios the example
    stacks do not exercise (an alias, a log group)."""
    fn = {"address": "aws_lambda_function.api", "mode": "managed", "type": "aws_lambda_function", "name": "api",
          "change": {"actions": ["create"], "after": {"function_name": "api", "package_type": "Zip", "code_signing_config_arn": None,
                                                     "tracing_config": [{"mode": "Active"}]}, "after_unknown": {"arn": True}}}
    log = {"address": "aws_cloudwatch_log_group.api", "mode": "managed", "type": "aws_cloudwatch_log_group", "name": "api",
           "change": {"actions": ["create"], "after": {"name": "/aws/lambda/api", "retention_in_days": retention,
                                                      "kms_key_id": "arn:aws:kms:eu-west-1:111122223333:key/k" if kms else None},
                      "after_unknown": {}}}
    rcs, conf = [fn, log], [{"address": "aws_lambda_function.api", "mode": "managed", "type": "aws_lambda_function", "name": "api",
                             "expressions": {"function_name": {"constant_value": "api"}}}]
    if alias:
        rcs.append({"address": "aws_lambda_alias.live", "mode": "managed", "type": "aws_lambda_alias", "name": "live",
                    "change": {"actions": ["create"], "after": {"name": "live"}, "after_unknown": {"function_name": True}}})
        conf.append({"address": "aws_lambda_alias.live", "mode": "managed", "type": "aws_lambda_alias", "name": "live",
                     "expressions": {"function_name": {"references": ["aws_lambda_function.api.function_name", "aws_lambda_function.api"]}}})
    return {"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {}},
            "resource_changes": rcs, "configuration": {"root_module": {"resources": conf}}}


@pytest.mark.parametrize("alias, retention, kms", [(True, 30, True), (False, 7, False), (True, None, True), (False, 365, False)])
def test_release_path_scenarios(alias, retention, kms, tmp_path):
    doc = synthetic(alias, retention, kms)
    got, want = run_features(doc, tmp_path), expected(doc)
    for name in ("every function has an alias", "retention of at least 30 days", "encrypted with a customer-managed key",
                 ".zip functions name a code signing config", "tracing mode is Active"):
        assert got[name] == want[name], (name, got[name], want[name])
    assert want["every function has an alias"] == ("passed" if alias else "failed")
    assert want["retention of at least 30 days"] == ("passed" if (retention or 0) >= 30 else "failed")
