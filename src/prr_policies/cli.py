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
    from prr_policies.scan import scan

    return scan(args.path, args.plan, args.settings, args.output, args.only_prr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prr-policies", description="Production-readiness guardrails for AWS Lambda stacks.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("scan", help="scan Terraform (HCL and/or plan JSON) with checkov and the PRR checks")
    p.add_argument("path", nargs="?", help="a Terraform directory or .tf file")
    p.add_argument("--plan", help="a `terraform show -json` plan file")
    p.add_argument("--settings", help="prr.yaml (default: $PRR_SETTINGS or ./prr.yaml)")
    p.add_argument("-o", "--output", choices=["cli", "json", "sarif", "junitxml"], default="cli")
    p.add_argument("--only-prr", action="store_true", help="run only the PRR checks, not checkov's built-ins")
    p.set_defaults(func=_scan)
    p = sub.add_parser("catalog", help="list the controls")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--control", help="show one control in full")
    p.set_defaults(func=_catalog)
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
