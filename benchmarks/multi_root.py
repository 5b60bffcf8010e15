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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checkov_overhead import STACK, run

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


def scan(directory: Path, fork: bool) -> float:
    env = dict(os.environ, PRR_SCAN_FORK="1" if fork else "0")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "prr_policies.cli", "scan", str(directory), "-o", "json"],
                          capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr[-2000:])
    return elapsed


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
        b, o = min(base), min(ours)
        print(f"  one checkov run, built-ins only            : {b:7.2f} s")
        print(f"  one checkov run, built-ins + PRR           : {o:7.2f} s   overhead ratio {o / b:.3f}")
        print(f"  prr-policies scan, one run per root (fork) : {min(per_root):7.2f} s   ratio {min(per_root) / o:.2f}x the one run")
        print(f"  prr-policies scan, PRR_SCAN_FORK=0         : {min(per_root_nofork):7.2f} s   ratio "
              f"{min(per_root_nofork) / o:.2f}x the one run")


if __name__ == "__main__":
    main()
