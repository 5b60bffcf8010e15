"""Issue 14: `prr-policies audit --evidence DIR` writes an evidence bundle that validates against
its shipped schema and has, for every control of the catalog, evidence or a stated reason; the
checklist's evidence pointers resolve in it; `prr-policies checklist` answers Yes, No or not yet
known from it, a scan result and validated attestations."""

from __future__ import annotations

import datetime
import json

import jsonschema
import pytest
from moto import mock_aws

from prr_policies import documents
from prr_policies.catalog import catalog
from prr_policies.cli import main
from prr_policies.documents import checklist, evidence, validate
from prr_policies.errors import InputError
from prr_policies.sources.aws_api import AUDIT_PERMISSIONS
from tests import aws_stack
from tests.documents_helpers import SETTINGS

TODAY = datetime.date(2025, 6, 1)


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("evidence")
    mp = pytest.MonkeyPatch()
    for k, v in {"AWS_REGION": aws_stack.REGION, "AWS_DEFAULT_REGION": aws_stack.REGION, "AWS_ACCESS_KEY_ID": "testing",
                 "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        mp.setenv(k, v)
    with mock_aws():
        aws_stack.build(10)
        code = main(["audit", "--region", aws_stack.REGION, "--settings", str(SETTINGS), "-o", "json", "--evidence", str(out)])
    mp.undo()
    assert code == 1  # the stack has non-compliant functions
    return out


@pytest.fixture(scope="module")
def bundle(bundle_dir):
    return json.loads((bundle_dir / evidence.BUNDLE).read_text())


def test_bundle_validates_against_its_schema(bundle):
    jsonschema.Draft202012Validator.check_schema(evidence.schema())
    jsonschema.validate(bundle, evidence.schema(), cls=jsonschema.Draft202012Validator)


def test_every_control_has_evidence_or_a_reason(bundle):
    assert validate.evidence_problems(catalog(), bundle) == []
    for cid, entry in bundle["controls"].items():
        assert entry["results"] or entry["reason"], cid


def test_bundle_says_when_where_and_as_whom(bundle):
    assert bundle["account"] == aws_stack.ACCOUNT and bundle["region"] == aws_stack.REGION
    assert bundle["caller"]["arn"].startswith("arn:aws:") and "error" not in bundle["caller"]
    import hashlib

    assert bundle["settings"]["sha256"] == "sha256:" + hashlib.sha256(SETTINGS.read_bytes()).hexdigest()
    assert sum(bundle["summary"].values()) == sum(len(c["results"]) for c in bundle["controls"].values())


def test_api_calls_are_the_declared_permissions_behind_each_control(bundle):
    for cid, entry in bundle["controls"].items():
        assert set(entry["api_calls"]) <= set(AUDIT_PERMISSIONS), cid
        if entry["results"]:
            assert entry["api_calls"], cid
    fn = next(c for c in catalog().controls if c.facts == "LambdaFunction")
    assert "lambda:ListFunctions" in bundle["controls"][fn.id]["api_calls"]


def test_the_schema_refuses_a_control_without_results_or_reason(bundle):
    broken = json.loads(json.dumps(bundle))
    cid = next(iter(broken["controls"]))
    broken["controls"][cid] = {"title": "x", "status": "NOT_EVALUATED", "results": [], "api_calls": []}
    with pytest.raises(jsonschema.ValidationError, match="reason"):
        jsonschema.validate(broken, evidence.schema(), cls=jsonschema.Draft202012Validator)
    assert validate.evidence_problems(catalog(), broken) == [f"evidence bundle: {cid} has neither results nor a reason"]
    del broken["controls"][cid]
    assert validate.evidence_problems(catalog(), broken)[0] == f"evidence bundle controls: {cid} is missing"


def test_checklist_evidence_pointers_resolve_in_the_bundle(bundle):
    ctx = documents.context(SETTINGS)
    page = checklist.page(ctx)
    import re

    pointers = set(re.findall(r"`(/controls/PRR-[A-Z]+-\d{3})`", page))
    automated = {f"/controls/{i.id}" for i in checklist.items(ctx) if not i.attested}
    assert pointers == automated
    for p in pointers:
        assert p.split("/")[-1] in bundle["controls"]


# -- the checklist command -------------------------------------------------------------------------

def _attest(tmp_path, entries):
    import yaml

    f = tmp_path / "attestations.yaml"
    f.write_text(yaml.safe_dump({"attestations": entries}))
    return f


def test_checklist_answers_from_the_bundle(bundle_dir, capsys):
    assert main(["checklist", "--settings", str(SETTINGS), "--evidence", str(bundle_dir), "-o", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    by = {i["item"]: i for i in doc["items"]}
    ctx = documents.context(SETTINGS)
    assert set(by) == {i.id for i in checklist.items(ctx)}
    fn = next(c for c in catalog().controls if c.facts == "LambdaFunction" and "1.5" in c.requirements)
    assert by[fn.id]["answer"] == "no" and "FAIL" in by[fn.id]["why"]  # PassThrough tracing on every fifth function
    for i in checklist.items(ctx):
        if i.attested:
            assert by[i.id]["answer"] == "unknown" and by[i.id]["why"] == "not attested yet"


def test_attestations_answer_the_manual_items(tmp_path):
    ctx = documents.context(SETTINGS)
    r = ctx.readiness
    entries = [{"item": "dr-drill", "by": "jane@example.com", "date": "2025-05-01", "evidence": "https://wiki/drill",
                "measured": {"rto_minutes": r.rto_minutes - 1, "rpo_minutes": r.rpo_minutes + 5}},
               {"item": "on-call-rota", "by": "sam@example.com", "date": "2025-05-30", "evidence": "https://wiki/rota"},
               {"item": "identity-center", "by": "sam@example.com", "date": "2023-01-01", "evidence": "https://wiki/idc"}]
    atts = checklist.load_attestations(_attest(tmp_path, entries), ctx, TODAY)
    answers = {a.item.id: a for a in checklist.answer(ctx, {}, atts, TODAY)}
    assert answers["dr-drill"].answer == "no" and f"rpo_minutes {r.rpo_minutes + 5:g} > readiness.rpo_minutes" in answers["dr-drill"].why
    assert answers["on-call-rota"].answer == "yes" and "sam@example.com" in answers["on-call-rota"].why
    assert answers["identity-center"].answer == "unknown" and "attest again" in answers["identity-center"].why


@pytest.mark.parametrize("entry, path, reason", [
    ({"item": "no-such-item"}, "attestations[0].item", "not a checklist item"),
    ({"item": "dr-drill", "measured": {"rto_minutes": 10}}, "attestations[0].measured", "missing: rpo_minutes"),
    ({"item": "on-call-rota", "measured": {"rto_minutes": 10}}, "attestations[0].measured", "not measured by this item"),
    ({"item": "on-call-rota", "date": "2030-01-01"}, "attestations[0].date", "in the future"),
    ({"item": "on-call-rota", "by": " "}, "attestations[0].by", "who attests"),
    ({"item": "on-call-rota", "date": "yesterday"}, "attestations[0].date", "expected a date"),
])
def test_invalid_attestations_name_file_and_path(tmp_path, entry, path, reason):
    ctx = documents.context(SETTINGS)
    base = {"item": "on-call-rota", "by": "sam@example.com", "date": "2025-05-30", "evidence": "https://wiki/rota"}
    f = _attest(tmp_path, [{**base, **entry}])
    with pytest.raises(InputError) as err:
        checklist.load_attestations(f, ctx, TODAY)
    assert (err.value.source, err.value.path) == (str(f), path) and reason in err.value.reason


def test_a_control_the_audit_answers_cannot_be_attested(tmp_path):
    ctx = documents.context(SETTINGS)
    audited = next(i.id for i in checklist.items(ctx) if not i.attested)
    f = _attest(tmp_path, [{"item": audited, "by": "x", "date": "2025-05-30", "evidence": "y"}])
    with pytest.raises(InputError, match="not by an attestation"):
        checklist.load_attestations(f, ctx, TODAY)


def test_scan_results_answer_static_items_and_bad_input_exits_2(tmp_path, capsys):
    cid = next(c.id for c in catalog().controls if c.enforcement.checkov)
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps({"findings": [{"check_id": "CKV_X", "control_id": cid, "resource": "aws_x.y", "status": "PASS", "reason": "ok"},
                                             {"check_id": "CKV_AWS_1", "control_id": None, "resource": "aws_x.y", "status": "FAIL", "reason": "builtin"}]}))
    assert main(["checklist", "--settings", str(SETTINGS), "--scan", str(scan), "-o", "json"]) == 1
    by = {i["item"]: i for i in json.loads(capsys.readouterr().out)["items"]}
    assert by[cid]["answer"] == "yes"
    scan.write_text(json.dumps({"findings": [{"control_id": cid, "status": "MAYBE"}]}))
    assert main(["checklist", "--settings", str(SETTINGS), "--scan", str(scan)]) == 2
    assert f"{scan}: findings[0].status" in capsys.readouterr().err
    scan.write_text(json.dumps({"findings": [{"control_id": "PRR-NOPE-001", "status": "PASS"}]}))
    assert main(["checklist", "--settings", str(SETTINGS), "--scan", str(scan)]) == 2
    assert "PRR-NOPE-001" in capsys.readouterr().err


def test_checklist_exits_0_only_when_every_item_is_yes():
    ctx = documents.context(SETTINGS)
    results = {i.id: [(__import__("prr_policies.result", fromlist=["Status"]).Status.PASS, "r: ok")]
               for i in checklist.items(ctx) if not i.attested}
    atts = {}
    for i in checklist.items(ctx):
        if i.attested:
            measured = {k: checklist.setting(ctx.settings, b.at_most or b.at_least) for k, b in (i.manual.measures.items() if i.manual else [])}
            atts[i.id] = checklist.Attestation(i.id, "x@example.com", TODAY, "https://e", measured)
    answers = checklist.answer(ctx, results, atts, TODAY)
    assert {a.answer for a in answers} == {"yes"}


def test_a_control_with_only_warnings_is_a_warning_in_a_valid_bundle():
    """Issue 13: a runtime inside its warning window is a WARNING finding; the bundle names the control
    WARNING (not PASS: someone must act before the deprecation date) and still validates."""
    from prr_policies.audit import Finding, Report
    from prr_policies.result import Result, Status
    from prr_policies.settings import load_settings

    def client(service):
        raise RuntimeError("no AWS here")

    cid = "PRR-LAMBDA-008"
    report = Report(findings=[Finding(cid, "AWS::Lambda::Function", "fn", Result(cid, "fn", Status.WARNING, "deprecated in 90 days")),
                              Finding(cid, "AWS::Lambda::Function", "fn2", Result(cid, "fn2", Status.PASS, "supported"))],
                    calls={("lambda", "list_functions")})
    doc = evidence.bundle(report, load_settings(), client, "eu-west-1", None, now=datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc))
    assert doc["controls"][cid]["status"] == "WARNING" and doc["summary"]["WARNING"] == 1
    jsonschema.validate(doc, evidence.schema(), cls=jsonschema.Draft202012Validator)
