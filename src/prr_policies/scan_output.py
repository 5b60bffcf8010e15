"""The outputs of ``prr-policies scan``: a table (cli), JSON, SARIF 2.1.0, JUnit XML and ASFF.

Every format carries the same content: each finding with its file and line range, its reason,
the control's remediation and link; every exemption with its reason; counts per control and per
root module. No checkov import.

The link of a control (checkov's ``guideline``, SARIF's ``helpUri``) is
``<docs>#<control id in lower case>``: an anchor on the control's row of the controls table in
README.md. ``<docs>`` is ``$PRR_DOCS_URL`` when set (your own copy of the README), else the
package's page on PyPI, which shows the README.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prr_policies.catalog import Control, catalog
from prr_policies.result import Status

if TYPE_CHECKING:
    from prr_policies.scan import Exemption, Finding, ScanResult

DOCS_URL = "https://pypi.org/project/prr-policies/"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# GitHub code scanning ranks results by this property (0.1-10).
SECURITY_SEVERITY = {"CRITICAL": "9.5", "HIGH": "8.0", "MEDIUM": "5.5", "LOW": "3.0"}
SARIF_LEVEL = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note"}


def guideline(control_id: str) -> str:
    """The link of a control: its anchor in README's controls table (see the module docstring)."""
    return docs_link(control_id.lower())


def docs_link(anchor: str) -> str:
    base = os.environ.get("PRR_DOCS_URL") or DOCS_URL
    return f"{base.split('#', 1)[0]}#{anchor}"


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("prr-policies")
    except Exception:  # noqa: BLE001 - running from a source tree that is not installed
        return "0"


def _control(finding: "Finding | Exemption") -> Control | None:
    return catalog().control(finding.control_id) if finding.control_id else None


# -- cli ----------------------------------------------------------------------------------------------


def table(result: "ScanResult") -> str:
    found, exempt = result.findings, result.exemptions
    ours = [f for f in found if f.control_id]
    lines = [f"{'control':<16} {'check':<12} {'pass':>5} {'fail':>5} {'unknown':>8} {'warn':>5} {'n/a':>5} {'exempt':>7}  title"]
    for control in catalog().controls:
        mine = [f for f in ours if f.control_id == control.id]
        waived = [e for e in exempt if e.control_id == control.id]
        if not mine and not waived:
            continue
        counts = {s: sum(1 for f in mine if f.status is s) for s in Status}
        lines.append(f"{control.id:<16} {','.join(control.enforcement.checkov):<12} {counts[Status.PASS]:>5} "
                     f"{counts[Status.FAIL]:>5} {counts[Status.UNKNOWN]:>8} {counts[Status.WARNING]:>5} {counts[Status.NOT_APPLICABLE]:>5} "
                     f"{len(waived):>7}  {control.title}")
    if len(result.roots) > 1:
        lines += ["", f"Root modules ({len(result.roots)}, each scanned on its own):"]
        for root in result.roots:
            d = root.to_dict()
            lines.append(f"  {root.label:<40} {root.kind:<9} {d['prr_results']:>4} PRR results: {d['FAIL']} fail, "
                         f"{d['UNKNOWN']} unknown, {d['exempted']} exempted"
                         + (f", {d['modules_not_read']} module(s) not read" if d["modules_not_read"] else ""))
    bad = sorted(result.blocking, key=lambda f: (f.control_id or "~", f.root, f.file, f.lines or (0, 0), f.resource))
    if bad:
        lines += ["", "Findings:"]
        for f in bad:
            lines.append(f"  {f.status.value:<7} {f.control_id or f.check_id} {f.resource}")
            lines.append(f"          at {f.location} ({f.framework}{', root ' + f.root if len(result.roots) > 1 else ''})"
                         + (f", module called at {f.called_from}" if f.called_from else ""))
            lines.append(f"          {f.reason}")
        fixes = [c for c in catalog().controls if any(f.control_id == c.id for f in bad)]
        if fixes:
            lines += ["", "How to fix (full text: prr-policies catalog --control ID):"]
            for c in fixes:
                lines.append(f"  {c.id}: {c.title}  [{guideline(c.id)}]")
                lines += [f"      {line}" for line in c.remediation.rstrip().splitlines()]
    # Warnings (e.g. a runtime inside its deprecation warning window) are listed but do not change the exit code.
    warned = sorted((f for f in ours if f.status is Status.WARNING), key=lambda f: (f.control_id or "", f.file, f.resource))
    if warned:
        lines += ["", "Warnings (not blocking):"]
        for f in warned:
            lines.append(f"  {f.status.value:<7} {f.control_id} {f.resource} at {f.location} ({f.framework})")
            lines.append(f"          {f.reason}")
    lines += ["", f"Exemptions: {len(exempt)}" + (" (each waives a check on one resource; review them)" if exempt else "")]
    for e in sorted(exempt, key=lambda e: (e.control_id or "~", e.check_id, e.file, e.resource)):
        lines.append(f"  {e.check_id:<11} {e.control_id or '(built-in)':<16} {e.resource} at {e.location} "
                     f"[{e.how}]: {e.reason}")
    if result.not_run:
        lines.append(f"  not run at all (--skip-check): {', '.join(result.not_run)}")
    builtin = [f for f in found if not f.is_prr]
    if builtin:
        failed = sum(1 for f in builtin if f.status is Status.FAIL)
        lines += ["", f"checkov built-in checks: {len(builtin) - failed} passed, {failed} failed (run checkov directly for details)"]
    return "\n".join(lines)


