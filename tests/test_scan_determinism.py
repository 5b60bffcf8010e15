"""Verdicts that do not change from run to run (issue 11): checkov's module rendering depends on
Python's hash seed, so scan runs checkov with PYTHONHASHSEED=0 whatever the caller's is.

The issue saw the verdicts of a module fixture change with the seed; with checkov 3.3.30 on the
fixtures here the flip did not reproduce, so identical verdicts across seeds alone would also
hold for the code before the fix. The test that fails on that code is the one on the
environment the checkov processes get.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from prr_policies import checkov_process

from .conftest import FIXTURES

MODULES = FIXTURES / "modules"  # local_module and two_instances_count_zero: two roots


def scan_under_seed(seed: str) -> list[tuple]:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    proc = subprocess.run([sys.executable, "-m", "prr_policies.cli", "scan", str(MODULES), "-o", "json"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    assert {r["root"].rsplit("/", 1)[-1] for r in doc["roots"]} == {"local_module", "two_instances_count_zero"}
    return sorted((f["root"], f["check_id"], f["resource"], f["status"], f["reason"]) for f in doc["findings"])


def test_module_fixtures_give_identical_verdicts_under_several_hash_seeds():
    runs = {seed: scan_under_seed(seed) for seed in ("0", "1", "2", "3")}
    first = runs["0"]
    assert any(r[2].startswith("module.off.") for r in first)  # the count = 0 instance is in the scan
    assert any(not r[1].startswith("CKV_PRR") for r in first)  # built-in checks are compared too
    for seed, found in runs.items():
        assert found == first, f"PYTHONHASHSEED={seed} changed the verdicts"


@pytest.mark.parametrize("fork", ["1", "0"])
def test_checkov_runs_get_hash_seed_0_whatever_the_callers_is(monkeypatch, fork):
    """Issue 11: scan passed its own environment to checkov, so the seed was random per run."""
    seen = []

    def fake_run(cmd, **kwargs):
        seen.append(kwargs["env"]["PYTHONHASHSEED"])
        if "prr_policies.checkov_process" in cmd:
            return subprocess.CompletedProcess(cmd, 0, json.dumps([0]), "")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setenv("PRR_SCAN_FORK", fork)
    monkeypatch.setattr(checkov_process.subprocess, "run", fake_run)
    checkov_process.run_all([["-d", "."]], dict(os.environ, PYTHONHASHSEED="random"))
    assert seen == ["0"]
