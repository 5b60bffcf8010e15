"""What a fixture folder's expected.yaml says, per control and per mode (HCL, plan).

Two shapes, both with the plan's differences written down with their reason:

    # fixtures/controls/<control>/expected.yaml: one control
    control: PRR-LAMBDA-010
    results:                      # HCL and plan alike
      aws_lambda_function_url.pass_iam_auth: PASS
    plan_results:                 # where the real plan differs, and why
      aws_lambda_function_url.unknown_auth_from_variable:
        status: FAIL              # or ABSENT: the plan holds no such resource
        reason: plan.tfvars gives the root variable auth_type the value NONE; ...

    # fixtures/idioms/<idiom>/expected.yaml: several controls
    idiom: ...
    results:
      PRR-LAMBDA-011:
        aws_lambda_permission.fail_try_each["s3"]: FAIL
    plan_results:
      PRR-LAMBDA-011:
        ...: {status: ..., reason: ...}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MODES = ("terraform", "terraform_plan")
ABSENT = "ABSENT"


def same_resource(name: str) -> str:
    """checkov names a single instance in a module without its index on HCL (``module.m.aws_x.y``)
    and with it in a plan (``module.m.aws_x.y[0]``): one name for both."""
    return name[:-3] if name.endswith("[0]") else name


def status(run: Any, mode: str, folder: str, check_id: str, resource: str) -> tuple[str, str] | None:
    """run.status() that matches a resource named with or without the [0] of a single instance."""
    want = same_resource(resource)
    found = [r for r in run.records if (r["check_type"], r["folder"], r["check_id"]) == (mode, folder, check_id)
             and same_resource(r["resource"]) == want]
    exact = [r for r in found if r["resource"] == resource]
    rec = (exact or found or [None])[0]
    return None if rec is None else (rec["result"], (rec.get("details") or [""])[0])


def expectations(folder: Path) -> dict[str, dict[str, dict[str, str]]]:
    """{control id: {mode: {resource: status}}} for one fixture folder."""
    doc = yaml.safe_load((folder / "expected.yaml").read_text())
    if "control" in doc:
        results = {doc["control"]: doc["results"]}
        plan = {doc["control"]: doc.get("plan_results") or {}}
    else:
        results = doc["results"]
        plan = doc.get("plan_results") or {}
    out: dict[str, dict[str, dict[str, str]]] = {}
    for control, resources in results.items():
        hcl = dict(resources)
        planned = dict(resources)
        for resource, entry in (plan.get(control) or {}).items():
            planned[resource] = entry["status"]
        out[control] = {"terraform": hcl, "terraform_plan": planned}
    return out


def overridden(expected: dict[str, dict[str, dict[str, str]]]) -> set[str]:
    """Resources whose plan differs from the HCL by design (a verdict, or absent)."""
    return {r for modes in expected.values() for r, s in modes["terraform_plan"].items() if s != modes["terraform"].get(r)}


def verdicts_agree(run: Any, by_folder: dict[str, dict[str, dict[str, dict[str, str]]]]) -> list[str]:
    """Every check of ours gives the same verdict on a folder's HCL and plan, except where the
    folder's expected.yaml says the plan differs. Returns the disagreements."""
    ours = [r for r in run.records if "_PRR_" in r["check_id"] and r["folder"] in by_folder]
    views: dict[str, dict[tuple[str, str, str], str]] = {m: {} for m in MODES}
    for r in ours:
        views[r["check_type"]][(r["folder"], r["check_id"], same_resource(r["resource"]))] = r["details"][0].split(":")[0]
    problems = []
    for key in sorted(set(views["terraform"]) | set(views["terraform_plan"])):
        folder, check_id, resource = key
        expected = by_folder[folder]
        if resource in {same_resource(r) for r in overridden(expected)}:
            continue  # its plan differs by design (written down with the reason), for every check
        hcl, plan = views["terraform"].get(key), views["terraform_plan"].get(key)
        if hcl != plan:
            problems.append(f"{folder} {check_id} {resource}: HCL {hcl}, plan {plan}")
    return problems
