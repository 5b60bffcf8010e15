"""The ``prr-policies`` command."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from prr_policies.errors import InputError


def _catalog(args: argparse.Namespace) -> int:
    from prr_policies.catalog import load_catalog

    cat = load_catalog()
    controls = [c for c in cat.controls if not args.control or c.id == args.control]
    if args.control and not controls:
        print(f"prr-policies: no control {args.control}", file=sys.stderr)
        return 2
    if args.format == "json":
        from dataclasses import asdict

        doc = {"requirements": [asdict(r) for r in cat.requirements], "controls": [asdict(c) for c in controls]}
        print(json.dumps(doc, indent=2))
        return 0
    if args.control:
        c = controls[0]
        print(f"{c.id} [{c.severity}] {c.title}\n\n{c.rationale}\n\nRemediation:\n{c.remediation}")
        print(f"Requirements: {', '.join(c.requirements)}   checkov: {', '.join(c.enforcement.checkov)}")
        return 0
    print(f"{'id':<16} {'severity':<9} {'checkov':<12} {'requirements':<14} title")
    for c in controls:
        print(f"{c.id:<16} {c.severity:<9} {','.join(c.enforcement.checkov):<12} {','.join(c.requirements):<14} {c.title}")
    uncovered = cat.uncovered_requirements()
    if uncovered:
        print(f"\nRequirements no control covers yet: {', '.join(uncovered)}")
    return 0


def _checkov_dir(_args: argparse.Namespace) -> int:
    from prr_policies.scan import CHECKS_DIR

    print(CHECKS_DIR)
    return 0


def _scan(args: argparse.Namespace) -> int:
    from prr_policies.scan import ScanOptions, scan

    options = ScanOptions(
        only_prr=args.only_prr, allow_empty=args.allow_empty, single_root=args.single_root, jobs=args.jobs,
        var_files=tuple(args.var_file), skip_checks=tuple(c.strip() for v in args.skip_check for c in v.split(",") if c.strip()),
        baseline=args.baseline, download_external_modules=args.download_external_modules,
        frameworks=tuple(f.strip() for v in args.framework for f in v.split(",") if f.strip()),
        checkov_args=tuple(args.checkov_args))
    return scan(args.path, args.plan, args.settings, args.output, options=options)


SCAN_EPILOG = """\
exit codes: 0 compliant; 1 a PRR control FAILed or is UNKNOWN (a module call not read counts);
2 bad input or usage (missing path, malformed HCL or JSON, unsupported plan format_version, a
folder without Terraform files, invalid settings); 3 could not evaluate (checkov or python-hcl2
missing or failing, or no resource a PRR control applies to was found: --allow-empty accepts that).

