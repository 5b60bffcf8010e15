"""What a machine can check in the documents, each check returning the problems it found (empty:
none), every problem naming what broke:

- the catalog's document fields: CloudTrail event names are operations of the service's API
  (botocore's service models), runbooks named by controls exist, every control has a checklist
  category and ids of every framework, every cited framework id has a title;
- ``aws ...`` commands in runbooks: a real service, operation (or waiter) and parameters, with
  every required parameter given (botocore's models);
- links between the generated pages: the target page exists and so does the anchor;
- runbook decision trees, on the graph Mermaid's own parser builds: one start, every decision
  with at least two distinctly labelled branches, an escalation node reachable from the start.
"""

from __future__ import annotations

import re
import shlex
from functools import lru_cache
from typing import Any, Iterable

from prr_policies.catalog import Catalog
from prr_policies.errors import InputError

# AWS CLI command names that differ from botocore's service names.
CLI_SERVICES = {"deploy": "codedeploy", "s3api": "s3", "configservice": "config"}
# Options every AWS CLI command takes.
GLOBAL_OPTIONS = {"--region", "--profile", "--output", "--query", "--endpoint-url", "--no-cli-pager", "--cli-binary-format",
                  "--debug", "--no-verify-ssl", "--no-paginate", "--color", "--cli-read-timeout", "--cli-connect-timeout",
                  "--no-sign-request", "--ca-bundle", "--cli-input-json", "--cli-input-yaml", "--generate-cli-skeleton"}
GLOBAL_FLAGS = {"--no-cli-pager", "--debug", "--no-verify-ssl", "--no-paginate", "--no-sign-request"}
PAGINATION_OPTIONS = {"--max-items", "--starting-token", "--page-size"}


@lru_cache(maxsize=1)
def botocore_session() -> Any:
    try:
        import botocore.session
    except ImportError:
        raise InputError("botocore", "", "the documents check AWS API names against botocore: pip install 'prr-policies[docs]'") from None
    return botocore.session.get_session()


@lru_cache(maxsize=None)
def _service(name: str) -> Any:
    return botocore_session().get_service_model(name)


def _known_service(name: str) -> bool:
    return name in botocore_session().get_available_services()


# -- the catalog ---------------------------------------------------------------------------------

def catalog_problems(cat: Catalog, runbook_ids: Iterable[str] | None = None) -> list[str]:
    from prr_policies.documents import compliance, runbooks

    books = set(runbook_ids) if runbook_ids is not None else {b.id for b in runbooks.load_runbooks()}
    fws = compliance.frameworks()
    problems = []
    for c in cat.controls:
        for ev in c.cloudtrail_events:
            svc, op = ev.split(":", 1)
            if not _known_service(svc):
                problems.append(f"{c.id}: cloudtrail_events {ev}: {svc} is not an AWS service botocore knows")
            elif op not in _service(svc).operation_names:
                problems.append(f"{c.id}: cloudtrail_events {ev}: {svc} has no operation {op}")
        if not c.cloudtrail_events:
            problems.append(f"{c.id}: no cloudtrail_events (the API calls that change what it checks)")
        if c.enforcement.runbook is not None and c.enforcement.runbook not in books:
            problems.append(f"{c.id}: enforcement.runbook {c.enforcement.runbook!r} is not a runbook "
                            f"(runbooks: {', '.join(sorted(books))})")
        if c.checklist is None:
            problems.append(f"{c.id}: no checklist category")
        for key, fw in fws.items():
            ids = getattr(c.compliance, key)
            if not ids:
                problems.append(f"{c.id}: no {fw.name} id")
            for ident in ids:
                if ident not in fw.titles:
                    problems.append(f"{c.id}: {key} {ident} has no title in catalog/frameworks.yaml")
    return problems


# -- aws commands --------------------------------------------------------------------------------

