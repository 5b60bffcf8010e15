"""Several root modules in one scan (issue 11): each root is scanned on its own, and reported per root."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prr_policies.scan import ScanOptions, evaluate, plan_targets

from .conftest import FIXTURES

ROOTS = FIXTURES / "scan" / "roots"  # a, b, c share addresses: aws_lambda_function.this, module.svc.*, module.fn.*


def verdicts(findings) -> set[tuple]:
    return {(f["check_id"], f["resource"], f["status"], f["reason"]) for f in findings if f["control_id"]}


@pytest.fixture(scope="module")
def per_root():
    proc = subprocess.run([sys.executable, "-m", "prr_policies.cli", "scan", str(ROOTS), "--only-prr", "-o", "json"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_each_root_gives_the_verdicts_it_gives_scanned_alone(per_root, tmp_path):
    """Issue 11: scanning a folder of root modules with checkov merged resources that have the
    same module address across roots: results were lost and verdicts wrong."""
    assert [r["root"].rsplit("/", 1)[-1] for r in per_root["roots"]] == ["a", "b", "c"]
    options = ScanOptions(only_prr=True)
    targets = []
    for name in "abc":  # each root alone, beside the shared module it calls
        alone = tmp_path / name
        shutil.copytree(ROOTS / name, alone / name)
        shutil.copytree(ROOTS / "modules", alone / "modules")
        targets += plan_targets(alone / name, None, options, tmp_path)
    alone = evaluate(targets, None, options)
    for name, report in zip("abc", alone.roots):
        got = [f for f in per_root["findings"] if f["root"].endswith("/" + name)]
        assert verdicts(got) == verdicts(f.to_dict() for f in report.findings), name
    a = {(f["check_id"], f["resource"]): f["status"] for f in per_root["findings"] if f["root"].endswith("/a")}
    assert a[("CKV_PRR_12", "aws_lambda_function.this")] == "PASS"  # a's own role has the boundary
    assert a[("CKV_PRR_1", "module.fn.aws_lambda_function.f")] == "PASS"


def test_single_root_keeps_checkovs_one_run_and_its_merging(per_root):
    """The fixture does exercise the trap: one checkov run over the folder loses results."""
    proc = subprocess.run([sys.executable, "-m", "prr_policies.cli", "scan", str(ROOTS), "--only-prr", "-o", "json",
                           "--single-root"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr[-3000:]
    single = json.loads(proc.stdout)
    assert len(single["roots"]) == 1
    assert single["summary"]["evaluated"] < per_root["summary"]["evaluated"]
    fn = [f for f in single["findings"] if (f["check_id"], f["resource"]) == ("CKV_PRR_1", "module.fn.aws_lambda_function.f")]
    assert len(fn) < 3  # three roots each call module "fn"


def test_the_report_counts_per_root(per_root):
    for root in per_root["roots"]:
        mine = [f for f in per_root["findings"] if f["root"] == root["root"]]
        assert root["prr_results"] == len(mine) > 0
        assert root["FAIL"] == sum(f["status"] == "FAIL" for f in mine)
    assert per_root["summary"]["evaluated"] == sum(r["prr_results"] for r in per_root["roots"])


def test_roots_run_in_parallel_and_without_fork_alike(per_root):
    """The forked launcher (default on POSIX) and plain `python -m checkov.main` subprocesses give
    the same findings."""
    import os

    env = dict(os.environ, PRR_SCAN_FORK="0")
    proc = subprocess.run([sys.executable, "-m", "prr_policies.cli", "scan", str(ROOTS), "--only-prr", "-o", "json",
                           "--jobs", "2"], capture_output=True, text=True, env=env)
    assert proc.returncode == 1, proc.stderr[-3000:]
    key = lambda f: (f["root"], f["check_id"], f["resource"], f["status"], f["reason"])  # noqa: E731
    assert sorted(map(key, json.loads(proc.stdout)["findings"])) == sorted(map(key, per_root["findings"]))


def test_a_nested_root_is_not_scanned_twice(tmp_path):
    """checkov -d walks subdirectories: the outer root must leave the inner root to its own run."""
    shutil.copytree(ROOTS / "a", tmp_path / "a")
    shutil.copytree(ROOTS / "modules", tmp_path / "modules")
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "top" {\n  name = "top"\n}\n')
    options = ScanOptions(only_prr=True)
    result = evaluate(plan_targets(tmp_path, None, options, tmp_path), None, options)
    by_root = {Path(r.label).name: {f.resource.split(".")[0] + "." + f.resource.split(".")[1] for f in r.findings}
               for r in result.roots}
    assert by_root[tmp_path.name] == {"aws_sqs_queue.top"}
    assert "aws_sqs_queue.top" not in by_root["a"] and "aws_lambda_function.this" in by_root["a"]
