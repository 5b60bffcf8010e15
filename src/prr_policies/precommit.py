"""The pre-commit hook (``.pre-commit-hooks.yaml``): ``prr-policies scan --only-prr`` once per
directory holding a changed ``.tf`` file, since a scan takes one root module at a time
(checkov merges resources of several roots scanned together). Exit: the worst of the scans
(2 and 3 above 1 above 0); no .tf file given is exit 0 with a line saying so."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from prr_policies.scan import scan

    files = [Path(f) for f in (sys.argv[1:] if argv is None else argv)]
    dirs = sorted({f.parent for f in files if f.suffix == ".tf"})
    if not dirs:
        print("prr-policies: no .tf files to scan")
        return 0
    codes = []
    for d in dirs:
        print(f"== {d}", flush=True)
        codes.append(scan(str(d), None, None, "cli", True))
    return max(codes, key=lambda c: {0: 0, 1: 1}.get(c, c + 10))


if __name__ == "__main__":
    sys.exit(main())
