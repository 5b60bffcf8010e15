"""Runbooks: hand-written sources in ``runbooks/<id>.md`` (a YAML header, then Markdown with
``{{name}}`` placeholders filled from prr.yaml and the stack), rendered with what leads to each
(the controls whose ``enforcement.runbook`` names it, the alarms that name it) and the escalation
path with its timings and contacts from ``readiness.on_call``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from prr_policies.documents._common import Context, control_link, notice, relative, requirement_link, runbook_page, table
from prr_policies.errors import InputError

RUNBOOKS_DIR = Path(__file__).resolve().parent / "runbooks"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


@dataclass(frozen=True)
class Runbook:
    id: str
    title: str
    requirements: tuple[str, ...]
    summary: str
    body: str
    source: Path


def _parse(path: Path) -> Runbook:
    import yaml

    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        raise InputError(str(path), "", "a runbook starts with a YAML header between --- lines")
    head, _, body = text[4:].partition("\n---\n")
    meta = yaml.safe_load(head) or {}
    for key in ("id", "title", "requirements", "summary"):
        if key not in meta:
            raise InputError(str(path), key, "required field is missing from the runbook header")
    unknown = set(meta) - {"id", "title", "requirements", "summary"}
    if unknown:
        raise InputError(str(path), sorted(unknown)[0], "unknown field (allowed: id, requirements, summary, title)")
    if meta["id"] != path.stem:
        raise InputError(str(path), "id", f"{meta['id']!r} must equal the file name {path.stem!r}")
    return Runbook(meta["id"], meta["title"], tuple(str(r) for r in meta["requirements"]), meta["summary"], body, path)


@lru_cache(maxsize=4)
def load_runbooks(directory: Path = RUNBOOKS_DIR) -> tuple[Runbook, ...]:
    return tuple(_parse(p) for p in sorted(directory.glob("*.md")))


def variables(ctx: Context) -> dict[str, str]:
    s, r, stack = ctx.settings, ctx.readiness, ctx.stack
    dlqs = {q.address for q in stack.dead_letter_queues(s.sqs.dlq_name_suffixes)}

    def names(resources: list) -> str:
        return ", ".join(f"`{x.label}`" for x in resources) or "none in the stack"

    return {
        "service": ctx.service, "region": ctx.region,
        "slo": f"{r.availability_slo_percent:g}", "slo_window_days": str(r.slo_window_days),
        "error_budget_minutes": f"{r.error_budget_minutes():.1f}",
        "p50_ms": str(r.latency.p50_ms), "p99_ms": str(r.latency.p99_ms),
        "sustained_rps": f"{r.throughput.sustained_rps:g}", "burst_rps": f"{r.throughput.burst_rps:g}",
        "rto_minutes": str(r.rto_minutes), "rpo_minutes": str(r.rpo_minutes),
        "concurrency_min": str(s.lambda_.reserved_concurrency.min), "concurrency_max": str(s.lambda_.reserved_concurrency.max),
        "visibility_multiplier": str(s.event_sources.visibility_timeout_multiplier),
        "max_receive_count": str(s.sqs.max_receive_count), "rotation_days": str(s.secrets.max_rotation_days),
        "deployment_types": ", ".join(s.release.allowed_deployment_types),
        "rollback_events": ", ".join(s.release.required_rollback_events),
        "functions": names(stack.functions()), "apis": names(stack.apis()),
        "queues": names([q for q in stack.queues() if q.address not in dlqs]),
        "dlqs": names([q for q in stack.queues() if q.address in dlqs]),
    }


def fill(runbook: Runbook, values: dict[str, str]) -> str:
    def sub(m: re.Match) -> str:
        if m.group(1) not in values:
            raise InputError(str(runbook.source), m.group(0), f"unknown placeholder (known: {', '.join(sorted(values))})")
        return values[m.group(1)]

    return PLACEHOLDER.sub(sub, runbook.body)


def escalation(ctx: Context, page: str) -> str:
    oc = ctx.readiness.on_call
    if not oc.escalation:
        return ("No escalation path is set: fill `readiness.on_call` in prr.yaml (contacts, and escalation steps with the "
                "minutes after the page at which each is called).\n")
    by_name = {c.name: c for c in oc.contacts}
    rows = [(f"{s.after_minutes} min", s.contact, by_name[s.contact].role, by_name[s.contact].reach) for s in oc.escalation]
    lines = ["```mermaid", "flowchart LR"]
    for i, s in enumerate(oc.escalation):
        lines.append(f'    step{i}["{s.after_minutes} min: {s.contact}<br>{by_name[s.contact].role}"]')
    for i in range(len(oc.escalation) - 1):
        gap = oc.escalation[i + 1].after_minutes - oc.escalation[i].after_minutes
        lines.append(f'    step{i} -->|"no ack in {gap} min"| step{i + 1}')
    lines.append("```")
    return (table(["after the page", "contact", "role", "how to reach"], rows) + "\n\n" + "\n".join(lines) + "\n\n"
            f"The last step starts before the RTO ({ctx.readiness.rto_minutes} min) runs out; "
            "prr.yaml's validation refuses a path that does not.\n")


def render(ctx: Context, runbook: Runbook, alarms: list) -> str:
    page = runbook_page(runbook.id)
    controls = [c for c in ctx.controls() if c.enforcement.runbook == runbook.id]
    mine = [a for a in alarms if a.runbook == runbook.id]
    out = [notice(f"{runbook.source.name} (runbook source), the catalog and prr.yaml"), f"# {runbook.title}\n",
           f"{runbook.summary}\n",
           f"PRR requirements: {', '.join(requirement_link(r, page) for r in runbook.requirements)}.\n",
           "## What leads here\n"]
    if controls:
        out.append(table(["control", "title"], [(control_link(c.id, page), c.title) for c in controls]) + "\n")
    if mine:
        monitoring = relative("monitoring.md", page)
        out.append("\n" + table(["alarm", "fires when"], [(f"[`{a.name}`]({monitoring}#{a.name})", a.what) for a in mine]) + "\n")
    out.append(fill(runbook, variables(ctx)).rstrip() + "\n")
    out.append("\n## Escalation path\n\n" + escalation(ctx, page))
    return "\n".join(out)


def pages(ctx: Context, alarms: list) -> dict[str, str]:
    books = load_runbooks()
    out = {f"docs/{runbook_page(b.id)}": render(ctx, b, alarms) for b in books}
    rows = [(f"[{b.title}]({b.id}.md)", b.summary, ", ".join(requirement_link(r, "runbooks/index.md") for r in b.requirements))
            for b in books]
    out["docs/runbooks/index.md"] = (notice("the runbook sources") + "# Runbooks (4.x)\n\n"
                                     "Each runbook has a decision tree, the commands to run (checked against the AWS "
                                     "APIs they call) and the escalation path with its timings and contacts.\n\n"
                                     + table(["runbook", "when", "requirements"], rows) + "\n")
    return out
