"""The documentation site: every generated page, mkdocs.yml, and writing or checking them.

``pages(ctx)`` returns ``{path relative to the output root: text}``: ``mkdocs.yml`` and the pages
under ``docs/``. ``build``/``check`` write them or compare them through the generation manifest
(:mod:`prr_policies.generate`), kept in ``docs/.prr-generated.json`` (mkdocs skips dot files).
"""

from __future__ import annotations

import json
from pathlib import Path

from prr_policies import generate
from prr_policies.documents import checklist, compliance, diagrams, evidence, matrix, monitoring, prr, runbooks
from prr_policies.documents._common import (
    COMMAND, Context, control_anchor, control_link, notice, relative, requirement_link, runbook_page, table,
)

MANIFEST = "docs/.prr-generated.json"
NOTICE = (f"Written by `{COMMAND}`: mkdocs.yml and the files under docs/ listed here were generated from the settings file "
          "named here, the catalog, the runbook sources and the stack's plan. Do not edit them; run it again. It replaces or "
          "removes only the files listed here.")


def controls_page(ctx: Context) -> str:
    p = "controls.md"
    out = [notice("the catalog"), "# Controls\n",
           f"The {len(ctx.controls())} controls of the catalog, each with its rationale, remediation and enforcement points.\n"]
    for c in ctx.controls():
        e = c.enforcement
        out.append(f"## {c.id}: {c.title} {{#{control_anchor(c.id)}}}\n")
        facts = [("severity", c.severity), ("requirements", ", ".join(requirement_link(r, p) for r in c.requirements)),
                 ("AWS service", ", ".join(matrix.services(c))), ("enforcement", ", ".join(matrix.enforcement(c))),
                 ("checks", "<br>".join(matrix.checks(c)) or "none"),
                 ("checklist", f"[{c.checklist}]({relative('checklist.md', p)})"),
                 ("Security Hub", ", ".join(f"{s} ({ctx.cat.security_hub_controls[s]})" for s in c.security_hub) or "none"),
                 ("CloudTrail events", "<br>".join(matrix.events(c))),
                 ("ISO/IEC 27001:2022", ", ".join(c.compliance.iso27001_2022)), ("SOC 2", ", ".join(c.compliance.soc2_tsc)),
                 ("NIST CSF 2.0", ", ".join(c.compliance.nist_csf_2))]
        if e.runbook:
            facts.append(("runbook", f"[{e.runbook}]({relative(runbook_page(e.runbook), p)})"))
        out.append(table(["", ""], facts) + "\n")
        out.append(c.rationale + "\n")
        out.append("Remediation:\n\n```hcl\n" + c.remediation.rstrip() + "\n```\n")
        for lim in c.limitations:
            out.append(f"Limitation: {lim}\n")
    return "\n".join(out)


def monitoring_page(ctx: Context, alarms: list) -> str:
    p = "monitoring.md"
    out = [notice(f"the stack's plan ({ctx.stack.path.name}) and prr.yaml"), "# Dashboard and alarms\n",
           f"Generated from the stack and the readiness targets: [monitoring/monitoring.json](monitoring/monitoring.json) "
           f"holds the dashboard `{ctx.dashboard_name()}` and every alarm as a PutMetricAlarm request; "
           f"`deploy/monitoring` (Terraform) deploys them. Once deployed: [open the dashboard]({ctx.dashboard_url()}).\n",
           "## Alarms\n"]
    for a in alarms:
        r = a.request
        stat = r.get("ExtendedStatistic") or r.get("Statistic")
        dims = ", ".join(f"{d['Name']}={d['Value']}" for d in r["Dimensions"])
        out.append(f"### `{a.name}` {{#{a.name}}}\n")
        out.append(f"{a.what} {r['Namespace']} {r['MetricName']} ({dims}), {stat} over {r['Period']} s, above "
                   f"{r['Threshold']:g} in {r['DatapointsToAlarm']} of {r['EvaluationPeriods']} periods. Watches "
                   f"`{a.resource}`; guards {a.nfr}; runbook: [{a.runbook}]({relative(runbook_page(a.runbook), p)}).\n")
    body = monitoring.dashboard(ctx)
    out.append("## Dashboard widgets\n")
    out.append(table(["widget", "metrics"], [(w["properties"]["title"], ", ".join(
        f"{m[0]} {m[1]}" + (f" {m[-1]['stat']}" if isinstance(m[-1], dict) else "") for m in w["properties"]["metrics"]))
        for w in body["widgets"]]) + "\n")
    return "\n".join(out)


