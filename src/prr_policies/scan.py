"""``prr-policies scan``: run checkov with our checks over Terraform (HCL, Terraform JSON, plan or
state JSON) and report by control, by root module, with every exemption listed.

Input is validated first (one clear line and exit 2 for a missing path, malformed HCL or JSON,
an unsupported plan format, invalid settings). A directory is split into its root modules (see
:meth:`prr_policies.scan_inputs.Tree.roots`), each scanned by its own checkov run (several at a
time, with a fixed hash seed: :mod:`prr_policies.checkov_process`); ``--single-root`` keeps
checkov's one run over the whole folder. Module calls checkov did not read are findings, a scan
that evaluated nothing a PRR control applies to exits 3 unless ``--allow-empty``, and a checkov
failure is an :class:`EvaluationError` (exit 3). Checkov is not imported here.

Exit codes: 0 compliant, 1 PRR findings (FAIL or UNKNOWN), 2 bad input or usage, 3 could not
evaluate (checkov or python-hcl2 missing or failing, or nothing a PRR control applies to found).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prr_policies.catalog import catalog
from prr_policies.errors import EvaluationError, InputError, MissingDependency
from prr_policies.result import Status
from prr_policies.scan_inputs import (
    ModuleCall, Tree, has_tf_files, is_tf_file, parse_tf, module_calls, read_show_json,
    state_as_plan, tf_dirs,
)
from prr_policies.settings import DEFAULTS_FILE, ENV_VAR, load_settings

CHECKS_DIR = Path(__file__).resolve().parent / "checkov_checks"
MODULE_NOT_READ = "PRR_MODULE_NOT_READ"
# checkov options scan sets itself or that would hide results from it (it counts every verdict).
RESERVED_CHECKOV_OPTIONS = {
    "-d": "give the directory as PATH", "--directory": "give the directory as PATH",
    "-f": "give the file as PATH or --plan", "--file": "give the file as PATH or --plan",
    "-o": "use scan's -o", "--output": "use scan's -o", "--output-file-path": "redirect scan's output instead",
    "--quiet": "it drops passed checks, which scan counts", "--soft-fail": "scan's exit code is its own",
    "--soft-fail-on": "scan's exit code is its own", "--hard-fail-on": "scan's exit code is its own",
    "--baseline": "use scan's --baseline (it keeps baseline exemptions visible)",
    "--output-baseline-as-skipped": "scan lists baseline exemptions already",
    "--create-baseline": "run checkov itself to create a baseline", "--list": "run checkov itself",
    "--external-checks-dir": "scan sets it", "--version": "run checkov itself", "-v": "run checkov itself",
}


@dataclass(frozen=True)
class Finding:
    check_id: str
    control_id: str | None
    resource: str
    file: str
    framework: str
    status: Status
    reason: str
    lines: tuple[int, int] | None = None
    root: str = ""
    called_from: str | None = None  # "main.tf:3-7" for a resource inside a module: where the module is called

    @property
    def is_prr(self) -> bool:
        return self.control_id is not None or self.check_id == MODULE_NOT_READ

    @property
    def location(self) -> str:
        return f"{self.file}:{self.lines[0]}-{self.lines[1]}" if self.lines else self.file

    def to_dict(self) -> dict[str, Any]:
        from prr_policies.scan_output import guideline

        out: dict[str, Any] = {
            "check_id": self.check_id, "control_id": self.control_id, "resource": self.resource, "file": self.file,
            "lines": list(self.lines) if self.lines else None, "root": self.root, "framework": self.framework,
            "status": self.status.value, "reason": self.reason}
        if self.called_from:
            out["called_from"] = self.called_from
        if self.control_id:
            control = catalog().control(self.control_id)
            out.update(title=control.title, severity=control.severity, remediation=control.remediation,
                       guideline=guideline(self.control_id))
        return out


@dataclass(frozen=True)
class Exemption:
    """A verdict a team waived: an inline ``#checkov:skip=ID:reason`` or an entry of ``--baseline``."""

    check_id: str
    control_id: str | None
    resource: str
    file: str
    lines: tuple[int, int] | None
    root: str
    framework: str
    reason: str
    how: str  # "inline skip comment" | "baseline FILE"
    status: Status | None = None  # the verdict it waives, when known (baseline entries)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.lines[0]}-{self.lines[1]}" if self.lines else self.file

    def to_dict(self) -> dict[str, Any]:
        return {"check_id": self.check_id, "control_id": self.control_id, "resource": self.resource, "file": self.file,
                "lines": list(self.lines) if self.lines else None, "root": self.root, "framework": self.framework,
                "reason": self.reason, "how": self.how, "waived_status": self.status.value if self.status else None}


