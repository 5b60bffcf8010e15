"""``prr-policies scan``: run checkov with our checks over a Terraform tree and/or a plan file.

Input is validated first (one clear line and exit 2 for a missing path, malformed HCL or plan
JSON, or invalid settings); checkov then runs in a subprocess with our external checks dir, and
its JSON report is summarised by control. Checkov is not imported here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prr_policies.catalog import catalog
from prr_policies.errors import InputError
from prr_policies.result import Status
from prr_policies.settings import DEFAULTS_FILE, ENV_VAR, load_settings

CHECKS_DIR = Path(__file__).resolve().parent / "checkov_checks"


@dataclass(frozen=True)
class Finding:
    check_id: str
    control_id: str | None
    resource: str
    file: str
    framework: str
    status: Status
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"check_id": self.check_id, "control_id": self.control_id, "resource": self.resource,
                "file": self.file, "framework": self.framework, "status": self.status.value, "reason": self.reason}


def validate_inputs(path: Path | None, plan: Path | None) -> None:
    """Raise InputError for a missing path, malformed .tf file or malformed plan JSON."""
    if path is not None:
        if not path.exists():
            raise InputError(str(path), "", "no such file or directory")
        import hcl2  # checkov's HCL parser (bc-python-hcl2); only needed when scanning

        files = [path] if path.is_file() else sorted(p for p in path.rglob("*.tf") if ".terraform" not in p.parts)
        for tf in files:
            if tf.suffix != ".tf":
                continue
            try:
                hcl2.loads(tf.read_text(encoding="utf-8"))
            except Exception as exc:  # noqa: BLE001 - lark raises many types; report the first line
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise InputError(str(tf), "", f"malformed HCL: {first}") from None
    if plan is not None:
        if not plan.is_file():
            raise InputError(str(plan), "", "no such plan file")
        try:
            doc = json.loads(plan.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(str(plan), "", f"malformed plan JSON: {exc}") from None
        if not isinstance(doc, dict) or "format_version" not in doc:
            raise InputError(str(plan), "format_version", "not a `terraform show -json` plan (no format_version)")
        if not isinstance(doc.get("planned_values", {}), dict):
            raise InputError(str(plan), "planned_values", "expected an object")


def run_checkov(path: Path | None, plan: Path | None, settings_file: Path | None, only_prr: bool,
                extra_outputs: tuple[str, ...] = (), output_dir: Path | None = None) -> list[dict[str, Any]]:
    """Run the checkov CLI once; returns its JSON report(s) as a list."""
    cmd = [sys.executable, "-m", "checkov.main", "--compact", "--skip-download",
           "--external-checks-dir", str(CHECKS_DIR), "-o", "json"]
    for fmt in extra_outputs:
        cmd += ["-o", fmt]
    if output_dir is not None:
        cmd += ["--output-file-path", str(output_dir)]
    if path is not None:
        cmd += ["-d" if path.is_dir() else "-f", str(path)]
    if plan is not None:
        cmd += ["-f", str(plan)]
    frameworks = (["terraform"] if path is not None else []) + (["terraform_plan"] if plan is not None else [])
    cmd += ["--framework", *frameworks]
    if only_prr:
        cmd += ["--check", ",".join(ck for c in catalog().controls for ck in c.enforcement.checkov)]
    # Always name the settings: checkov's side would otherwise read a prr.yaml in its working directory.
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE")
    env[ENV_VAR] = str(settings_file if settings_file is not None else DEFAULTS_FILE)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"checkov exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    if output_dir is not None:
        text = (output_dir / "results_json.json").read_text()
    else:
        text = proc.stdout
    start = text.find("[") if text.lstrip().startswith("[") else text.find("{")
    if start < 0:
        return []  # checkov prints nothing when it found nothing to scan
    doc = json.loads(text[start:])
    reports = doc if isinstance(doc, list) else [doc]
    errors = [line for line in proc.stderr.splitlines() if "Failed to run check" in line]
    if errors:
        raise RuntimeError("checkov dropped checks that raised: " + "; ".join(errors))
    return reports


def findings(reports: list[dict[str, Any]]) -> list[Finding]:
    by_checkov = catalog().by_checkov_id()
    out = []
    for report in reports:
        results = report.get("results") or {}
        for key in ("passed_checks", "failed_checks"):
            for rec in results.get(key, []):
                check_id = rec.get("check_id", "")
                details = rec.get("details") or []
                control = by_checkov.get(check_id)
                status = None
                reason = rec.get("check_name", "")
                if control is not None and details:
                    status = Status.from_detail(details[0])
                    reason = details[0].partition(": ")[2] or reason
                if status is None:
                    status = Status.PASS if key == "passed_checks" else Status.FAIL
                out.append(Finding(check_id, control.id if control else None, rec.get("resource", ""),
                                   rec.get("file_path", ""), report.get("check_type", ""), status, reason))
    return out


def summary_lines(found: list[Finding]) -> list[str]:
    lines = []
    ours = [f for f in found if f.control_id]
    lines.append(f"{'control':<16} {'check':<12} {'pass':>5} {'fail':>5} {'unknown':>8} {'warn':>5} {'n/a':>5}  title")
    for control in catalog().controls:
        mine = [f for f in ours if f.control_id == control.id]
        if not mine:
            continue
        counts = {s: sum(1 for f in mine if f.status is s) for s in Status}
        lines.append(f"{control.id:<16} {','.join(control.enforcement.checkov):<12} {counts[Status.PASS]:>5} "
                     f"{counts[Status.FAIL]:>5} {counts[Status.UNKNOWN]:>8} {counts[Status.WARNING]:>5} "
                     f"{counts[Status.NOT_APPLICABLE]:>5}  {control.title}")
    # Blocking findings, then warnings (listed, but they do not change the exit code).
    for title, shown in (("Findings:", [f for f in ours if f.status.blocks]),
                         ("Warnings (not blocking):", [f for f in ours if f.status is Status.WARNING])):
        if not shown:
            continue
        lines.append("")
        lines.append(title)
        for f in sorted(shown, key=lambda f: (f.control_id or "", f.file, f.resource)):
            lines.append(f"  {f.status.value:<7} {f.control_id} {f.resource} ({f.framework}: {f.file})")
            lines.append(f"          {f.reason}")
    builtin = [f for f in found if not f.control_id]
    if builtin:
        failed = sum(1 for f in builtin if f.status is Status.FAIL)
        lines.append("")
        lines.append(f"checkov built-in checks: {len(builtin) - failed} passed, {failed} failed (run checkov directly for details)")
    return lines


def scan_settings_file(given: str | None, path: Path | None) -> Path | None:
    """``--settings``, else ``$PRR_SETTINGS``, else a prr.yaml in the scanned directory, else
    None (the package defaults). A prr.yaml in the working directory is not picked up: scanning
    a stack from a repository root must not silently use another project's settings."""
    if given:
        return Path(given)
    env = os.environ.get(ENV_VAR)
    if env:
        if not Path(env).is_file():
            raise InputError(env, "", f"{ENV_VAR} names a file that does not exist")
        return Path(env)
    if path is not None:
        local = (path if path.is_dir() else path.parent) / "prr.yaml"
        if local.is_file():
            return local
    return None