# -- json ---------------------------------------------------------------------------------------------


def as_json(result: "ScanResult") -> str:
    prr = [f for f in result.findings if f.is_prr]
    summary = {s.value: sum(1 for f in prr if f.status is s) for s in Status}
    summary.update(exempted=len(result.exemptions), evaluated=result.evaluated)
    doc = {"summary": summary, "roots": [r.to_dict() for r in result.roots],
           "findings": [f.to_dict() for f in result.findings], "exemptions": [e.to_dict() for e in result.exemptions],
           "not_run": list(result.not_run)}
    return json.dumps(doc, indent=2)


# -- sarif --------------------------------------------------------------------------------------------


def _rule(check_id: str, control: Control | None, name: str) -> dict[str, Any]:
    if control is None:
        if check_id == "PRR_MODULE_NOT_READ":
            text = "A module call was not read, so nothing inside it was checked"
            return {"id": check_id, "name": "ModuleNotRead", "shortDescription": {"text": text},
                    "fullDescription": {"text": text + ": download external modules or scan the plan."},
                    "help": {"text": "Scan with --download-external-modules, or scan `terraform show -json` of the plan, "
                                     "which holds the resources of every module."},
                    "helpUri": docs_link("prr-policies-scan"),  # README's scan section
                    "defaultConfiguration": {"level": "error"}, "properties": {"tags": ["prr-policies"]}}
        return {"id": check_id, "name": check_id, "shortDescription": {"text": name or check_id},
                "properties": {"tags": ["checkov"]}}
    link = guideline(control.id)
    return {
        "id": check_id, "name": control.id, "shortDescription": {"text": f"{control.id}: {control.title}"},
        "fullDescription": {"text": control.rationale.strip()},
        "help": {"text": f"{control.title}\n\nRemediation:\n{control.remediation}\n{link}",
                 "markdown": f"**{control.id}: {control.title}**\n\n{control.rationale.strip()}\n\n"
                             f"Remediation:\n\n```hcl\n{control.remediation.rstrip()}\n```\n\n[{control.id}]({link})"},
        "helpUri": link,
        "defaultConfiguration": {"level": SARIF_LEVEL[control.severity]},
        "properties": {"security-severity": SECURITY_SEVERITY[control.severity],
                       "tags": ["prr-policies", control.id, *[f"prr-{r}" for r in control.requirements]]},
    }


