"""The ``prr-policies`` command.

Every command ends with one of the codes in ``EXIT_CODES``; ``main`` maps exceptions to them in
one place (``exit_status``), so no command ends in a traceback. Output cut short by a closed
pipe (``prr-policies catalog | head``) ends quietly with the code the command would have given.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from typing import Any, Iterator, Sequence

from prr_policies.errors import EvaluationError, InputError, MissingDependency

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_ERROR = 0, 1, 2, 3
EXIT_CODES = (
    (EXIT_OK, "compliant: everything was evaluated and nothing failed"),
    (EXIT_FINDINGS, "findings: a control FAILed or is UNKNOWN, a simulate case or a generated file differs, "
                    "a lint-policy error"),
    (EXIT_INPUT, "bad input or usage: a missing or malformed file, invalid settings, an unknown option, "
                 "missing or rejected AWS credentials"),
    (EXIT_ERROR, "could not evaluate: a tool or environment failure (AWS unreachable or nothing answered, "
                 "checkov failed, a missing optional dependency: the message gives the pip install)"),
)
DEBUG_ENV = "PRR_DEBUG"


def _exit_codes_epilog() -> str:
    rows = "\n".join(f"  {code}  {text}" for code, text in EXIT_CODES)
    return f"exit codes:\n{rows}\n\nSet {DEBUG_ENV}=1 to see the traceback behind an exit 3."


def exit_status(exc: BaseException, command: str | None = None) -> tuple[int, str]:
    """The exit code and the one-line message for an exception ``command`` raised."""
    if isinstance(exc, InputError):  # PolicyError, GuardrailError and the generator's refusals too
        return EXIT_INPUT, str(exc)
    if isinstance(exc, EvaluationError):  # MissingDependency too
        return EXIT_ERROR, str(exc)
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.split(".")[0]
        if top in MissingDependency.EXTRAS:
            return EXIT_ERROR, str(MissingDependency(top, f"`prr-policies {command}`" if command else "this command"))
        return EXIT_ERROR, f"cannot import {exc.name} (a broken installation?): {exc}"
    if isinstance(exc, OSError):
        return EXIT_ERROR, f"could not evaluate: {exc}"
    return EXIT_ERROR, f"internal error, nothing was evaluated ({type(exc).__name__}: {exc}); set {DEBUG_ENV}=1 for the traceback"


class _PipeSafe:
    """A text stream that turns a closed pipe into a quiet end of output: later writes go to
    /dev/null, so neither the command nor Python's shutdown flush raises BrokenPipeError."""

    def __init__(self, stream: Any):
        self._stream = stream
        self.closed_pipe = False

    def _closed(self) -> None:
        self.closed_pipe = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)

    def write(self, text: str) -> int:
        if self.closed_pipe:
            return len(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._closed()
            return len(text)

    def flush(self) -> None:
        if self.closed_pipe:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._closed()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _pipe_safe_output() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _PipeSafe(sys.stdout), _PipeSafe(sys.stderr)
    try:
        yield
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
    finally:
        sys.stdout, sys.stderr = saved


def _find_control(cat: Any, wanted: str) -> Any:
    """A control by its id or one of its checkov ids, in any case."""
    key = wanted.strip().upper()
    for c in cat.controls:
        if c.id == key or key in {ck.upper() for ck in c.enforcement.checkov}:
            return c
    raise InputError("catalog --control", "", f"no control {wanted!r}: give a control id (PRR-<AREA>-<nnn>) or a checkov id (CKV_PRR_<n>)")


def _catalog(args: argparse.Namespace) -> int:
    from prr_policies.catalog import load_catalog

    cat = load_catalog()
    controls = [_find_control(cat, args.control)] if args.control else list(cat.controls)
    if args.format == "json":
        from dataclasses import asdict

        doc = {"requirements": [asdict(r) for r in cat.requirements], "controls": [asdict(c) for c in controls]}
        print(json.dumps(doc, indent=2))
        return 0
    if args.control:
        c = controls[0]
        print(f"{c.id} [{c.severity}] {c.title}\n\n{c.rationale}\n\nRemediation:\n{c.remediation}")
        print(f"Requirements: {', '.join(c.requirements)}   checkov: {', '.join(c.enforcement.checkov)}")
        from prr_policies.controls import RULES

        if c.id in RULES and "runtime" in RULES[c.id].reads:  # where the rule's deprecation dates come from
            import yaml

            from prr_policies.settings import RUNTIMES_FILE

            source = yaml.safe_load(RUNTIMES_FILE.read_text(encoding="utf-8")).get("source", RUNTIMES_FILE.name)
            print(f"Runtime deprecation dates: {source}; prr.yaml lambda.runtime.deprecation_dates overrides them")
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


def _settings(args: argparse.Namespace) -> int:
    from prr_policies.settings import DEFAULTS_FILE, load_settings, merged_settings_data, settings_path_from_env

    if args.defaults:
        if args.settings:
            raise InputError("settings", "", "--settings goes with --show (--defaults prints the packaged defaults)")
        print(DEFAULTS_FILE.read_text(encoding="utf-8"), end="")
        return 0
    import yaml

    path = args.settings or settings_path_from_env()
    load_settings(path)  # validates: an invalid file is exit 2 naming the key
    print(f"# effective settings: the package defaults merged with {path or 'nothing (no prr.yaml found)'}")
    print(yaml.safe_dump(merged_settings_data(path), sort_keys=False, default_flow_style=False), end="")
    return 0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds >= 0")
    return value


def _attempts(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("at least 1 (the first attempt)")
    return value


def _audit(args: argparse.Namespace) -> int:
    from prr_policies import audit
    from prr_policies.settings import load_settings, settings_path_from_env

    settings = load_settings(args.settings or settings_path_from_env())
    limits = audit.Limits(connect_timeout=args.connect_timeout, read_timeout=args.read_timeout,
                          max_attempts=args.max_attempts, time_limit=args.timeout or None)
    client, region, identity = audit.connect(args.profile, args.region, limits, args.jobs)
    progress = audit.Progress(sys.stderr)
    progress.line(f"account {identity.get('Account')} region {region} as {identity.get('Arn')}")
    report = audit.run(client, settings, functions=args.function, jobs=args.jobs, progress=progress.step,
                       time_limit=limits.time_limit, observer=progress.line)
    if args.evidence:
        from prr_policies.documents import write_evidence

        write_evidence(args.evidence, report, settings, client, region, args.settings or settings_path_from_env())
    if args.output == "asff" or args.security_hub:  # ASFF and Security Hub: prr_policies.security_hub
        from prr_policies.security_hub import audit_sink

        return audit_sink(report, client, identity.get("Account"), region, args.output, args.security_hub,
                          audit.exit_code(report, allow_empty=args.allow_empty))
    print(audit.RENDERERS[args.output](report))
    code = audit.exit_code(report, allow_empty=args.allow_empty)
    if code == EXIT_ERROR:
        print(f"prr-policies: audit: {audit.why_nothing(report, region)}", file=sys.stderr)
    return code


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("prr-policies")
    except Exception:  # noqa: BLE001 - not installed as a distribution (a checkout on sys.path)
        from prr_policies import __version__

        return __version__


def _docs(args: argparse.Namespace) -> int:
    from prr_policies.documents import docs_command

    return docs_command(args.action, args.check, args.settings, args.out)


def _checklist(args: argparse.Namespace) -> int:
    from prr_policies.documents import checklist_command

    return checklist_command(args.settings, args.audit or [], args.evidence or [], args.scan or [], args.attestations,
                             args.output)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prr-policies", description="Production-readiness guardrails for AWS Lambda stacks.",
                                     epilog=_exit_codes_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"prr-policies {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("scan", help="scan Terraform (HCL, Terraform JSON, plan or state JSON) with checkov and the PRR checks",
                       epilog=SCAN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", nargs="?", help="a Terraform directory (each root module under it is scanned on its own), "
                   "a .tf or .tf.json file, or `terraform show -json` output (.json)")
    p.add_argument("--plan", help="`terraform show -json` output: a plan, or a state (read as deployed values)")
    p.add_argument("--settings", help="prr.yaml (default: $PRR_SETTINGS, else a prr.yaml in the scanned directory)")
    p.add_argument("-o", "--output", choices=["cli", "json", "sarif", "junitxml", "asff"], default="cli")
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
    p.add_argument("--control", help="show one control in full: its id (PRR-<AREA>-<nnn>) or checkov id (CKV_PRR_<n>), any case")
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
    from prr_policies.iam.limits import POLICY_TYPES

    p.add_argument("--type", default="managed", help="policy type, for the size limit and element rules: "
                   + ", ".join(f"{t} (default)" if t == "managed" else t for t in POLICY_TYPES))
    p.set_defaults(func=_lint)
    p = sub.add_parser("audit", help="check a live account region through boto3 against every control")
    p.add_argument("--region", help="AWS region (default: the profile's or AWS_REGION)")
    p.add_argument("--profile", help="AWS profile")
    p.add_argument("--function", action="append", metavar="NAME", help="audit only these functions (repeatable)")
    p.add_argument("-o", "--output", choices=["table", "json", "junitxml", "asff"], default="table")
    p.add_argument("--security-hub", action="store_true", help="import the results into AWS Security Hub as ASFF findings")
    p.add_argument("--settings", help="prr.yaml (default: $PRR_SETTINGS or ./prr.yaml)")
    p.add_argument("--jobs", type=int, default=8, help="parallel API calls (default 8)")
    p.add_argument("--allow-empty", action="store_true", help="exit 0, not 3, when the region holds nothing a control applies to")
    from prr_policies.sources.aws_api import Limits

    limits = Limits()
    p.add_argument("--timeout", type=_seconds, default=limits.time_limit, metavar="SECONDS",
                   help=f"time limit of the whole audit (default {limits.time_limit:g}; 0: none): what is not read by then is "
                        "UNKNOWN, naming the call")
    p.add_argument("--connect-timeout", type=_seconds, default=limits.connect_timeout, metavar="SECONDS",
                   help=f"per request (default {limits.connect_timeout:g})")
    p.add_argument("--read-timeout", type=_seconds, default=limits.read_timeout, metavar="SECONDS",
                   help=f"per request (default {limits.read_timeout:g})")
    p.add_argument("--max-attempts", type=_attempts, default=limits.max_attempts, metavar="N",
                   help=f"attempts per call, the first included (botocore standard retry mode; default {limits.max_attempts})")
    p.add_argument("--evidence", metavar="DIR", help="also write the evidence bundle DIR/evidence.json")
    p.set_defaults(func=_audit)
    p = sub.add_parser("settings", help="print the default settings, or the effective settings (validated)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--defaults", action="store_true", help="the packaged defaults (start a prr.yaml from any subset of them)")
    what.add_argument("--show", action="store_true", help="the defaults merged with --settings, $PRR_SETTINGS or ./prr.yaml")
    p.add_argument("--settings", help="prr.yaml (with --show)")
    p.set_defaults(func=_settings)
    p = sub.add_parser("docs", help="write the PRR documents and mkdocs.yml (docs build), or check them (docs --check)")
    p.add_argument("action", nargs="?", choices=["build"], help="write the generated pages")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 when the committed pages differ")
    p.add_argument("--settings", help="prr.yaml (default: the one docs/.prr-generated.json records, $PRR_SETTINGS or ./prr.yaml)")
    p.add_argument("--out", help="the folder mkdocs.yml and docs/ are written under (default: here)")
    p.set_defaults(func=_docs)
    p = sub.add_parser("checklist", help="answer the PRR checklist from audit, scan and attestation files")
    p.add_argument("--audit", action="append", metavar="FILE", help="`prr-policies audit -o json` output or an evidence bundle")
    p.add_argument("--evidence", action="append", metavar="DIR", help="a folder written by `audit --evidence DIR`")
    p.add_argument("--scan", action="append", metavar="FILE", help="`prr-policies scan -o json` output (the static side)")
    p.add_argument("--attestations", metavar="FILE", help="YAML: who attested which manual item, when, and the evidence")
    p.add_argument("--settings", help="prr.yaml (default: $PRR_SETTINGS or ./prr.yaml)")
    p.add_argument("-o", "--output", choices=["text", "json", "markdown"], default="text")
    p.set_defaults(func=_checklist)
    p = sub.add_parser("checkov-dir", help="print the directory to pass to checkov --external-checks-dir")
    p.set_defaults(func=_checkov_dir)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code (``EXIT_CODES``). argparse's usage errors exit 2."""
    with _pipe_safe_output():
        args = build_parser().parse_args(argv)
        try:
            return int(args.func(args))
        except KeyboardInterrupt:
            print("prr-policies: interrupted", file=sys.stderr)
            return 130
        except Exception as exc:  # noqa: BLE001 - the one place exceptions become exit codes
            code, message = exit_status(exc, args.command)
            if os.environ.get(DEBUG_ENV):
                import traceback

                traceback.print_exc()
            print(f"prr-policies: {message}", file=sys.stderr)
            return code


if __name__ == "__main__":
    sys.exit(main())
