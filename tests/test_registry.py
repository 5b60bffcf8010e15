"""The kind registry and the rule registration: complete, consistent, and the only place each
fact is written."""

from __future__ import annotations

import dataclasses
import re

import boto3
import pytest

from prr_policies import facts as facts_module
from prr_policies.catalog import catalog
from prr_policies.controls import RULES, evaluate
from prr_policies.facts import Unknown
from prr_policies.sources import kinds

from .conftest import ROOT
from .test_rules_unknown import CASES, SETTINGS

SRC = ROOT / "src" / "prr_policies"
# Facts dataclasses that are parts of other facts, not kinds of their own.
PARTS = {facts_module.ExecutionRoleFacts, facts_module.Unknown, facts_module.EnvironmentVariable, facts_module.EventTarget,
         facts_module.Subscription, facts_module.NotifiedFunction, facts_module.AlarmWatch, facts_module.Budget}


def _facts_types() -> set[type]:
    return {v for v in vars(facts_module).values()
            if isinstance(v, type) and dataclasses.is_dataclass(v) and v.__module__ == facts_module.__name__} - PARTS


def test_every_facts_type_has_one_complete_row():
    assert {k.facts for k in kinds.KINDS} == _facts_types()
    assert len({k.facts for k in kinds.KINDS}) == len(kinds.KINDS)
    session = boto3.Session(region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y")
    for k in kinds.KINDS:
        assert k.report_types and all(t.startswith("AWS::") for t in k.report_types), k.name
        assert k.scope in ("function", "account"), k.name
        assert k.calls, f"{k.name}: the calls that list and describe it"
        for service, op in k.calls:
            assert op in {o for o in dir(session.client(service)) if not o.startswith("_")}, (k.name, service, op)
        assert bool(k.terraform) == (k.terraform_builder is not None), k.name
        assert bool(k.config_types) == (k.config_builder is not None), k.name
        assert k.enrich is None or k.config_builder is not None, k.name
        if k.scope == "account":
            assert k.reader is not None and k.placeholder.startswith("<"), k.name
        assert k.placeholder, k.name


def test_every_rule_is_a_catalog_control_and_every_control_with_facts_has_a_rule():
    with_facts = {c.id for c in catalog().controls if c.facts}
    assert set(RULES) == with_facts
    for cid, rule in RULES.items():
        assert rule.facts_type in _facts_types(), cid
        assert kinds.for_facts(rule.facts_type) is not None, cid


def test_no_control_id_is_written_in_code_outside_its_registration():
    """A control id appears in src/ only in the catalog and on its @rule line."""
    pattern = re.compile(r"PRR-[A-Z]+-\d{3}")
    offenders = []
    for path in SRC.rglob("*.py"):
        if "catalog" in path.relative_to(SRC).parts:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line) and not re.fullmatch(r'@rule\("PRR-[A-Z]+-\d{3}"\)', line.strip()):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_no_kind_table_outside_the_registry():
    """Config resource types and Terraform resource types are named in the registry, not in tables
    elsewhere (a source module may name the types its own builders read)."""
    tables = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel in ("sources/kinds.py",):
            continue
        text = path.read_text()
        # a tuple/dict/set literal listing two or more Config resource types is a kind table
        for m in re.finditer(r"[\(\[\{][^\(\)\[\]\{\}]*?\"AWS::[A-Za-z0-9]+::[A-Za-z]+\"[^\(\)\[\]\{\}]*?\"AWS::[A-Za-z0-9]+::[A-Za-z]+\"", text):
            tables.append(f"{rel}: {m.group(0)[:80]}")
    assert tables == []


@pytest.mark.parametrize("cid, facts", CASES)
def test_a_rule_reads_only_the_fields_read_off_its_code(cid, facts):
    """The fields read off a rule's code (which the Config enrichment fetches) are all it reads:
    making every other field Unknown never changes its verdict (over every recorded item and the
    hand-made facts of the Unknown test)."""
    rule = RULES[cid]
    names = {f.name for f in dataclasses.fields(facts)} - {"address"}
    assert set(rule.reads) - {"address"} <= names, cid
    before = evaluate(cid, facts, SETTINGS)
    others = {n: Unknown("not read") for n in names - set(rule.reads)}
    after = evaluate(cid, dataclasses.replace(facts, **others), SETTINGS)
    assert (after.status, after.reason) == (before.status, before.reason), cid