def _location(file: str, lines: tuple[int, int] | None) -> dict[str, Any]:
    uri = Path(file).as_uri() if Path(file).is_absolute() else file  # relative to the working directory otherwise
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if lines:
        physical["region"] = {"startLine": max(1, lines[0]), "endLine": max(1, lines[0], lines[1])}
    return {"physicalLocation": physical}


def sarif(result: "ScanResult") -> str:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in sorted(result.findings, key=lambda f: (f.check_id, f.file, f.resource)):
        if not f.status.blocks:
            continue
        control = _control(f)
        rules.setdefault(f.check_id, _rule(f.check_id, control, f.reason))
        level = SARIF_LEVEL[control.severity] if control else "error"
        results.append({"ruleId": f.check_id, "level": level,
                        "message": {"text": f"{f.status.value}: {f.resource}: {f.reason}"},
                        "locations": [_location(f.file, f.lines)],
                        "properties": {"status": f.status.value, "resource": f.resource, "root": f.root,
                                       "framework": f.framework}})
    for e in sorted(result.exemptions, key=lambda e: (e.check_id, e.file, e.resource)):
        control = _control(e)
        rules.setdefault(e.check_id, _rule(e.check_id, control, ""))
        results.append({"ruleId": e.check_id, "level": SARIF_LEVEL[control.severity] if control else "warning",
                        "message": {"text": f"exempted: {e.resource}: {e.reason}"},
                        "locations": [_location(e.file, e.lines)],
                        "suppressions": [{"kind": "inSource" if e.how.startswith("inline") else "external",
                                          "justification": e.reason}],
                        "properties": {"resource": e.resource, "root": e.root, "how": e.how}})
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "prr-policies", "version": _version(), "informationUri": DOCS_URL,
                            "rules": [rules[k] for k in sorted(rules)]}},
        "results": results,
        "properties": {"roots": [r.to_dict() for r in result.roots], "exempted": len(result.exemptions),
                       "not_run": list(result.not_run)},
    }]}
    return json.dumps(doc, indent=2)


# -- junit --------------------------------------------------------------------------------------------


def junit(result: "ScanResult") -> str:
    import xml.etree.ElementTree as ET  # here: checkov imports this module for guideline() in every run
    suites = ET.Element("testsuites", name="prr-policies scan")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for root in result.roots:
        suite = ET.SubElement(suites, "testsuite", name=f"{root.label} ({root.kind})")
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for f in sorted(root.findings, key=lambda f: (f.check_id, f.resource)):
            case = ET.SubElement(suite, "testcase", classname=f.control_id or f.check_id, name=f"{f.check_id} {f.resource}",
                                 file=f.file, line=str(f.lines[0] if f.lines else 0))
            counts["tests"] += 1
            if f.is_prr and f.status.blocks or (not f.is_prr and f.status is Status.FAIL):
                counts["failures"] += 1
                failure = ET.SubElement(case, "failure", message=f"{f.status.value}: {f.reason}", type=f.status.value)
                body = [f"{f.status.value}: {f.resource} at {f.location}", f.reason]
                control = _control(f)
                if control:
                    body += ["", f"Remediation ({guideline(control.id)}):", control.remediation.rstrip()]
                failure.text = "\n".join(body)
        for e in sorted(root.exemptions, key=lambda e: (e.check_id, e.resource)):
            case = ET.SubElement(suite, "testcase", classname=e.control_id or e.check_id, name=f"{e.check_id} {e.resource}",
                                 file=e.file, line=str(e.lines[0] if e.lines else 0))
            counts["tests"] += 1
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=f"exempted ({e.how}): {e.reason}")
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, str(value))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def asff(result: "ScanResult") -> str:
    """AWS Security Hub's format (prr_policies.security_hub): the PRR control findings."""
    from prr_policies.security_hub import render_scan

    return render_scan(result.findings)


RENDERERS = {"cli": table, "json": as_json, "sarif": sarif, "junitxml": junit, "asff": asff}


def render(result: "ScanResult", output: str) -> str:
    return RENDERERS[output](result)