def aws_commands(markdown: str) -> list[str]:
    """Every ``aws ...`` command in the fenced shell blocks of a page (continuation lines joined)."""
    out = []
    for block in re.findall(r"```(?:sh|bash|shell)\n(.*?)```", markdown, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.strip()
            if line.startswith("aws "):
                out.append(line)
    return out


def _xform(name: str) -> str:
    from botocore import xform_name

    return xform_name(name, "-")


def aws_command_problems(command: str) -> list[str]:
    try:
        words = shlex.split(command)
    except ValueError as exc:
        return [f"{command}: cannot be split like a shell would ({exc})"]
    if len(words) < 3 or words[0] != "aws":
        return [f"{command}: expected `aws <service> <operation> ...`"]
    cli_service, op_word, rest = words[1], words[2], words[3:]
    service = CLI_SERVICES.get(cli_service, cli_service)
    if not _known_service(service):
        return [f"{command}: {cli_service} is not an AWS service"]
    model = _service(service)
    ops = {_xform(o): o for o in model.operation_names}
    if op_word == "wait":
        if not rest:
            return [f"{command}: `wait` needs a waiter name"]
        waiters = botocore_session().get_waiter_model(service)
        names = {_xform(w): w for w in waiters.waiter_names}
        if rest[0] not in names:
            return [f"{command}: {cli_service} has no waiter {rest[0]} (waiters: {', '.join(sorted(names))})"]
        op_name = waiters.get_waiter(names[rest[0]]).operation
        rest = rest[1:]
        paginated = False
    else:
        if op_word not in ops:
            return [f"{command}: {cli_service} has no operation {op_word}"]
        op_name = ops[op_word]
        paginated = _paginates(service, op_name)
    shape = model.operation_model(op_name).input_shape
    members = dict(shape.members) if shape is not None else {}
    by_option = {"--" + _xform(m): m for m in members}
    booleans = {"--" + _xform(m) for m, s in members.items() if s.type_name == "boolean"}
    problems, given = [], set()
    i = 0
    while i < len(rest):
        word = rest[i]
        if not word.startswith("--"):
            problems.append(f"{command}: unexpected argument {word!r}")
            i += 1
            continue
        if word in GLOBAL_OPTIONS or (paginated and word in PAGINATION_OPTIONS and word not in by_option):
            i += 1 if word in GLOBAL_FLAGS else 2
            continue
        negated = "--" + word[len("--no-"):] if word.startswith("--no-") else None
        if word in booleans or (negated in booleans):
            given.add(by_option[word if word in booleans else negated])
            i += 1
            continue
        if word not in by_option:
            problems.append(f"{command}: {op_name} has no parameter {word}")
            i += 1
            continue
        given.add(by_option[word])
        i += 1
        # a value, or several (lists), until the next option
        if i >= len(rest) or rest[i].startswith("--"):
            problems.append(f"{command}: {word} needs a value")
        while i < len(rest) and not rest[i].startswith("--"):
            i += 1
    required = set(shape.required_members) if shape is not None else set()
    for m in sorted(required - given):
        problems.append(f"{command}: {op_name} requires --{_xform(m)}")
    return problems


@lru_cache(maxsize=None)
def _paginates(service: str, operation: str) -> bool:
    """Whether the CLI adds --max-items/--starting-token/--page-size to the operation."""
    try:
        botocore_session().get_paginator_model(service).get_paginator(operation)
        return True
    except Exception:  # noqa: BLE001 - no paginator model for the service, or none for the operation
        return False


# -- links ---------------------------------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
EXPLICIT_ANCHOR = re.compile(r"\{#([A-Za-z0-9_.:-]+)\}")


def anchors(markdown: str) -> set[str]:
    """Anchors a page defines: explicit ``{#id}`` and the ids mkdocs' toc gives other headings."""
    from markdown.extensions.toc import slugify

    out = set(EXPLICIT_ANCHOR.findall(markdown))
    for line in markdown.splitlines():
        m = re.match(r"^#{1,6}\s+(.*)$", line)
        if m and not EXPLICIT_ANCHOR.search(m.group(1)):
            out.add(slugify(re.sub(r"[`*_]", "", m.group(1)).strip(), "-"))
    return out


def link_problems(pages: dict[str, str]) -> list[str]:
    """Every relative link between generated pages (paths relative to the output root) resolves."""
    import posixpath

    docs = {p[len("docs/"):]: t for p, t in pages.items() if p.startswith("docs/")}
    problems = []
    for page, text in docs.items():
        if not page.endswith(".md"):
            continue
        text_wo_code = re.sub(r"```.*?```", "", text, flags=re.S)
        for target in LINK.findall(text_wo_code):
            if re.match(r"^[a-z]+://", target) or target.startswith("mailto:"):
                continue
            path, _, frag = target.partition("#")
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
            if resolved not in docs:
                problems.append(f"docs/{page}: link to {target}: no page docs/{resolved}")
            elif frag and frag not in anchors(docs[resolved]):
                problems.append(f"docs/{page}: link to {target}: docs/{resolved} has no anchor #{frag}")
    return problems


# -- decision trees ------------------------------------------------------------------------------

def decision_tree_problems(name: str, vertices: list[dict[str, Any]], edges: list[dict[str, Any]],
                           escalate_class: str = "escalate") -> list[str]:
    """``vertices`` ({id, type, classes}) and ``edges`` ({start, end, text}) as Mermaid's flowchart
    parser builds them."""
    problems = []
    ids = {v["id"] for v in vertices}
    incoming = {e["end"] for e in edges}
    starts = sorted(ids - incoming)
    if len(starts) != 1:
        problems.append(f"{name}: expected one start node (no incoming edge), found {starts or 'none'}")
    for v in vertices:
        if v.get("type") != "diamond":
            continue
        out = [e for e in edges if e["start"] == v["id"]]
        labels = [(e.get("text") or "").strip() for e in out]
        if len(out) < 2:
            problems.append(f"{name}: decision {v['id']} has {len(out)} branch(es); a decision needs at least two")
        if any(not label for label in labels):
            problems.append(f"{name}: decision {v['id']} has an unlabelled branch")
        if len(set(labels)) != len(labels):
            problems.append(f"{name}: decision {v['id']} has two branches with the same label")
    escalations = {v["id"] for v in vertices if escalate_class in (v.get("classes") or [])}
    if not escalations:
        problems.append(f"{name}: no escalation node (class {escalate_class})")
    elif len(starts) == 1:
        seen, todo = set(), [starts[0]]
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            todo += [e["end"] for e in edges if e["start"] == n]
        if not seen & escalations:
            problems.append(f"{name}: no escalation node is reachable from the start {starts[0]}")
        unreachable = sorted(ids - seen)
        if unreachable:
            problems.append(f"{name}: nodes not reachable from the start: {', '.join(unreachable)}")
    return problems


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", markdown, flags=re.S)


# -- cross-references, by exact set equality -----------------------------------------------------

def _diff(what: str, found: set[str], wanted: set[str]) -> list[str]:
    out = []
    for x in sorted(wanted - found):
        out.append(f"{what}: {x} is missing")
    for x in sorted(found - wanted):
        out.append(f"{what}: {x} should not be there")
    return out


def reference_problems(cat: Catalog, pages: dict[str, str], runbook_ids: Iterable[str], manual_ids: Iterable[str],
                       alarm_runbooks: Iterable[str] = ()) -> list[str]:
    """The generated pages (paths relative to the output root) against the catalog, the runbook
    sources and the manual checklist items: every set of ids a page holds equals the set it must
    hold. A control removed from the catalog, or a runbook renamed, shows up here by name."""
    import csv
    import io

    from prr_policies.documents import compliance

    controls = {c.id for c in cat.controls}
    books, manual = set(runbook_ids), set(manual_ids)
    problems = []

    def page(path: str) -> str:
        if path not in pages:
            problems.append(f"{path}: the page is missing")
            return ""
        return pages[path]

    rows = list(csv.reader(io.StringIO(page("docs/matrix.csv"))))
    if rows:
        col = rows[0].index("control")
        problems += _diff("docs/matrix.csv controls", {r[col] for r in rows[1:]}, controls)
    md_controls = set(re.findall(r"^\| [^|]* \| \[(PRR-[A-Z]+-\d{3})\]\(controls\.md#", page("docs/matrix.md"), flags=re.M))
    problems += _diff("docs/matrix.md controls", md_controls, controls)
    problems += _diff("docs/controls.md sections", {a.upper() for a in re.findall(r"^## PRR-[A-Z]+-\d{3}: .* \{#(prr-[a-z]+-\d{3})\}$",
                                                                                 page("docs/controls.md"), flags=re.M)}, controls)
    items = set(re.findall(r"^\| `([A-Za-z0-9-]+)` \| Yes / No \|", page("docs/checklist.md"), flags=re.M))
    problems += _diff("docs/checklist.md items", items, controls | manual)
    problems += _diff("docs/prr.md requirements", set(re.findall(r"^### (\S+) .* \{#req-", page("docs/prr.md"), flags=re.M)),
                      {r.id for r in cat.requirements})
    found_books = {p[len("docs/runbooks/"):-3] for p in pages if p.startswith("docs/runbooks/") and p != "docs/runbooks/index.md"}
    problems += _diff("docs/runbooks pages", found_books, books)
    leads: dict[str, list[str]] = {}
    for c in cat.controls:
        if c.enforcement.runbook:
            leads.setdefault(c.enforcement.runbook, []).append(c.id)
    for r in alarm_runbooks:
        leads.setdefault(r, []).append("an alarm")
    for r in sorted(set(leads) - books):
        problems.append(f"runbook {r}: {', '.join(dict.fromkeys(leads[r]))} lead(s) to it, but there is no runbook source {r}.md")
    for r in sorted(books - set(leads)):
        problems.append(f"runbook {r}: no control or alarm leads to it")
    for key in compliance.valid_ids():
        text = page(f"docs/compliance/{key}.md")
        cited = {c.id for c in cat.controls if getattr(c.compliance, key)}
        problems += _diff(f"docs/compliance/{key}.md controls", set(re.findall(r"\[(PRR-[A-Z]+-\d{3})\]", text)), cited)
    nav = set(re.findall(r":\s+(\S+\.md)$", page("mkdocs.yml"), flags=re.M))
    problems += _diff("mkdocs.yml nav", nav, {p[len("docs/"):] for p in pages if p.startswith("docs/") and p.endswith(".md")})
    return problems


def evidence_problems(cat: Catalog, bundle: dict[str, Any]) -> list[str]:
    """Every control of the catalog has evidence or a stated reason in the bundle, and no other control is there."""
    got = bundle.get("controls") or {}
    problems = _diff("evidence bundle controls", set(got), {c.id for c in cat.controls})
    for cid, entry in sorted(got.items()):
        if not entry.get("results") and not entry.get("reason"):
            problems.append(f"evidence bundle: {cid} has neither results nor a reason")
    return problems
