"""``prr-policies audit``: the PRR checklist, run live through boto3 over one region.

Every control with a pure rule is evaluated on the facts :class:`~prr_policies.sources.account.Account`
collects (functions and their event sources, aliases, log groups, roles and release path; the
region's queues, topics, secrets, keys, code signing configs, deployment groups and API
stages). A call the auditing role may not make yields UNKNOWN naming the permission, never a
crash and never a PASS. Exit 1 when any control FAILs or is UNKNOWN.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TextIO
from xml.etree import ElementTree as ET

from prr_policies.controls import RULES, evaluate
from prr_policies.result import Result, Status
from prr_policies.settings import Settings
from prr_policies.sources.account import Account
from prr_policies.sources.aws_api import AUDIT_PERMISSIONS


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

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.result.status.blocks]


def run(client: Callable[[str], Any], settings: Settings, *, functions: list[str] | None = None, jobs: int = 8,
        progress: Callable[[str, int, int], None] | None = None) -> Report:
    start = time.perf_counter()
    account = Account(client, functions=functions, jobs=jobs, dlq_suffixes=settings.sqs.dlq_name_suffixes,
                      deployment_group_name=settings.release.deployment_group_name, progress=progress)
    snap = account.collect()
    report = Report(refused=snap.refused, failed=snap.failed, calls=snap.calls)
    for control_id, rule in RULES.items():
        for rtype, rid, facts in snap.facts.get(rule.facts_type, []):
            report.findings.append(Finding(control_id, rtype, rid, evaluate(control_id, facts, settings)))
    report.seconds = time.perf_counter() - start
    return report


def terminal_progress(stream: TextIO = sys.stderr) -> Callable[[str, int, int], None] | None:
    """A one-line progress bar on a terminal; nothing when the output is not one."""
    if not stream.isatty():
        return None

    def show(what: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        stream.write(f"\r{what:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


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
