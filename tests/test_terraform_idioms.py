"""Issue 11: idioms of real Terraform modules, through the real checkov CLI on HCL and on the plans
Terraform itself wrote for them (fixtures/idioms/<idiom>/: main.tf, plan.json, expected.yaml).

Each idiom's fixture fails on the code before issue 11 (checked by running these fixtures
through the package as it was): a principal built by try()/format()/each was NOT_APPLICABLE; KMS
keys from data sources naming AWS managed aliases passed; a function URL of a module called
with create = false was a FAIL; roles from indexed trust documents and null module defaults were
UNKNOWN; conditional dynamic blocks could not be read; a known violation next to an unknown field
was UNKNOWN; queues redriving per for_each instance had "no redrive policy".
"""

from __future__ import annotations

import json

import pytest

from prr_policies.catalog import catalog
from prr_policies.scan import CHECKS_DIR

from .checkov_run import run_checkov
from .conftest import FIXTURES
from .fixture_expectations import ABSENT, MODES, expectations, same_resource, status as status_of, verdicts_agree

IDIOMS = FIXTURES / "idioms"
FOLDERS = sorted(p.name for p in IDIOMS.iterdir() if (p / "expected.yaml").is_file())
CASES = [pytest.param(folder, control, mode, resource, status, id=f"{folder}-{control}-{mode}-{resource}")
         for folder in FOLDERS for control, modes in expectations(IDIOMS / folder).items()
         for mode, resources in modes.items() for resource, status in resources.items()]


@pytest.fixture(scope="module")
def run():
    return run_checkov(IDIOMS, CHECKS_DIR, FIXTURES / "prr.yaml", ["--check", ",".join(
        ck for c in catalog().controls for ck in c.enforcement.checkov)])


def test_every_idiom_has_a_plan_written_by_terraform():
    for folder in FOLDERS:
        plan = json.loads((IDIOMS / folder / "plan.json").read_text())
        assert plan.get("terraform_version") and "configuration" in plan and "resource_changes" in plan, folder


@pytest.mark.parametrize("folder, control, mode, resource, status", CASES)
def test_idiom_verdict(run, folder, control, mode, resource, status):
    check_id = catalog().control(control).enforcement.checkov[0]
    got = status_of(run, mode, folder, check_id, resource)
    if status == ABSENT:
        assert got is None, f"{check_id} reported {resource} in {mode}: {got}"
        return
    assert got is not None, f"{check_id} did not report {resource} in {mode}"
    assert got[1].split(":", 1)[0] == status, got[1]


def test_no_missing_or_extra_findings(run):
    for folder in FOLDERS:
        for control, modes in expectations(IDIOMS / folder).items():
            check_id = catalog().control(control).enforcement.checkov[0]
            for mode in MODES:
                want = {same_resource(r) for r, s in modes[mode].items() if s != ABSENT}
                seen = {same_resource(r["resource"]) for r in run.records
                        if (r["check_type"], r["folder"], r["check_id"]) == (mode, folder, check_id)}
                assert seen == want, (folder, control, mode, seen ^ want)


def test_hcl_and_plan_verdicts_agree_or_the_difference_is_written(run):
    problems = verdicts_agree(run, {folder: expectations(IDIOMS / folder) for folder in FOLDERS})
    assert not problems, "\n".join(problems)
    assert "Failed to run check" not in run.stderr and "Traceback" not in run.stderr


def test_a_deleted_resource_gets_no_verdict(run):
    """Issue 11: the plan deletes aws_lambda_function_url.deleted (it is only in the prior state,
    with auth NONE): no check judges it; the replaced URL is judged on its new state."""
    plan = json.loads((IDIOMS / "plan_actions" / "plan.json").read_text())
    actions = {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"]}
    assert actions == {"aws_lambda_function_url.created": ["create"], "aws_lambda_function_url.deleted": ["delete"],
                       "aws_lambda_function_url.replaced": ["delete", "create"], "aws_sqs_queue.unchanged": ["no-op"],
                       "aws_sqs_queue.updated": ["update"]}
    assert not [r for r in run.records if r["folder"] == "plan_actions" and r["resource"].endswith(".deleted")]


def test_sensitive_values_are_judged_but_never_shown(run):
    """Issue 11: a sensitive value is known (judged), and the finding does not print it."""
    for mode in MODES:
        details = [r["details"][0] for r in run.records if r["folder"] == "sensitive_values" and r["check_type"] == mode
                   and r["check_id"] in ("CKV_PRR_13", "CKV_PRR_15")]
        assert len(details) == 2, (mode, details)
        assert all("5ec2e7e5" not in d and "alias/aws/sns" not in d for d in details), details
        assert all("(sensitive value)" in d for d in details), details
