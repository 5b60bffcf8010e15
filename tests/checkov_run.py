"""Run the real checkov CLI once and index its JSON report (shared by the checkov tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class CheckovRun:
    records: list[dict]
    stderr: str

    def status(self, check_type: str, folder: str, check_id: str, resource: str) -> tuple[str, str] | None:
        for r in self.records:
            if (r["check_type"], r["folder"], r["check_id"], r["resource"]) == (check_type, folder, check_id, resource):
                return r["result"], (r.get("details") or [""])[0]
        return None


def run_checkov(directory: Path, checks_dir: Path, settings: Path | None, extra: list[str] = (), seed: str = "0") -> CheckovRun:
    """One checkov CLI run. Python's hash seed is fixed: checkov's module rendering depends on it."""
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", LOG_LEVEL="WARNING", PYTHONHASHSEED=seed)
    if settings:
        env["PRR_SETTINGS"] = str(settings)
    cmd = [sys.executable, "-m", "checkov.main", "-d", str(directory), "--external-checks-dir", str(checks_dir),
           "--skip-download", "--compact", "-o", "json", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=directory)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    records = []
    for report in doc if isinstance(doc, list) else [doc]:
        for key in ("passed_checks", "failed_checks"):
            for rec in report["results"][key]:
                records.append({
                    "check_type": report["check_type"], "folder": Path(rec["file_path"].lstrip("/")).parts[0],
                    "check_id": rec["check_id"], "resource": rec["resource"],
                    "result": rec["check_result"]["result"], "details": rec.get("details"),
                })
    return CheckovRun(records, proc.stderr)


def run_checkov_on_hcl(hcl: str, check_ids: list[str]) -> CheckovRun:
    """The given HCL as main.tf under our checks and the fixture settings, one checkov run.

    HCL only: Terraform takes 10-20 s to plan one directory here, too slow for a property test's
    examples. The plan path of the same renderer is covered by tests/test_terraform_generated.py,
    over a fixed sample planned by Terraform itself and committed."""
    from prr_policies.scan import CHECKS_DIR

    from .conftest import FIXTURES

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "stack"
        d.mkdir()
        (d / "main.tf").write_text(hcl)
        return run_checkov(d, CHECKS_DIR, FIXTURES / "prr.yaml", ["--check", ",".join(check_ids)])
