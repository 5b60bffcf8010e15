"""The PRR checks on a multi-root tree, and the cost of scanning each root on its own.

Writes a tree of --roots root modules (default 20) holding --resources resources in all (default
1,000): each root calls a shared local module as `module "svc"` (the same module address in every
root, the case checkov merges) and holds the rest as inline stacks of checkov_overhead.py. Then,
alternating and keeping the best of --repeat runs:

- one `checkov -d TREE` with built-in checks only, and with ours added: the overhead ratio;
- `prr-policies scan TREE` (every root its own checkov run, forked from one launcher, --jobs at a
  time) against that one checkov run with ours: the price of correct per-root results; and the
  same scan without the launcher (PRR_SCAN_FORK=0: one `python -m checkov.main` per root).

Machines here are noisy and shared: read the ratios, not the seconds.

    python benchmarks/multi_root.py [--roots 20] [--resources 1000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from checkov_overhead import STACK, run, timed

PER_STACK = STACK.count("\nresource ")
MODULE = STACK.format(i="m").replace("bench-m", '${var.name}')


def write_tree(directory: Path, roots: int, resources: int) -> int:
    (directory / "modules" / "svc").mkdir(parents=True)
    (directory / "modules" / "svc" / "main.tf").write_text('variable "name" {}\n' + MODULE)
    stacks = max(0, resources // PER_STACK - roots)  # one stack per root comes from the module
    total = 0
    for r in range(roots):
        root = directory / f"root{r:02d}"
        root.mkdir()
        mine = range(r * stacks // roots, (r + 1) * stacks // roots)
        text = f'module "svc" {{\n  source = "../modules/svc"\n  name   = "svc-{r}"\n}}\n'
        text += "".join(STACK.format(i=i) for i in mine)
        (root / "main.tf").write_text(text)
        total += PER_STACK * (len(mine) + 1)
    return total


def scan(directory: Path, fork: bool) -> tuple[float, float]:
    env = dict(os.environ, PRR_SCAN_FORK="1" if fork else "0")
    return timed([sys.executable, "-m", "prr_policies.cli", "scan", str(directory), "-o", "json"], env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--roots", type=int, default=20)
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        total = write_tree(d, args.roots, args.resources)
        print(f"{args.roots} roots, {total} resources, module \"svc\" in every root; {os.cpu_count()} CPUs", flush=True)
        base, ours, per_root, per_root_nofork = [], [], [], []
        for _ in range(args.repeat):
            base.append(run(d, False))
            ours.append(run(d, True))
            per_root.append(scan(d, True))
            per_root_nofork.append(scan(d, False))
        best = [(min(t[0] for t in r), min(t[1] for t in r)) for r in (base, ours, per_root, per_root_nofork)]
        (bw, bc), (ow, oc) = best[:2]
        print(f"  {'':44} {'wall (s)':>9} {'ratio':>6} {'CPU (s)':>9} {'ratio':>6}")
        for label, (w, c), against in zip(
                ["one checkov run, built-ins only", "one checkov run, built-ins + PRR",
                 "prr-policies scan, a run per root (fork)", "prr-policies scan, PRR_SCAN_FORK=0"],
                best, [(bw, bc), (bw, bc), (ow, oc), (ow, oc)]):
            print(f"  {label:44} {w:>9.2f} {w / against[0]:>6.2f} {c:>9.2f} {c / against[1]:>6.2f}")
        print("  (ratios: + PRR against built-ins only; the scans against the one run with PRR)")


if __name__ == "__main__":
    main()