@dataclass
class Target:
    """One checkov run: a root module, a single file, a plan, or a state."""

    label: str
    kind: str  # "terraform", "plan" or "state"
    argv: list[str]
    calls: list[tuple[str, ModuleCall]] = field(default_factory=list)
    source: Path | None = None  # the plan/state file as given
    scanned: Path | None = None  # the copy checkov reads in its place (a state)


@dataclass
class ScanOptions:
    only_prr: bool = False
    allow_empty: bool = False
    single_root: bool = False
    jobs: int | None = None
    var_files: tuple[str, ...] = ()
    skip_checks: tuple[str, ...] = ()
    baseline: str | None = None
    download_external_modules: bool = False
    frameworks: tuple[str, ...] = ()
    checkov_args: tuple[str, ...] = ()


@dataclass
class RootReport:
    label: str
    kind: str
    findings: list[Finding] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        prr = [f for f in self.findings if f.is_prr]
        counts = {s.value: sum(1 for f in prr if f.status is s) for s in Status}
        return {"root": self.label, "kind": self.kind, "prr_results": len(prr), **counts,
                "exempted": len(self.exemptions),
                "modules_not_read": sum(1 for f in prr if f.check_id == MODULE_NOT_READ)}


@dataclass
class ScanResult:
    roots: list[RootReport]
    not_run: tuple[str, ...] = ()  # --skip-check ids

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.roots for f in r.findings]

    @property
    def exemptions(self) -> list[Exemption]:
        return [e for r in self.roots for e in r.exemptions]

    @property
    def evaluated(self) -> int:
        """PRR verdicts given (exempted ones included): resources a PRR control applies to."""
        checks = sum(1 for f in self.findings if f.control_id)
        return checks + sum(1 for e in self.exemptions if e.control_id)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.is_prr and f.status.blocks]


def display(path: Path | str) -> str:
    """A path as a reader finds it: relative to the working directory when under it."""
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except (ValueError, OSError):
        return p.as_posix()


# -- settings and inputs ----------------------------------------------------------------------------


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


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # ValueError: a module set to None in sys.modules (blocked)
        return False


def require_tools() -> None:
    """EvaluationError with the install hint when checkov or python-hcl2 is missing."""
    for module in ("checkov", "hcl2"):
        if not _installed(module):
            raise MissingDependency(module, "`prr-policies scan`")


def check_checkov_args(args: tuple[str, ...]) -> None:
    for arg in args:
        name = arg.split("=", 1)[0]
        if name in RESERVED_CHECKOV_OPTIONS:
            raise InputError("scan", f"-- {name}", f"not passed to checkov: {RESERVED_CHECKOV_OPTIONS[name]}")