def scan(path: str | None, plan: str | None, settings: str | None, output: str, only_prr: bool) -> int:
    p = Path(path) if path else None
    pl = Path(plan) if plan else None
    if p is not None and pl is None and p.suffix == ".json":
        p, pl = None, p  # a plan file given as PATH
    try:
        settings_file = scan_settings_file(settings, p)
        if settings_file is not None:
            load_settings(settings_file)
        if p is None and pl is None:
            raise InputError("scan", "", "give a PATH, a --plan FILE, or both")
        validate_inputs(p, pl)
        if importlib.util.find_spec("checkov") is None:
            raise InputError("checkov", "", "checkov is not installed: pip install \"prr-policies[checkov]\"")
    except InputError as exc:
        print(f"prr-policies: {exc}", file=sys.stderr)
        return 2
    print(f"prr-policies: settings: {settings_file or 'package defaults'}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        extra = (output,) if output in ("sarif", "junitxml") else ()
        reports = run_checkov(p, pl, settings_file.resolve() if settings_file else None, only_prr, extra,
                              Path(tmp) if extra else None)
        found = findings(reports)
        if output == "json":
            print(json.dumps({"findings": [f.to_dict() for f in found]}, indent=2))
        elif output == "asff":  # AWS Security Hub's format: prr_policies.security_hub
            from prr_policies.security_hub import render_scan
            print(render_scan(found))
        elif extra:
            name = "results_sarif.sarif" if output == "sarif" else "results_junitxml.xml"
            print((Path(tmp) / name).read_text())
        else:
            print("\n".join(summary_lines(found)))
    failed = any(f.control_id and f.status.blocks for f in found)
    return 1 if failed else 0
