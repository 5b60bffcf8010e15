"""The pre-commit hook's entry point and the example .checkov.yaml."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from prr_policies import precommit

from .conftest import EXAMPLE, STACKS


def test_pre_commit_hook_scans_each_changed_directory(capsys):
    assert precommit.main([str(STACKS / "compliant" / "main.tf"), str(STACKS / "noncompliant" / "main.tf")]) == 1
    out = capsys.readouterr().out
    assert f"== {STACKS / 'compliant'}" in out and f"== {STACKS / 'noncompliant'}" in out and "PRR-LAMBDA-001" in out
    assert precommit.main(["README.md"]) == 0 and "no .tf files" in capsys.readouterr().out


def test_example_checkov_config_loads_the_prr_checks():
    env = dict(os.environ, PYTHONHASHSEED="0", BC_SKIP_MAPPING="TRUE")
    proc = subprocess.run([sys.executable, "-m", "checkov.main", "--config-file", ".checkov.yaml", "-o", "json", "--check", "CKV_PRR_1,CKV_PRR_5,CKV_PRR_12"],
                          capture_output=True, text=True, cwd=EXAMPLE, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    passed = {(r["check_id"], r["resource"]) for r in doc["results"]["passed_checks"]}
    assert ("CKV_PRR_1", "aws_lambda_function.api_handler") in passed and ("CKV_PRR_5", "aws_lambda_function.worker") in passed
