"""``prr-policies audit``: the PRR checklist, run live through boto3 over one region.

Every control with a pure rule is evaluated on the facts :class:`~prr_policies.sources.account.Account`
collects (functions and their event sources, aliases, log groups, roles and release path; the
region's queues, topics, secrets, keys, code signing configs, deployment groups and API
stages). A call the auditing role may not make yields UNKNOWN naming the permission, never a
crash and never a PASS; so does a call that timed out, could not connect, or was not made
before the audit's time limit.

Exit codes (:func:`exit_code`): 0 every control passed or does not apply; 1 a control FAILed or
is UNKNOWN; 3 nothing could be evaluated (no call got an answer from AWS, or the region holds
nothing a control applies to, unless that is allowed). A ``--function``
the region does not have is an InputError (exit 2).
:func:`connect` checks first, with ``sts:GetCallerIdentity``, that AWS can be reached (else
:class:`EvaluationError`, exit 3) and accepts the credentials (else :class:`InputError`, exit 2).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TextIO
from xml.etree import ElementTree as ET

from prr_policies.controls import RULES, evaluate
from prr_policies.errors import EvaluationError, InputError
from prr_policies.facts import LambdaFunction
from prr_policies.result import Result, Status
from prr_policies.settings import Settings
from prr_policies.sources.account import Account
from prr_policies.sources.aws_api import AUDIT_PERMISSIONS, Limits


@dataclass
class Finding:
    control_id: str
    resource_type: str
    resource_id: str
    result: Result


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    calls: set = field(default_factory=set)
    seconds: float = 0.0
    answered: int | None = None  # AWS answers with 2xx (None: the clients were not botocore's)
    time_limit: float | None = None

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.result.status.blocks]

    @property
    def regional(self) -> list[Finding]:
        """Findings on the Region's resources: not the account-wide ones (budgets, reported in every
        Region), so auditing the wrong Region still says it found nothing there."""
        return [f for f in self.findings if f.resource_type != "AWS::::Account"]

    @property
    def evaluated_nothing(self) -> bool:
        """No call got an answer from AWS: every verdict would rest on nothing read."""
        return self.answered == 0 and bool(self.failed or self.refused)

    @property
    def ran_out_of_time(self) -> bool:
        return "TimeLimit" in self.failed.values()


def run(client: Callable[[str], Any], settings: Settings, *, functions: list[str] | None = None, jobs: int = 8,
        progress: Callable[[str, int, int], None] | None = None, time_limit: float | None = None,
        observer: Callable[[str], None] | None = None) -> Report:
    """Read the region and evaluate every control. ``time_limit`` (seconds) stops the reads:
    what was not read by then is UNKNOWN ("... was not read: the time limit of N s ran out")."""
    start = time.perf_counter()
    account = Account(client, functions=functions, jobs=jobs, dlq_suffixes=settings.sqs.dlq_name_suffixes,
                      deployment_group_name=settings.release.deployment_group_name, progress=progress)
    if time_limit is not None:
        account.api.deadline = time.monotonic() + time_limit
        account.api.time_limit = time_limit
    account.api.observer = observer
    snap = account.collect()
    if functions:
        listed = snap.facts.get(LambdaFunction, [])
        if not any(rid.startswith("<") for _, rid, _ in listed):  # the listing was read: every name must be in it
            found = {rid for _, rid, _ in listed} | {getattr(f, "address", None) for _, _, f in listed}
            missing = [name for name in functions if name not in found]
            if missing:
                raise InputError("--function", "", f"no function {', '.join(missing)} in {account.region}")
    report = Report(refused=snap.refused, failed=snap.failed, calls=snap.calls, answered=account.api.answered,
                    time_limit=time_limit)
    for control_id, rule in RULES.items():
        for rtype, rid, facts in snap.facts.get(rule.facts_type, []):
            report.findings.append(Finding(control_id, rtype, rid, evaluate(control_id, facts, settings)))
    report.seconds = time.perf_counter() - start
    return report


def exit_code(report: Report, allow_empty: bool = False) -> int:
    """3 when nothing could be evaluated (no call was answered, or the region holds nothing a
    control applies to and ``allow_empty`` is false), 1 on any FAIL or UNKNOWN, else 0. A failed
    call no verdict needed is listed in the report but does not fail the audit."""
    if report.evaluated_nothing or (not report.regional and not allow_empty):
        return 3
    return 1 if report.blocking else 0


def why_nothing(report: Report, region: str = "the region") -> str:
    """One line for exit 3: why nothing was evaluated."""
    if not report.evaluated_nothing:
        return (f"nothing to evaluate: {region} holds no Lambda function or other resource a control applies to "
                "(the wrong region or account?); pass --allow-empty if that is expected")
    first = sorted(report.failed.items(), key=lambda kv: (kv[1] == "TimeLimit", kv[0])) or sorted(report.refused.items())
    what = ", ".join(f"{action} ({code})" for action, code in first[:3]) + (" ..." if len(first) > 3 else "")
    hint = " (the time limit ran out)" if report.ran_out_of_time else ""
    return f"could not evaluate anything: no AWS call was answered{hint}: {what}"


def connect(profile: str | None, region: str | None, limits: Limits, jobs: int = 8) -> tuple[Callable[[str], Any], str, dict]:
    """A client factory with the timeouts and retry limits of ``limits``, its region, and the
    caller's identity (``sts:GetCallerIdentity``, which needs no permission). InputError (exit 2) for a
    missing region, credentials or profile, or credentials AWS rejects; EvaluationError (exit 3)
    when AWS cannot be reached at all."""
    import boto3
    import botocore.exceptions as bce
    from botocore.config import Config

    import os

    try:  # botocore reads AWS_DEFAULT_REGION only; AWS_REGION is what Lambda and most CI set
        session = boto3.Session(profile_name=profile, region_name=region or os.environ.get("AWS_REGION") or None)
    except bce.ProfileNotFound as exc:
        raise InputError("--profile", "", str(exc)) from None
    if session.region_name is None:
        raise InputError("--region", "", "no region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)")
    try:
        credentials = session.get_credentials()
    except bce.BotoCoreError as exc:  # a profile whose credentials cannot be loaded (SSO, process)
        raise InputError("AWS credentials", "", str(exc)) from None
    if credentials is None:
        raise InputError("AWS credentials", "", "no AWS credentials found (profile, environment or instance role)")
    # total_max_attempts counts the first attempt; botocore's max_attempts counts only the retries
    config = Config(connect_timeout=limits.connect_timeout, read_timeout=limits.read_timeout,
                    retries={"total_max_attempts": limits.max_attempts, "mode": "standard"}, max_pool_connections=max(10, jobs))
    try:
        identity = session.client("sts", config=config).get_caller_identity()
    except bce.ClientError as exc:
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        message = f"AWS refused the credentials at sts:GetCallerIdentity ({code}: {err.get('Message', '')})"
        if code.startswith(("Throttl", "Internal", "ServiceUnavailable")):
            raise EvaluationError(f"cannot evaluate: sts:GetCallerIdentity failed ({code}); try again later") from None
        raise InputError("AWS credentials", "", message) from None
    except (bce.NoCredentialsError, bce.PartialCredentialsError, bce.CredentialRetrievalError, bce.SSOError,
            bce.TokenRetrievalError) as exc:
        raise InputError("AWS credentials", "", str(exc)) from None
    except (bce.BotoCoreError, OSError) as exc:
        raise EvaluationError(f"cannot reach AWS: sts:GetCallerIdentity failed ({exc}); check the network, a proxy "
                              "or AWS_ENDPOINT_URL") from None

    def client(service: str) -> Any:
        return session.client(service, config=config)

    return client, session.region_name, identity


class Progress:
    """Progress on stderr: a line for each kind of call the first time it is made, and the
    functions read so far (a bar on a terminal; otherwise a line at every tenth and at the end)."""

    def __init__(self, stream: TextIO = sys.stderr, tty: bool | None = None):
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self._lock = threading.Lock()
        self._bar_open = False
        self._shown: dict[str, int] = {}

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def line(self, text: str) -> None:
        with self._lock:
            if self._bar_open:
                self._write("\n")
                self._bar_open = False
            self._write(f"prr-policies audit: {text}\n")

    def step(self, what: str, done: int, total: int) -> None:
        with self._lock:
            if self.tty:
                width = 30
                filled = int(width * done / total) if total else width
                self._write(f"\r{what:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
                self._bar_open = done < total
                if not self._bar_open:
                    self._write("\n")
                return
            tenth = done * 10 // total if total else 10
            if done >= total or tenth > self._shown.get(what, 0):
                self._shown[what] = tenth
                self._write(f"prr-policies audit: {what} {done}/{total}\n")


def terminal_progress(stream: TextIO = sys.stderr) -> Callable[[str, int, int], None] | None:
    """A one-line progress bar on a terminal; nothing when the output is not one."""
    if not stream.isatty():
        return None
    return Progress(stream, tty=True).step


def render_table(report: Report) -> str:
    lines = [f"{'control':<20} {'pass':>5} {'fail':>5} {'unknown':>8} {'warn':>5} {'n/a':>5}"]
    for cid in RULES:
        mine = [f for f in report.findings if f.control_id == cid]
        if not mine:
            continue
        n = {s: sum(f.result.status is s for f in mine) for s in Status}
        lines.append(f"{cid:<20} {n[Status.PASS]:>5} {n[Status.FAIL]:>5} {n[Status.UNKNOWN]:>8} {n[Status.WARNING]:>5} "
                     f"{n[Status.NOT_APPLICABLE]:>5}")
    bad = report.blocking
    # Blocking findings, then warnings: listed, but a warning alone leaves the exit code 0.
    for shown in (bad, [f for f in report.findings if f.result.status is Status.WARNING]):
        if shown:
            lines.append("")
        for f in shown:
            lines.append(f"  {f.result.status.value:<7} {f.control_id} {f.resource_type} {f.resource_id}")
            lines.append(f"          {f.result.reason}")
    if report.refused:
        lines.append("")
        lines.append("Refused calls (grant these to the auditing role; the controls that need them are UNKNOWN):")
        lines += [f"  {action} ({code})" for action, code in sorted(report.refused.items())]
    if report.failed:
        lines.append("")
        lines.append("Failed calls (the controls that need them are UNKNOWN):")
        lines += [f"  {action} ({code})" for action, code in sorted(report.failed.items())]
    if report.ran_out_of_time:
        lines.append("")
        lines.append(f"The time limit of {report.time_limit or 0:g} s ran out: calls marked TimeLimit were not made "
                     "(raise it with --timeout).")
    total = len(report.findings)
    lines.append("")
    lines.append(f"{total} results, {len(bad)} failing or unknown, in {report.seconds:.1f} s")
    return "\n".join(lines)


def render_json(report: Report) -> str:
    return json.dumps({
        "results": [{**f.result.to_dict(), "resource_type": f.resource_type, "resource_id": f.resource_id} for f in report.findings],
        "summary": {s.value: sum(f.result.status is s for f in report.findings) for s in Status},
        "refused_permissions": report.refused,
        "failed_calls": report.failed,
        "evaluated_nothing": report.evaluated_nothing,
        "required_permissions": list(AUDIT_PERMISSIONS),
    }, indent=2)


def render_junit(report: Report) -> str:
    suites = ET.Element("testsuites", name="prr-policies audit")
    for cid in RULES:
        mine = [f for f in report.findings if f.control_id == cid]
        if not mine:
            continue
        suite = ET.SubElement(suites, "testsuite", name=cid, tests=str(len(mine)),
                              failures=str(sum(f.result.status.blocks for f in mine)),
                              skipped=str(sum(f.result.status is Status.NOT_APPLICABLE for f in mine)))
        for f in mine:
            case = ET.SubElement(suite, "testcase", classname=f"{cid}.{f.resource_type}", name=f.resource_id)
            if f.result.status.blocks:
                ET.SubElement(case, "failure", message=f"{f.result.status.value}: {f.result.reason}", type=f.result.status.value)
            elif f.result.status is Status.NOT_APPLICABLE:
                ET.SubElement(case, "skipped", message=f.result.reason)
            elif f.result.status is Status.WARNING:  # passes, with the warning in the case's output
                ET.SubElement(case, "system-out").text = f"WARNING: {f.result.reason}"
    return ET.tostring(suites, encoding="unicode")


RENDERERS = {"table": render_table, "json": render_json, "junitxml": render_junit}