def evidence_page(ctx: Context) -> str:
    return "\n".join([
        notice("the evidence schema"), "# Evidence\n",
        "`prr-policies audit --region R --evidence DIR` writes `DIR/evidence.json`: when the audit ran, the account, "
        "Region and caller identity, the SHA-256 of the settings and of the catalog, and for every control of the catalog "
        "its results (resource type, resource id, status, reason) with the API calls behind them, or the reason it has "
        "none. Each control is at `/controls/<control id>` (a JSON pointer), which the [checklist](checklist.md) cites. "
        "`prr-policies checklist --evidence DIR` reads it.\n",
        "The bundle validates against [evidence.schema.json](evidence.schema.json) (JSON Schema 2020-12), shipped in the "
        "package as `prr_policies/documents/evidence.schema.json`.\n",
        table(["control", "evidence"], [(control_link(c.id, "evidence.md"), "; ".join(matrix.evidence(c)) or "attestation")
                                        for c in ctx.controls()]) + "\n",
    ])


def index_page(ctx: Context, alarms: list) -> str:
    r = ctx.readiness
    cs = ctx.controls()
    by_kind = {k: sum(k in matrix.enforcement(c) for c in cs) for k in ("static", "preventive", "detective", "audit", "manual")}
    toc = [("[PRR document](prr.md)", "requirements 1.x-7.x with this service's targets and what verifies each"),
           ("[Controls](controls.md)", "every control: rationale, remediation, enforcement"),
           ("[Control matrix](matrix.md)", "2.x: enforcement, checks, evidence, CloudTrail, Security Hub, compliance ids"),
           ("[Runbooks](runbooks/index.md)", "4.x: decision trees, commands, escalation"),
           ("[Checklist](checklist.md)", "5.x: Yes/No items by category, with evidence"),
           ("[Reference architecture](architecture.md)", "6.x: request flow and CI/CD flow"),
           ("[Dashboard and alarms](monitoring.md)", "generated from the stack"),
           ("[Evidence](evidence.md)", "the audit's evidence bundle and its schema"),
           ("[Compliance mapping](compliance/index.md)", "per framework: what the PRR covers"),
           ("[Implementation guidance](guidance.md)", "how to adopt, run and keep these documents true"),
           ("[Index](genindex.md)", "every control, requirement, check and service, alphabetically")]
    return "\n".join([
        notice(), f"# {ctx.service}: production-readiness review\n", "## Executive summary\n",
        f"{ctx.service} promises {r.availability_slo_percent:g}% availability over {r.slo_window_days} days, p99 latency "
        f"under {r.latency.p99_ms} ms at up to {r.throughput.burst_rps:g} requests/s, recovery within {r.rto_minutes} "
        f"minutes with at most {r.rpo_minutes} minutes of data lost, and a cost of at most "
        f"${r.cost.monthly_budget_usd:,.0f} a month.\n",
        f"{len(cs)} controls enforce the review's {len(ctx.cat.requirements)} requirements: {by_kind['static']} in the "
        f"Terraform before merge (checkov), {by_kind['preventive']} at the API call (SCPs and permission boundaries), "
        f"{by_kind['detective']} continuously after deploy (AWS Config), {by_kind['audit']} on demand "
        f"(`prr-policies audit`), and {by_kind['manual']} by attestation. {len(alarms)} alarms watch the targets and lead "
        f"to {len(runbooks.load_runbooks())} runbooks. Every page here is generated from the control catalog, "
        "prr.yaml and the stack, and CI fails when a page drifts from them.\n",
        "## Contents\n", table(["page", "what it holds"], toc) + "\n",
    ])


def guidance_page(ctx: Context) -> str:
    settings = ctx.settings_file.name if ctx.settings_file else "prr.yaml"
    return "\n".join([
        notice(), "# Implementation guidance\n",
        "## Adopt\n",
        f"1. Set the `readiness` section of `{settings}`: the SLO, latency budget, throughput limits, RTO and RPO, data "
        "retention, cost KPIs, and the on-call contacts with their escalation timings; point `readiness.stack` at the "
        "stack's `terraform show -json` plan.",
        "2. Generate the guardrails and the conformance pack (`prr-policies generate`) and attach or deploy them.",
        "3. Generate these documents and the monitoring (`prr-policies docs build`); deploy `deploy/monitoring` with "
        "the alarm topic that pages the on-call engineer.",
        "4. In every pull request: `prr-policies scan`, `prr-policies generate --check` and `prr-policies docs --check`.\n",
        "## Before go-live\n",
        "```sh\nprr-policies audit --region " + ctx.region + " --evidence evidence/\n"
        "prr-policies scan stack/ -o json > scan.json\n"
        "prr-policies checklist --evidence evidence/ --scan scan.json --attestations attestations.yaml\n```\n",
        "The checklist exits 0 only when every item is Yes; it lists what is No and what is not yet known.\n",
        "## Keep the documents true\n",
        f"`{COMMAND}` writes `mkdocs.yml` and `docs/` from the catalog, prr.yaml, the runbook sources and the stack's "
        "plan; `prr-policies docs --check` fails when a page differs (a control added or removed, a runbook renamed, a "
        "number changed in prr.yaml). `mkdocs build --strict` fails on a broken link or anchor. The tests also parse "
        "every Mermaid diagram with Mermaid's own parser, check each runbook's decision tree, and check every `aws` "
        "command against botocore's models of the AWS APIs.\n",
    ])


