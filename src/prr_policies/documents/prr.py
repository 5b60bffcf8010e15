"""The PRR document: every requirement of the catalog (1.x ... 7.x) with what verifies it, and the
non-functional targets of requirement 1.1 stated with this service's own numbers from prr.yaml."""

from __future__ import annotations

from dataclasses import dataclass

from prr_policies.documents import checklist, runbooks
from prr_policies.documents._common import (
    Context, control_link, notice, relative, requirement_anchor, runbook_page, table,
)

PAGE = "prr.md"


@dataclass(frozen=True)
class Target:
    nfr: str
    name: str
    value: str
    criterion: str


def targets(ctx: Context) -> list[Target]:
    r, s = ctx.readiness, ctx.settings
    return [
        Target("availability", "Availability SLO",
               f"{r.availability_slo_percent:g}% of requests per {r.slo_window_days} days "
               f"(error budget {r.error_budget_minutes():.1f} min)",
               f"1 - (5XX responses / requests) >= {r.availability_slo_percent:g}% over every {r.slo_window_days}-day window, "
               "from the API's 5XXError metric; functions fail less than the error budget at the sustained rate"),
        Target("latency", "Latency budget", f"p50 <= {r.latency.p50_ms} ms, p99 <= {r.latency.p99_ms} ms",
               f"API Latency and function Duration p99 stay under {r.latency.p99_ms} ms in every 5-minute period, and in "
               "a load test at the burst rate"),
        Target("throughput", "Throughput limits",
               f"sustained {r.throughput.sustained_rps:g} requests/s, burst {r.throughput.burst_rps:g} requests/s",
               "a load test at the burst rate keeps the latency budget; above it the stage throttle sheds load (429) "
               "before the functions' reserved concurrency is exhausted"),
        Target("recovery", "Recovery objectives", f"RTO <= {r.rto_minutes} min, RPO <= {r.rpo_minutes} min",
               f"a recovery drill restores service within {r.rto_minutes} min and loses at most {r.rpo_minutes} min of "
               f"data; no queued message waits longer than {r.rpo_minutes} min; every failed event lands in a DLQ"),
        Target("retention", "Data retention",
               f"data {r.data_retention_days} days; logs at least {s.logs.min_retention_days} days",
               f"every function's log group retains at least {s.logs.min_retention_days} days, encrypted with a "
               f"customer-managed key; data stores keep data {r.data_retention_days} days and no longer"),
        Target("cost", "Cost KPIs",
               f"at most ${r.cost.monthly_budget_usd:,.0f} a month and ${r.cost.max_usd_per_million_requests:g} per "
               "million requests",
               "the monthly cost review stays within both; memory and concurrency stay within their bounds"),
    ]


def _verified_by_target(ctx: Context, t: Target, alarms: list) -> str:
    parts = [control_link(c.id, PAGE) for c in ctx.controls() if t.nfr in c.nfr]
    mon = relative("monitoring.md", PAGE)
    parts += [f"alarm [`{a.name}`]({mon}#{a.name})" for a in alarms if a.nfr == t.nfr]
    parts += [f"checklist [`{m.id}`]({relative('checklist.md', PAGE)})" for m in checklist.manual_items() if t.nfr in m.nfr]
    return "<br>".join(parts) or "nothing yet"


def page(ctx: Context, alarms: list) -> str:
    books = runbooks.load_runbooks()
    settings_name = ctx.settings_file.name if ctx.settings_file else "the package defaults"
    out = [notice("the catalog, checklist.yaml, the runbook sources and prr.yaml"),
           f"# Production-readiness review: {ctx.service}\n",
           f"The requirements a production serverless service meets, each with what verifies it. The numbers are those of "
           f"{ctx.service}, from the `readiness` section of {settings_name}.\n"]
    section = None
    for req in ctx.cat.requirements:
        if req.section != section:
            section = req.section
            num = req.id.split(".")[0]
            out.append(f"## {num}. {section}\n")
        out.append(f"### {req.id} {req.title} {{#{requirement_anchor(req.id)}}}\n")
        out.append(req.text + "\n")
        if req.id == "1.1":
            out.append(table(["target", "value", "validation criterion", "verified by"],
                             [(t.name, t.value, t.criterion, _verified_by_target(ctx, t, alarms)) for t in targets(ctx)]) + "\n")
            oc = ctx.readiness.on_call
            if oc.escalation:
                path = " -> ".join(f"{s.contact} ({s.after_minutes} min)" for s in oc.escalation)
                out.append(f"On-call escalation: {path}. Contacts and timings are in every runbook.\n")
            else:
                out.append("On-call: no contacts are set (`readiness.on_call` in prr.yaml).\n")
        rows = [(control_link(c.id, PAGE), c.title, c.severity) for c in ctx.controls() if req.id in c.requirements]
        items = [m for m in checklist.manual_items() if req.id in m.requirements]
        mine = [b for b in books if req.id in b.requirements]
        if rows:
            out.append("Controls:\n\n" + table(["control", "title", "severity"], rows) + "\n")
        if items:
            out.append("Attested checklist items: " + ", ".join(
                f"[`{m.id}`]({relative('checklist.md', PAGE)}) ({m.criterion})" for m in items) + "\n")
        if mine:
            out.append("Runbooks: " + ", ".join(f"[{b.title}]({relative(runbook_page(b.id), PAGE)})" for b in mine) + "\n")
        if not (rows or items or mine):
            out.append("**Not yet verified by any control, checklist item or runbook.**\n")
    return "\n".join(out)