Arguments after `--` go to checkov unchanged, e.g. `prr-policies scan infra -- --skip-path legacy`."""


def _split_checkov_args(parser: argparse.ArgumentParser) -> None:
    """Let `scan ... -- ARGS` hand ARGS to checkov: everything after the first `--` is set aside
    before argparse sees it (argparse would take it for positionals)."""
    parse = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):  # type: ignore[no-untyped-def]
        args = list(sys.argv[1:] if args is None else args)
        rest = []
        if "--" in args:
            at = args.index("--")
            args, rest = args[:at], args[at + 1:]
        namespace, extras = parse(args, namespace)
        namespace.checkov_args = rest
        return namespace, extras

    parser.parse_known_args = parse_known_args  # type: ignore[method-assign]


def _simulate(args: argparse.Namespace) -> int:
    from prr_policies.iam import case_files, load_cases

    files = case_files(args.cases)
    if not files:
        print("prr-policies: no case files found", file=sys.stderr)
        return 2
    cases = [c for f in files for c in load_cases(f)]  # every file validates before any runs
    failed = 0
    results = []
    for case in cases:
        decision = case.run()
        ok = decision.effect == case.expected
        failed += not ok
        if args.format == "json":
            results.append({"id": case.id, "file": case.file, "expected": case.expected, "ok": ok, **decision.to_dict()})
            continue
        mark = "ok  " if ok else "FAIL"
        print(f"{mark} {case.id}: {decision.effect}" + ("" if ok else f" (expected {case.expected})"))
        if args.explain or not ok:
            for line in decision.explain().splitlines()[1:]:
                print(f"       {line.strip()}")
            if decision.blocked_by and (args.explain or not ok):
                print(f"       blocked by: {', '.join(decision.blocked_by)}")
    if args.format == "json":
        print(json.dumps({"cases": results, "passed": len(cases) - failed, "failed": failed}, indent=2))
    else:
        print(f"\n{len(cases) - failed} of {len(cases)} cases as expected" + (f", {failed} differ" if failed else ""))
    return 1 if failed else 0


def _generate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from prr_policies import generate as gen
    from prr_policies.settings import load_settings, settings_path_from_env

    settings_file = Path(args.settings) if args.settings else settings_path_from_env()
    if settings_file is not None:
        targets = [(settings_file, Path(args.out) if args.out else settings_file.parent)]
    else:  # no settings named: every generated set recorded under --out (or here)
        found = gen.manifests_under(Path(args.out or "."))
        if not found:
            raise InputError("generate", "", "no settings: pass --settings FILE, set PRR_SETTINGS, or run where prr.yaml is "
                             f"(and no generated set with a {gen.MANIFEST} was found under {args.out or '.'})")
        targets = [(gen.settings_of(m), m.parent) for m in found]
    stale = 0
    for settings_file, out in targets:
        generated = gen.artifacts(load_settings(settings_file))
        if args.check:
            plan = gen.plan(out, generated, settings_file)
            if plan.differ:
                stale += 1
                print(f"prr-policies: generated files differ from {out}/ (run `prr-policies generate --settings {settings_file}`): "
                      f"{', '.join(plan.differ)}", file=sys.stderr)
            else:
                print(f"{len(generated)} generated files match {out}/ (settings: {settings_file})")
            continue
        plan = gen.write(out, generated, settings_file)
        for rel in generated:
            print(f"{'wrote' if rel in plan.write else 'same '} {out / rel}")
        for rel in plan.remove:
            print(f"removed {out / rel} (no longer generated)")
    return 1 if stale else 0


def _lint(args: argparse.Namespace) -> int:
    from prr_policies.guardrails.lint import lint_files

    findings = lint_files(args.files, args.type)
    for f in findings:
        print(f)
    errors = sum(f.severity == "error" for f in findings)
    print(f"{len(args.files)} file(s), {errors} error(s), {len(findings) - errors} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def _audit(args: argparse.Namespace) -> int:
    from prr_policies import audit
    from prr_policies.settings import load_settings, settings_path_from_env

    settings = load_settings(args.settings or settings_path_from_env())
    try:
        import boto3
        import botocore.exceptions
    except ImportError:
        print("prr-policies: the audit needs boto3: pip install 'prr-policies[aws]'", file=sys.stderr)
        return 2
    try:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        if session.region_name is None:
            print("prr-policies: no region: pass --region or set AWS_REGION", file=sys.stderr)
            return 2
        if session.get_credentials() is None:
            print("prr-policies: no AWS credentials found (profile, environment or instance role)", file=sys.stderr)
            return 2
    except botocore.exceptions.ProfileNotFound as exc:
        print(f"prr-policies: {exc}", file=sys.stderr)
        return 2
    report = audit.run(session.client, settings, functions=args.function, jobs=args.jobs,
                       progress=audit.terminal_progress())
    print(audit.RENDERERS[args.output](report))
    return 1 if report.blocking else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prr-policies", description="Production-readiness guardrails for AWS Lambda stacks.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("scan", help="scan Terraform (HCL, Terraform JSON, plan or state JSON) with checkov and the PRR checks",
                       epilog=SCAN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", nargs="?", help="a Terraform directory (each root module under it is scanned on its own), "
                   "a .tf or .tf.json file, or `terraform show -json` output (.json)")
    p.add_argument("--plan", help="`terraform show -json` output: a plan, or a state (read as deployed values)")
    p.add_argument("--settings", help="prr.yaml (default: $PRR_SETTINGS, else a prr.yaml in the scanned directory)")
    p.add_argument("-o", "--output", choices=["cli", "json", "sarif", "junitxml"], default="cli")
    p.add_argument("--only-prr", action="store_true", help="run only the PRR checks, not checkov's built-ins")
    p.add_argument("--allow-empty", action="store_true", help="exit 0, not 3, when nothing a PRR control applies to is found")
    p.add_argument("--single-root", action="store_true", help="one checkov run over the whole folder (checkov's behaviour: "
                   "resources with the same address in different root modules get mixed up)")
    p.add_argument("--jobs", type=int, help="checkov runs at a time (default: the number of CPUs)")
    p.add_argument("--var-file", action="append", default=[], metavar="FILE", help="Terraform variables file, passed to "
                   "checkov for every root (repeatable)")
    p.add_argument("--skip-check", action="append", default=[], metavar="IDS", help="checks not to run (comma-separated, "
                   "repeatable); listed in the report")
    p.add_argument("--baseline", metavar="FILE", help="a `checkov --create-baseline` file: the failures it lists are "
                   "exemptions, listed and counted, not findings")
    p.add_argument("--download-external-modules", action="store_true", help="let checkov download registry and git "
                   "modules (needs network); without it such a module call is an UNKNOWN finding")
    p.add_argument("--framework", action="append", default=[], metavar="NAMES", help="checkov frameworks for PATH "
                   "(comma-separated, repeatable; default: terraform, plus terraform_json when there are .tf.json files; "
                   "plans and states always use terraform_plan)")
    p.set_defaults(func=_scan, checkov_args=[])
    _split_checkov_args(p)
    p = sub.add_parser("catalog", help="list the controls")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--control", help="show one control in full")
    p.set_defaults(func=_catalog)
    p = sub.add_parser("simulate", help="evaluate IAM authorization case files with the local engine")
    p.add_argument("cases", nargs="+", help="case JSON files (or directories of them)")
    p.add_argument("--explain", action="store_true", help="print the deciding statements and blocking layers")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=_simulate)
    p = sub.add_parser("generate", help="write the SCPs, permissions boundaries and roles for prr.yaml")
    p.add_argument("--settings", help="prr.yaml (default: $PRR_SETTINGS or ./prr.yaml)")
    p.add_argument("--out", help="directory to write scp/, boundaries/, roles/, config_rules/ under (default: the settings "
                   "file's directory)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 when the files under --out differ (without "
                   "settings: every generated set whose manifest is under --out or here)")
    p.set_defaults(func=_generate)
    p = sub.add_parser("lint-policy", help="lint IAM policy documents (actions, condition keys, wildcards, size)")
    p.add_argument("files", nargs="+", help="policy JSON files")
    p.add_argument("--type", default="managed", help="policy type, for the size limit and element rules: managed (default), "
                   "role-inline, user-inline, group-inline, boundary, session, trust, resource, scp, rcp")
    p.set_defaults(func=_lint)
    p = sub.add_parser("audit", help="check a live account region through boto3 against every control")
    p.add_argument("--region", help="AWS region (default: the profile's or AWS_REGION)")
    p.add_argument("--profile", help="AWS profile")
    p.add_argument("--function", action="append", metavar="NAME", help="audit only these functions (repeatable)")
    p.add_argument("-o", "--output", choices=["table", "json", "junitxml"], default="table")
    p.add_argument("--settings", help="prr.yaml (default: $PRR_SETTINGS or ./prr.yaml)")
    p.add_argument("--jobs", type=int, default=8, help="parallel API calls (default 8)")
    p.set_defaults(func=_audit)
    p = sub.add_parser("checkov-dir", help="print the directory to pass to checkov --external-checks-dir")
    p.set_defaults(func=_checkov_dir)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"prr-policies: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
