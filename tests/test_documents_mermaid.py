"""Issue 14: every Mermaid diagram of the generated documents is parsed by Mermaid's own parser
(the `mermaid` npm package, tools/mermaid, driven headlessly under jsdom), and every runbook's
decision tree is checked on the graph Mermaid built: one start, every decision with at least two
distinctly labelled branches, an escalation node reachable from the start."""

from __future__ import annotations

import pytest

from prr_policies.documents import runbooks, validate
from tests.documents_helpers import committed_pages, mermaid_parse


@pytest.fixture(scope="module")
def parsed():
    diagrams = [(f"{path}#{i}", src) for path, text in committed_pages().items() if path.endswith(".md")
                for i, src in enumerate(validate.mermaid_blocks(text))]
    return diagrams, mermaid_parse(diagrams)


def test_every_diagram_parses(parsed):
    diagrams, results = parsed
    assert len(results) == len(diagrams)
    failed = [(r["name"], r["error"]) for r in results if not r["ok"]]
    assert failed == []
    assert {r["type"] for r in results} == {"flowchart-v2"}


def test_every_runbook_has_a_sound_decision_tree(parsed):
    _, results = parsed
    books = {b.id for b in runbooks.load_runbooks()}
    trees = {r["name"].split("#")[0]: r for r in results
             if r["name"].startswith("docs/runbooks/") and any(v["type"] == "diamond" for v in r["vertices"])}
    assert set(trees) == {f"docs/runbooks/{b}.md" for b in books}
    for name, r in trees.items():
        assert validate.decision_tree_problems(name, r["vertices"], r["edges"]) == []


def test_the_architecture_shows_the_stack_and_the_cicd_decision(parsed):
    _, results = parsed
    arch = [r for r in results if r["name"].startswith("docs/architecture.md")]
    assert len(arch) == 2
    request = {v["id"] for v in arch[0]["vertices"]}
    assert {"client", "aws_lambda_function_api_handler", "aws_lambda_function_worker", "aws_sqs_queue_dlq", "waf_required"} <= request
    assert validate.decision_tree_problems("cicd", arch[1]["vertices"], arch[1]["edges"], escalate_class="none") == [
        "cicd: no escalation node (class none)"]


def test_the_parser_rejects_a_broken_diagram_and_the_checks_catch_bad_trees():
    results = mermaid_parse([
        ("broken", "flowchart TD\n    a -->"),
        ("one-branch", "flowchart TD\n    s([start]) --> d{ok?}\n    d -->|yes| e[escalate]:::escalate\n    classDef escalate fill:#f00"),
        ("unlabelled", "flowchart TD\n    s([start]) --> d{ok?}\n    d -->|yes| a[done]\n    d --> e[escalate]:::escalate"),
        ("no-way-up", "flowchart TD\n    s([start]) --> d{ok?}\n    d -->|yes| a[done]\n    d -->|no| b[retry]\n    x[escalate]:::escalate"),
        ("cut-off", "flowchart TD\n    s([start]) --> d{ok?}\n    d -->|yes| a[done]\n    d -->|no| b[retry]\n"
                    "    x[page] --> e[escalate]:::escalate\n    e --> x"),
    ])
    by = {r["name"]: r for r in results}
    assert not by["broken"]["ok"] and "Parse error" in by["broken"]["error"]
    problems = {n: validate.decision_tree_problems(n, by[n]["vertices"], by[n]["edges"]) for n in ("one-branch", "unlabelled", "no-way-up", "cut-off")}
    assert "one-branch: decision d has 1 branch(es); a decision needs at least two" in problems["one-branch"]
    assert "unlabelled: decision d has an unlabelled branch" in problems["unlabelled"]
    assert any("expected one start node" in p for p in problems["no-way-up"])
    assert "cut-off: no escalation node is reachable from the start s" in problems["cut-off"]