def index_terms(ctx: Context) -> str:
    terms: dict[str, set[str]] = {}

    def add(term: str, link: str) -> None:
        terms.setdefault(term, set()).add(link)

    p = "genindex.md"
    for c in ctx.controls():
        link = control_link(c.id, p)
        add(c.id, link)
        for x in (*c.enforcement.checkov, *c.enforcement.config_rules, *c.enforcement.guardrail_sids, *c.security_hub,
                  *matrix.services(c), *c.resource_types):
            add(x, link)
        for r in c.requirements:
            add(f"requirement {r}", requirement_link(r, p))
    for b in runbooks.load_runbooks():
        add(f"runbook: {b.title}", f"[{b.id}]({runbook_page(b.id)})")
    for m in checklist.manual_items():
        add(f"checklist item {m.id}", "[checklist](checklist.md)")
    rows = [(t, ", ".join(sorted(ls))) for t, ls in sorted(terms.items(), key=lambda kv: kv[0].lower())]
    return notice() + "# Index\n\n" + table(["term", "where"], rows) + "\n"


def mkdocs_yml(ctx: Context) -> str:
    books = runbooks.load_runbooks()
    nav = [{"Summary": "index.md"}, {"PRR document": "prr.md"}, {"Controls": "controls.md"}, {"Control matrix": "matrix.md"},
           {"Runbooks": [{"Overview": "runbooks/index.md"}] + [{b.title: runbook_page(b.id)} for b in books]},
           {"Checklist": "checklist.md"}, {"Reference architecture": "architecture.md"}, {"Dashboard and alarms": "monitoring.md"},
           {"Evidence": "evidence.md"},
           {"Compliance": [{"Overview": "compliance/index.md"}] + [{fw.name: f"compliance/{k}.md"} for k, fw in compliance.frameworks().items()]},
           {"Implementation guidance": "guidance.md"}, {"Index": "genindex.md"}]
    doc = {
        "site_name": f"{ctx.service}: production-readiness review",
        "docs_dir": "docs", "site_dir": "site", "strict": True,
        "theme": {"name": "material", "features": ["navigation.sections", "navigation.indexes", "toc.follow", "search.highlight"]},
        "markdown_extensions": ["tables", "admonition", "attr_list", {"toc": {"permalink": True}},
                                {"pymdownx.superfences": {"custom_fences": [
                                    {"name": "mermaid", "class": "mermaid", "format": "!!python/name:pymdownx.superfences.fence_code_format"}]}}],
        "validation": {"omitted_files": "warn", "absolute_links": "warn", "unrecognized_links": "warn", "anchors": "warn"},
        "nav": nav,
    }
    import yaml

    text = yaml.safe_dump(doc, sort_keys=False, width=120, allow_unicode=True)
    text = text.replace("'!!python/name:pymdownx.superfences.fence_code_format'", "!!python/name:pymdownx.superfences.fence_code_format")
    return (f"# Generated by `{COMMAND}` from the catalog and prr.yaml; do not edit. Build the site with "
            "`mkdocs build --strict`.\n" + text)


def pages(ctx: Context) -> dict[str, str]:
    alarms = monitoring.alarms(ctx)
    out = {
        "mkdocs.yml": mkdocs_yml(ctx),
        "docs/index.md": index_page(ctx, alarms),
        "docs/prr.md": prr.page(ctx, alarms),
        "docs/controls.md": controls_page(ctx),
        "docs/matrix.md": matrix.markdown(ctx),
        "docs/matrix.csv": matrix.csv_text(ctx),
        "docs/checklist.md": checklist.page(ctx),
        "docs/architecture.md": diagrams.page(ctx),
        "docs/monitoring.md": monitoring_page(ctx, alarms),
        "docs/monitoring/monitoring.json": monitoring.monitoring_json(ctx),
        "docs/evidence.md": evidence_page(ctx),
        "docs/evidence.schema.json": json.dumps(evidence.schema(), indent=2) + "\n",
        "docs/guidance.md": guidance_page(ctx),
        "docs/genindex.md": index_terms(ctx),
    }
    out.update(runbooks.pages(ctx, alarms))
    out.update(compliance.pages(ctx))
    return dict(sorted(out.items()))


def plan(root: Path, generated: dict[str, str], settings_file: Path | None) -> generate.Plan:
    return generate.plan(root, generated, settings_file, manifest=MANIFEST, notice=NOTICE)


def write(root: Path, generated: dict[str, str], settings_file: Path | None) -> generate.Plan:
    return generate.write(root, generated, settings_file, manifest=MANIFEST, notice=NOTICE)


def recorded_settings(root: Path) -> Path | None:
    """The settings file the documents under ``root`` were generated from, as their manifest records it."""
    ref = generate.Manifest.read(root, MANIFEST).settings
    if not ref:
        return None
    path = Path(ref) if Path(ref).is_absolute() else root / ref
    return path
