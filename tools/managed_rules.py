"""Write src/prr_policies/config_rules/managed_rules.json: the entries of AWS's managed-rule list
(as moto ships it) for every managed rule the catalog names, so `prr-policies generate` can
validate the conformance pack without moto installed.

Usage: python tools/managed_rules.py [--check]   (exit 1 when the shipped file differs)
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "prr_policies" / "config_rules" / "managed_rules.json"


def render() -> str:
    import moto

    from prr_policies.catalog import catalog

    with gzip.open(os.path.join(os.path.dirname(moto.__file__), "config", "resources", "aws_managed_rules.json.gz")) as f:
        every = json.load(f)["ManagedRules"]
    named = sorted({r for c in catalog().controls for r in c.enforcement.config_rules if r.isupper()})
    missing = [r for r in named if r not in every]
    if missing:
        raise SystemExit(f"not AWS managed rules: {', '.join(missing)}")
    keep = ("Parameters", "Resource Types", "Trigger type")
    return json.dumps({r: {k: every[r][k] for k in keep if k in every[r]} for r in named}, indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not TARGET.is_file() or TARGET.read_text() != text:
            print(f"stale: {TARGET} (run python tools/managed_rules.py)", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
