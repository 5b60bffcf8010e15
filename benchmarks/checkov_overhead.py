"""Cost of the PRR checks on top of checkov's built-ins, measured in one run.

For N in (10, 100, 300) it writes N stacks (function + queue + event source mapping + log group +
role), then times `checkov -d` with built-in checks only and with built-ins plus ours,
alternating the two and keeping the best of --repeat runs each, and prints the ratio of wall
times and of CPU times (user + system of the checkov process). Machines here are noisy and shared:
read the ratios, the CPU one first, not the seconds.

With --floor it also times built-ins plus our checks registered but doing nothing (each returns
PASSED at once): what checkov itself spends per check and result (filtering, result records,
logging, JSON), whatever the checks compute. "ours/floor" is then the cost of our code alone.

    python benchmarks/checkov_overhead.py [--sizes 10 100 300] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from prr_policies.scan import CHECKS_DIR

STACK = '''
resource "aws_iam_role" "r{i}" {{
  name                 = "bench-{i}"
  assume_role_policy   = jsonencode({{ Version = "2012-10-17", Statement = [] }})
  permissions_boundary = "arn:aws:iam::123456789012:policy/app-boundary"
}}
resource "aws_sqs_queue" "q{i}" {{
  name                       = "bench-{i}"
  visibility_timeout_seconds = 180
}}
resource "aws_cloudwatch_log_group" "l{i}" {{
  name              = "/aws/lambda/bench-{i}"
  retention_in_days = 30
}}
resource "aws_lambda_function" "f{i}" {{
  function_name                  = "bench-{i}"
  role                           = aws_iam_role.r{i}.arn
  handler                        = "app.handler"
  runtime                        = "python3.13"
  filename                       = "app.zip"
  timeout                        = 30
  reserved_concurrent_executions = 5
  tracing_config {{
    mode = "Active"
  }}
}}
resource "aws_lambda_event_source_mapping" "m{i}" {{
  event_source_arn = aws_sqs_queue.q{i}.arn
  function_name    = aws_lambda_function.f{i}.arn
}}
'''


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system of the process and every descendant it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr[-2000:])
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


NOOP_CHECKS = '''
from checkov.common.models.enums import CheckResult
from prr_policies import checkov_adapter


def _noop(self, conf):
    self.details = ["PASS: not evaluated (benchmark floor)"]
    return CheckResult.PASSED


checkov_adapter.PrrCheck.scan_resource_conf = _noop
checkov_adapter.register()
'''


def run(directory: Path, with_ours: bool | Path) -> tuple[float, float]:
    cmd = [sys.executable, "-m", "checkov.main", "-d", str(directory), "--framework", "terraform",
           "--skip-download", "--compact", "--quiet", "-o", "json"]
    if with_ours:
        cmd += ["--external-checks-dir", str(with_ours if isinstance(with_ours, Path) else CHECKS_DIR)]
    return timed(cmd, dict(os.environ, BC_SKIP_MAPPING="TRUE", PYTHONHASHSEED="0"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--floor", action="store_true", help="also time our checks doing nothing")
    args = parser.parse_args()
    print(f"{'N':>5} {'built-ins (s)':>14} {'+ PRR (s)':>10} {'ratio':>6}   {'CPU built-ins':>13} {'+ PRR':>6} {'ratio':>6}"
          + (f"   {'CPU floor':>9} {'ratio':>6} {'ours/floor':>10}" if args.floor else ""))
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp) / "stack"
            d.mkdir()
            (d / "main.tf").write_text("".join(STACK.format(i=i) for i in range(n)))
            noop = Path(tmp) / "noop_checks"
            noop.mkdir()
            (noop / "__init__.py").write_text("")  # checkov loads an external checks folder only as a package
            (noop / "prr_noop.py").write_text(NOOP_CHECKS)
            base, ours, floor = [], [], []
            for _ in range(args.repeat):
                base.append(run(d, False))
                ours.append(run(d, True))
                if args.floor:
                    floor.append(run(d, noop))
            (bw, bc), (ow, oc) = [(min(t[0] for t in r), min(t[1] for t in r)) for r in (base, ours)]
            line = f"{n:>5} {bw:>14.2f} {ow:>10.2f} {ow / bw:>6.3f}   {bc:>13.2f} {oc:>6.2f} {oc / bc:>6.3f}"
            if args.floor:
                fc = min(t[1] for t in floor)
                line += f"   {fc:>9.2f} {fc / bc:>6.3f} {oc / fc:>10.3f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
