"""Running checkov for ``prr-policies scan``: each run isolated, several at a time, one hash seed.

checkov's results on modules depend on Python's hash seed, and a checkov process keeps scan state
from one run to the next (see TRAPS). So every run is its own process, started with
``PYTHONHASHSEED=0`` whatever the caller's environment says. Importing checkov takes seconds: on
POSIX a launcher (``python -m prr_policies.checkov_process JOBS.json``) imports it once and forks
one child per run from that never-used state, at most ``jobs`` at a time. Where ``fork`` is missing
(or ``PRR_SCAN_FORK=0``), each run is a ``python -m checkov.main`` subprocess.

No checkov import in the caller; only the launcher imports it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prr_policies.errors import EvaluationError

HASH_SEED = "0"


@dataclass(frozen=True)
class Outcome:
    rc: int
    stdout: str
    stderr: str


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def use_fork() -> bool:
    return hasattr(os, "fork") and os.environ.get("PRR_SCAN_FORK", "1") != "0"


def run_all(argvs: list[list[str]], env: dict[str, str], jobs: int | None = None) -> list[Outcome]:
    """Run ``checkov <argv>`` once per entry, in order of the results; ``env`` is the whole
    environment of every run (the hash seed is set here)."""
    if not argvs:
        return []
    env = dict(env, PYTHONHASHSEED=HASH_SEED)
    jobs = max(1, min(jobs or default_jobs(), len(argvs)))
    if use_fork():
        return _via_launcher(argvs, env, jobs)
    return _via_subprocesses(argvs, env, jobs)


def _via_subprocesses(argvs: list[list[str]], env: dict[str, str], jobs: int) -> list[Outcome]:
    def one(argv: list[str]) -> Outcome:
        proc = subprocess.run([sys.executable, "-m", "checkov.main", *argv], capture_output=True, text=True, env=env)
        return Outcome(proc.returncode, proc.stdout, proc.stderr)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, argvs))


def _via_launcher(argvs: list[list[str]], env: dict[str, str], jobs: int) -> list[Outcome]:
    with tempfile.TemporaryDirectory(prefix="prr-scan-") as tmp:
        d = Path(tmp)
        runs = [{"argv": argv, "out": str(d / f"{i}.out"), "err": str(d / f"{i}.err")} for i, argv in enumerate(argvs)]
        (d / "jobs.json").write_text(json.dumps({"jobs": jobs, "runs": runs}))
        proc = subprocess.run([sys.executable, "-m", "prr_policies.checkov_process", str(d / "jobs.json")],
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
            raise EvaluationError(f"could not start checkov: {tail[0]}")
        codes = json.loads(proc.stdout)
        return [Outcome(code, _read(run["out"]), _read(run["err"])) for code, run in zip(codes, runs)]


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _child(checkov_main: Any, run: dict[str, Any]) -> None:
    """In a forked child: one checkov run with stdout/stderr to files; never returns."""
    code = 70
    try:
        for fd, name in ((1, run["out"]), (2, run["err"])):
            handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(handle, fd)
            os.close(handle)
        sys.argv = ["checkov", *run["argv"]]
        code = int(checkov_main.Checkov(run["argv"]).run() or 0)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - report it on the run's stderr; the caller maps the code
        traceback.print_exc()
        code = 70
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _warm() -> None:
    """Load, before forking, what every run would load the same way: checkov's YAML graph checks
    and our catalog and checks module (checkov executes prr_checks.py in each run; its imports are
    then already done). A child starts with these loaded and nothing scanned."""
    from checkov.common.checks_infra.registry import get_graph_checks_registry

    import prr_policies.checkov_adapter  # noqa: F401 - checkov's check classes, our rules; registers nothing
    from prr_policies.catalog import catalog

    catalog()
    get_graph_checks_registry("terraform").load_checks()


def _launch(jobfile: str) -> int:
    spec = json.loads(Path(jobfile).read_text())
    import checkov.main as checkov_main  # once, before any fork

    _warm()

    pending = list(enumerate(spec["runs"]))
    running: dict[int, int] = {}
    codes: dict[int, int] = {}
    while pending or running:
        while pending and len(running) < spec["jobs"]:
            index, run = pending.pop(0)
            pid = os.fork()
            if pid == 0:
                _child(checkov_main, run)
            running[pid] = index
        pid, status = os.wait()
        if pid in running:
            codes[running.pop(pid)] = os.waitstatus_to_exitcode(status)
    print(json.dumps([codes[i] for i in range(len(spec["runs"]))]))
    return 0


if __name__ == "__main__":
    sys.exit(_launch(sys.argv[1]))
