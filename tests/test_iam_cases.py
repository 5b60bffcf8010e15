"""Every IAM case file passes: AWS's examples in ../shared/iam-cases and our corpus in iam_cases/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from prr_policies.cli import main
from prr_policies.iam import case_files, load_cases

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "iam-cases" / "examples"
EXAMPLES = ROOT / "tests" / "iam_examples"  # a copy of SHARED, so a lone checkout runs them too
CORPUS = ROOT / "iam_cases"


def _cases(directory: Path):
    return [pytest.param(c, id=c.id) for f in case_files([directory]) for c in load_cases(f)]


@pytest.mark.parametrize("case", _cases(EXAMPLES))
def test_shared_example_case(case):
    decision = case.run()
    assert decision.effect == case.expected, decision.explain()


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/iam-cases is not next to this checkout")
def test_example_copies_are_current():
    """tests/iam_examples is a copy of ../shared/iam-cases/examples; when the original is next
    to the checkout, the copy must equal it (and run every example it has)."""
    shared = {p.name: p.read_bytes() for p in SHARED.glob("*.json")}
    copies = {p.name: p.read_bytes() for p in EXAMPLES.glob("*.json")}
    assert copies == shared


@pytest.mark.parametrize("case", _cases(CORPUS))
def test_corpus_case(case):
    decision = case.run()
    assert decision.effect == case.expected, decision.explain()
    assert case.rule and "Doc: \"" in case.rule and "https://docs.aws.amazon.com/" in case.source


def test_corpus_is_large_and_covers_every_effect():
    cases = [c for f in case_files([CORPUS]) for c in load_cases(f)]
    assert len(cases) >= 200
    assert {c.expected for c in cases} == {"Allow", "ExplicitDeny", "ImplicitDeny"}
    assert len({c.id for c in cases}) == len(cases)


def test_corpus_json_matches_its_definitions():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "iam_cases.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_simulate_exits_0_when_all_match_and_explains(capsys):
    assert main(["simulate", str(CORPUS / "boundaries.json"), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "ok   pb-both-allow: Allow" in out and "blocked by: boundary" in out and "11 of 11 cases as expected" in out


def test_simulate_exits_1_on_mismatch(tmp_path, capsys):
    case = json.loads((CORPUS / "basics.json").read_text())[0]
    case["expected"] = "ImplicitDeny"
    f = tmp_path / "wrong.json"
    f.write_text(json.dumps(case))
    assert main(["simulate", str(f)]) == 1
    out = capsys.readouterr().out
    assert "FAIL basic-allow-single-statement: Allow (expected ImplicitDeny)" in out


def test_simulate_json_output(capsys):
    assert main(["simulate", str(CORPUS / "sessions.json"), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["failed"] == 0 and doc["passed"] == len(doc["cases"]) == 11


@pytest.mark.parametrize("content, where", [
    ("{not json", "line 1 column 2"),
    ("[]", "no cases"),
    ('{"id": "x"}', "source"),
    ('{"id": "x", "source": "s", "rule": "r", "expected": "Maybe", "policies": {}, "request": {}}', "expected"),
    ('{"id": "x", "source": "s", "rule": "r", "expected": "Allow", "policies": {"identity": [{"Statement": []}]}, '
     '"request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject"}}', "policies.identity[0].Statement"),
    ('{"id": "x", "source": "s", "rule": "r", "expected": "Allow", "policies": {}, '
     '"request": {"principal": "bob", "action": "s3:GetObject"}}', "request.principal"),
    ('{"id": "x", "source": "s", "rule": "r", "expected": "Allow", "policies": {}, '
     '"request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "context": {"k": 1}}}', "request.context.k"),
    ('{"id": "x", "source": "s", "rule": "r", "expected": "Allow", "policies": {"scps": [{}]}, '
     '"request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject"}}', "policies.scps[0]"),
])
def test_bad_case_files_are_clear_errors(tmp_path, capsys, content, where):
    f = tmp_path / "bad.json"
    f.write_text(content)
    assert main(["simulate", str(f)]) == 2
    err = capsys.readouterr().err
    assert str(f) in err and where in err and "Traceback" not in err
