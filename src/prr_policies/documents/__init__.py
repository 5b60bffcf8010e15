"""The PRR as generated documents: the PRR document, control matrix (Markdown and CSV), checklist,
runbooks, reference architecture, dashboard and alarms, compliance reports and the evidence
bundle's schema, as a mkdocs-material site. Everything is generated from the catalog, prr.yaml
(its ``readiness`` section), the runbook sources and the stack's plan, so it cannot drift:
``prr-policies docs --check`` fails when a committed page differs.

Entry points (one call each from the CLI): :func:`docs_command`, :func:`checklist_command`,
:func:`write_evidence`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

from prr_policies.errors import InputError


def context(settings_file: Path | None):
    from prr_policies.documents._common import Context
    from prr_policies.settings import load_settings

    return Context.load(load_settings(settings_file), settings_file)


def generated(settings_file: Path | None) -> dict[str, str]:
    """Every generated file for these settings, by path relative to the output root."""
    from prr_policies.documents import site, validate

    ctx = context(settings_file)
    problems = validate.catalog_problems(ctx.cat)
    if problems:
        raise InputError("catalog", "", "; ".join(problems))
    return site.pages(ctx)


def _settings_for(root: Path, given: str | None) -> Path:
    from prr_policies.documents import site
    from prr_policies.settings import settings_path_from_env

    if given:
        return Path(given)
    recorded = site.recorded_settings(root)
    if recorded is not None:
        if not recorded.is_file():
            raise InputError(str(root / site.MANIFEST), "settings", f"{recorded} does not exist")
        return recorded
    found = settings_path_from_env(root)
    if found is None:
        raise InputError("docs", "", f"no settings: pass --settings FILE, set PRR_SETTINGS, or run where prr.yaml is "
                         f"(and no {site.MANIFEST} under {root} names one)")
    return found


def docs_command(action: str | None, check: bool, settings: str | None, out: str | None) -> int:
    """``prr-policies docs build [--check]`` / ``docs --check``: write the pages, or exit 1 when they differ."""
    from prr_policies.documents import site

    if action is None and not check:
        raise InputError("docs", "", "say `docs build` to write the pages or `docs --check` to compare them")
    root = Path(out or ".")
    settings_file = _settings_for(root, settings)
    files = generated(settings_file)
    if check:
        p = site.plan(root, files, settings_file)
        if p.differ:
            print(f"prr-policies: generated documents differ under {root}/ (run `prr-policies docs build --settings "
                  f"{settings_file}`): {', '.join(p.differ)}", file=sys.stderr)
            return 1
        print(f"{len(files)} generated documents match {root}/ (settings: {settings_file})")
        return 0
    p = site.write(root, files, settings_file)
    for rel in files:
        print(f"{'wrote' if rel in p.write else 'same '} {root / rel}")
    for rel in p.remove:
        print(f"removed {root / rel} (no longer generated)")
    return 0


def checklist_command(settings: str | None, audit: list[str], evidence: list[str], scan: list[str],
                      attestations: str | None, output: str) -> int:
    from prr_policies.documents import checklist
    from prr_policies.documents.evidence import BUNDLE
    from prr_policies.settings import settings_path_from_env

    settings_file = Path(settings) if settings else settings_path_from_env()
    ctx = context(settings_file)
    results = [Path(a) for a in audit] + [Path(d) / BUNDLE for d in evidence]
    if not (results or scan or attestations):
        print("prr-policies: nothing to answer the checklist from: every item is not yet known "
              "(give --audit, --evidence, --scan and/or --attestations)", file=sys.stderr)
    text, code = checklist.run(ctx, results, [Path(s) for s in scan], Path(attestations) if attestations else None, output)
    print(text)
    return code


def write_evidence(directory: str, report: Any, settings: Any, client: Callable[[str], Any], region: str,
                   settings_file: str | None) -> None:
    from prr_policies.documents.evidence import write_bundle

    path = write_bundle(directory, report, settings, client, region, Path(settings_file) if settings_file else None)
    print(f"prr-policies: evidence bundle written to {path}", file=sys.stderr)