def read_baseline(path: str) -> set[tuple[str, str]]:
    """(resource, check id) pairs of a checkov baseline file (``checkov --create-baseline``)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, "", f"cannot read the baseline: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, "", f"malformed baseline JSON: {exc}") from None
    entries = doc.get("failed_checks") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise InputError(path, "failed_checks", "expected an array (a `checkov --create-baseline` file)")
    pairs = set()
    for i, entry in enumerate(entries):
        found = entry.get("findings") if isinstance(entry, dict) else None
        if not isinstance(found, list):
            raise InputError(path, f"failed_checks[{i}].findings", "expected an array")
        for j, item in enumerate(found):
            ok = isinstance(item, dict) and isinstance(item.get("resource"), str) and isinstance(item.get("check_ids"), list)
            if not ok:
                raise InputError(path, f"failed_checks[{i}].findings[{j}]", "expected {resource, check_ids}")
            pairs.update((item["resource"], str(c)) for c in item["check_ids"])
    return pairs


def _skip_pattern(directory: Path) -> str:
    return "^" + re.escape(str(directory)) + "$"


def _frameworks(options: ScanOptions, has_json: bool, has_hcl: bool = True) -> list[str]:
    if options.frameworks:
        return list(options.frameworks)
    return (["terraform"] if has_hcl else []) + (["terraform_json"] if has_json else [])


def plan_targets(path: Path | None, plan: Path | None, options: ScanOptions, tmp: Path) -> list[Target]:
    """Validate every input and cut the scan into checkov runs."""
    targets: list[Target] = []
    if path is not None:
        if not path.exists():
            raise InputError(str(path), "", "no such file or directory")
        if path.is_file():
            if not is_tf_file(path):
                raise InputError(str(path), "", "not a Terraform file (.tf, .tf.json) or `terraform show -json` output (.json)")
            calls = module_calls(path, parse_tf(path))
            is_json = path.name.endswith(".tf.json")
            argv = ["-f", str(path.resolve()), "--framework", *_frameworks(options, is_json, not is_json)]
            targets.append(Target(display(path), "terraform", argv, [(f"module.{c.name}", c) for c in calls]))
        else:
            tree = Tree.read(path)
            roots = [tree.path] if options.single_root and tree.dirs else tree.roots()
            for root in roots:
                if options.single_root:
                    closure, skip, calls = set(tree.dirs), [], [ac for d in tree.roots() for ac in tree.addressed_calls(d)]
                else:
                    closure = tree.closure(root)
                    skip = [d for d in tree.dirs if d != root and root in d.parents and d not in closure]
                    calls = tree.addressed_calls(root)
                has_json = any(f.name.endswith(".tf.json") for d in closure if d.is_dir() for f in d.iterdir())
                argv = ["-d", str(root), "--framework", *_frameworks(options, has_json)]
                for d in skip:
                    argv += ["--skip-path", _skip_pattern(d)]
                targets.append(Target(display(root), "terraform", argv, calls))
    if plan is not None:
        show = read_show_json(plan)
        if show.kind == "plan":
            targets.append(Target(display(plan), "plan", ["-f", str(plan.resolve()), "--framework", "terraform_plan"],
                                  source=plan.resolve()))
        elif show.has_resources:
            copy = tmp / f"state-{len(targets)}.json"
            copy.write_text(state_as_plan(show), encoding="utf-8")
            targets.append(Target(display(plan), "state", ["-f", str(copy), "--framework", "terraform_plan"],
                                  source=plan.resolve(), scanned=copy.resolve()))
        else:
            targets.append(Target(display(plan), "state", [], source=plan.resolve()))  # an empty state: nothing to run
    return targets


def common_argv(options: ScanOptions) -> list[str]:
    argv = ["--compact", "--skip-download", "--external-checks-dir", str(CHECKS_DIR), "-o", "json"]
    skip = set(options.skip_checks)
    if options.only_prr:  # checkov refuses an id in both --check and --skip-check: leave it out of --check
        ids = [ck for c in catalog().controls for ck in c.enforcement.checkov if ck not in skip]
        if not ids:
            raise InputError("scan", "--skip-check", "skips every PRR check, and --only-prr runs nothing else")
        argv += ["--check", ",".join(ids)]
    elif skip:
        argv += ["--skip-check", ",".join(options.skip_checks)]
    for var_file in options.var_files:
        argv += ["--var-file", str(Path(var_file).resolve())]
    if options.download_external_modules:
        argv += ["--download-external-modules", "true"]
    return argv + list(options.checkov_args)


# -- checkov's reports -> findings ------------------------------------------------------------------


def _reports(target: Target, stdout: str) -> list[dict[str, Any]]:
    text = stdout.strip()
    if not text:
        return []  # checkov prints nothing when it found nothing to scan
    start = text.find("[") if text.startswith("[") else text.find("{")
    try:
        doc = json.loads(text[start:]) if start >= 0 else None
    except json.JSONDecodeError as exc:
        raise EvaluationError(f"checkov's report on {target.label} is not JSON ({exc})") from None
    if doc is None:
        raise EvaluationError(f"checkov's report on {target.label} is not JSON: {text[:200]}")
    reports = doc if isinstance(doc, list) else [doc]
    # A run with nothing to scan prints only a summary object.
    return [r for r in reports if isinstance(r, dict) and "results" in r]


def _lines(rec: dict[str, Any], key: str = "file_line_range") -> tuple[int, int] | None:
    value = rec.get(key)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value) and value[0] >= 1:
        return value[0], max(value)
    return None  # checkov gives 0 for a one-line (minified) plan or state: the address locates the resource


def _file(target: Target, rec: dict[str, Any]) -> str:
    abs_path = rec.get("file_abs_path") or rec.get("file_path") or ""
    if target.scanned is not None and Path(abs_path).resolve() == target.scanned:
        return display(target.source or abs_path)
    return display(abs_path)


def _caller(target: Target, rec: dict[str, Any]) -> str | None:
    caller = rec.get("caller_file_path")
    if not caller:
        return None
    base = Path(target.argv[1]) if target.argv[:1] == ["-d"] else Path(rec.get("file_abs_path") or ".").parent
    where = display((base / str(caller).lstrip("/")).resolve())
    lines = _lines(rec, "caller_file_line_range")
    return f"{where}:{lines[0]}-{lines[1]}" if lines else where


def _resource(rec: dict[str, Any], check_type: str, control_resource_type: str | None) -> str:
    resource = str(rec.get("resource", ""))
    # checkov's terraform_json runner names resources "resource.<name>": put the type back.
    if check_type == "terraform_json" and resource.startswith("resource.") and control_resource_type:
        return f"{control_resource_type}.{resource[len('resource.'):]}"
    return resource


def target_findings(target: Target, reports: list[dict[str, Any]]) -> RootReport:
    by_checkov = catalog().by_checkov_id()
    framework = "terraform_state" if target.kind == "state" else None
    report = RootReport(target.label, target.kind)
    for rep in reports:
        check_type = framework or str(rep.get("check_type", ""))
        results = rep.get("results") or {}
        errors = results.get("parsing_errors") or []
        if errors:
            raise EvaluationError(f"checkov could not parse {', '.join(display(e) for e in errors)}")
        for key in ("passed_checks", "failed_checks", "skipped_checks"):
            for rec in results.get(key, []):
                check_id = str(rec.get("check_id", ""))
                control = by_checkov.get(check_id)
                resource = _resource(rec, str(rep.get("check_type", "")), control.resource_types[0] if control else None)
                file, lines, caller = _file(target, rec), _lines(rec), _caller(target, rec)
                if key == "skipped_checks":
                    reason = (rec.get("check_result") or {}).get("suppress_comment") or "no reason given"
                    report.exemptions.append(Exemption(check_id, control.id if control else None, resource, file, lines,
                                                       target.label, check_type, reason, "inline skip comment"))
                    continue
                details = rec.get("details") or []
                status = Status.from_detail(details[0]) if control is not None and details else None
                reason = str(rec.get("check_name", ""))
                if status is not None:
                    reason = details[0].partition(": ")[2] or reason
                else:
                    status = Status.PASS if key == "passed_checks" else Status.FAIL
                report.findings.append(Finding(check_id, control.id if control else None, resource, file, check_type,
                                               status, reason, lines, target.label, caller))
    return report


def unread_modules(target: Target, report: RootReport, stderr: str, options: ScanOptions,
                   from_plans: tuple[str, ...] = ()) -> list[Finding]:
    """A finding (UNKNOWN) for every module call checkov did not read: no resource of it in this
    root's results nor in a plan or state scanned with it (``from_plans``), and not a local
    folder checkov loads."""
    seen = [f.resource for f in report.findings] + [e.resource for e in report.exemptions] + list(from_plans)
    # checkov logs the modules it could not load: "Failed to download module SOURCE:VERSION ...",
    # "Unable to load module (SOURCE:VERSION): ...", "Module SOURCE:VERSION failed to load ...".
    failed_lines = [line.split("]", 2)[-1].strip() for line in stderr.splitlines()
                    if "module" in line.lower() and ("Failed" in line or "Unable" in line or "failed" in line)]
    failures = {call.source: next(line for line in failed_lines if call.source in line)[:300]
                for _, call in target.calls if any(call.source in line for line in failed_lines)}
    out = []
    for address, call in target.calls:
        if any(r == address or r.startswith((address + ".", address + "[")) for r in seen):
            continue
        if call.is_local:
            if has_tf_files(call.local_dir):
                continue  # loaded; it holds nothing the checks that ran apply to
            how = f"its folder {display(call.local_dir or call.source)} holds no Terraform files"
        else:
            if options.download_external_modules and call.source not in failures:
                continue  # downloaded and read; nothing in it the checks that ran apply to
            how = ("scan with --download-external-modules (it needs access to the module's registry or git host), "
                   "or scan the plan (`terraform show -json`), which holds the module's resources")
            if call.source in failures:
                how = f"checkov could not load it ({failures[call.source]}); " + how
        version = f" version {call.version}" if call.version else ""
        reason = (f"module {address} (source {call.source}{version}) was not read, so nothing inside it was checked: "
                  f"{how}")
        out.append(Finding(MODULE_NOT_READ, None, address, display(call.file), "terraform", Status.UNKNOWN, reason,
                           call.lines, target.label))
    return out


def apply_baseline(report: RootReport, pairs: set[tuple[str, str]], baseline: str) -> None:
    kept = []
    for f in report.findings:
        if f.status.blocks and (f.resource, f.check_id) in pairs:
            report.exemptions.append(Exemption(f.check_id, f.control_id, f.resource, f.file, f.lines, f.root, f.framework,
                                               f"listed in baseline {display(baseline)}", f"baseline {display(baseline)}",
                                               f.status))
        else:
            kept.append(f)
    report.findings = kept


from prr_policies.sources.terraform.source import VAR_FILES_ENV  # noqa: E402


def run_checkov(targets: list[Target], settings_file: Path | None, options: ScanOptions) -> list[tuple[Target, RootReport, str]]:
    from prr_policies.checkov_process import run_all

    # Always name the settings: checkov's side would otherwise read a prr.yaml in its working directory.
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE")
    env[ENV_VAR] = str(settings_file.resolve() if settings_file is not None else DEFAULTS_FILE)
    # Our checks read variables from the Terraform source themselves: hand them the --var-file values too.
    env[VAR_FILES_ENV] = os.pathsep.join(str(Path(f).resolve()) for f in options.var_files)
    common = common_argv(options)
    runnable = [t for t in targets if t.argv]
    outcomes = dict(zip(map(id, runnable), run_all([t.argv + common for t in runnable], env, options.jobs)))
    out = []
    for target in targets:
        outcome = outcomes.get(id(target))
        if outcome is None:
            out.append((target, RootReport(target.label, target.kind), ""))
            continue
        if outcome.rc not in (0, 1):
            tail = [line for line in outcome.stderr.strip().splitlines() if line.strip()][-1:] or [f"exit {outcome.rc}"]
            raise EvaluationError(f"checkov failed on {target.label} (exit {outcome.rc}): {tail[0][-500:]}")
        dropped = [line.split("]", 2)[-1].strip() for line in outcome.stderr.splitlines() if "Failed to run check" in line]
        if dropped:
            raise EvaluationError(f"checkov dropped checks that raised on {target.label}: {'; '.join(dropped)[:1000]}")
        out.append((target, target_findings(target, _reports(target, outcome.stdout)), outcome.stderr))
    return out


def evaluate(targets: list[Target], settings_file: Path | None, options: ScanOptions) -> ScanResult:
    """Run checkov on every target and turn its reports into findings and exemptions."""
    pairs = read_baseline(options.baseline) if options.baseline else set()
    runs = run_checkov(targets, settings_file, options)
    # A plan or state scanned alongside holds the resources of every module, read or not in HCL.
    from_plans = tuple(r for target, report, _ in runs if target.kind != "terraform"
                       for r in [f.resource for f in report.findings] + [e.resource for e in report.exemptions])
    roots = []
    for target, report, stderr in runs:
        if target.kind == "terraform":
            report.findings.extend(unread_modules(target, report, stderr, options, from_plans))
        if options.baseline:
            apply_baseline(report, pairs, options.baseline)
        roots.append(report)
    return ScanResult(roots, tuple(options.skip_checks))


# -- the command ------------------------------------------------------------------------------------


def _paths(path: str | Path | None, plan: str | Path | None) -> tuple[Path | None, Path | None]:
    p = Path(path) if path else None
    pl = Path(plan) if plan else None
    if p is not None and pl is None and p.name.endswith(".json") and not p.name.endswith(".tf.json"):
        p, pl = None, p  # a plan or state file given as PATH
    return p, pl


def prepare(p: Path | None, pl: Path | None, settings: str | None, options: ScanOptions,
            tmp: Path) -> tuple[list[Target], Path | None]:
    """Validate settings, options and every input, and cut the scan into checkov runs; raises
    InputError (exit 2) or EvaluationError (exit 3). Writes state copies under ``tmp``."""
    settings_file = scan_settings_file(settings, p)
    if settings_file is not None:
        load_settings(settings_file)
    if p is None and pl is None:
        raise InputError("scan", "", "give a PATH, a --plan FILE, or both")
    check_checkov_args(options.checkov_args)
    for var_file in options.var_files:
        if not Path(var_file).is_file():
            raise InputError(var_file, "", "no such var file")
    if options.baseline:
        read_baseline(options.baseline)
    common_argv(options)  # refuses option combinations before anything runs
    require_tools()
    targets = plan_targets(p, pl, options, tmp)
    if p is not None and p.is_dir() and not tf_dirs(p) and not options.allow_empty:
        raise InputError(str(p), "", "no Terraform files (.tf, .tf.json) here or below; pass --allow-empty "
                         "when an empty folder is expected")
    return targets, settings_file


def run_scan(path: str | Path | None, plan: str | Path | None = None, settings: str | Path | None = None,
             options: ScanOptions | None = None) -> ScanResult:
    """The scan without its output: validated inputs, checkov runs, findings and exemptions per
    root (for callers such as the pytest plugin). Raises InputError or EvaluationError."""
    options = options or ScanOptions()
    p, pl = _paths(path, plan)
    with tempfile.TemporaryDirectory(prefix="prr-scan-") as tmp:
        targets, settings_file = prepare(p, pl, str(settings) if settings else None, options, Path(tmp))
        return evaluate(targets, settings_file, options)


def scan(path: str | None, plan: str | None, settings: str | None, output: str, only_prr: bool = False,
         options: ScanOptions | None = None) -> int:
    """The ``prr-policies scan`` command; returns the exit code."""
    from prr_policies import scan_output

    options = options or ScanOptions(only_prr=only_prr)
    if only_prr:
        options.only_prr = True
    p, pl = _paths(path, plan)
    try:
        with tempfile.TemporaryDirectory(prefix="prr-scan-") as tmp:
            targets, settings_file = prepare(p, pl, settings, options, Path(tmp))
            print(f"prr-policies: settings: {settings_file or 'package defaults'}", file=sys.stderr)
            roots = sum(1 for t in targets if t.kind == "terraform")
            if roots > 1:
                print(f"prr-policies: {roots} root modules, each scanned on its own (--single-root: one checkov run)",
                      file=sys.stderr)
            result = evaluate(targets, settings_file, options)
    except InputError as exc:
        print(f"prr-policies: {exc}", file=sys.stderr)
        return 2
    except EvaluationError as exc:
        print(f"prr-policies: could not evaluate: {exc}", file=sys.stderr)
        return 3
    print(scan_output.render(result, output))
    if result.evaluated == 0 and not options.allow_empty:
        unread = sum(1 for f in result.findings if f.check_id == MODULE_NOT_READ)
        what = f"; {unread} module call(s) not read" if unread else ""
        labels = [r.label for r in result.roots]
        where = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
        print(f"prr-policies: could not evaluate: no resource a PRR control applies to was found in {where}{what}; "
              "pass --allow-empty when that is expected", file=sys.stderr)
        return 3
    return 1 if result.blocking else 0
