"""AWS Config evaluation throughput and audit wall time.

    python benchmarks/config_eval.py [--items 20000] [--functions 200]

1. Configuration items per second through the custom-rule handler's evaluation path
   (``PrrRule.evaluate_change``: configuration item -> facts -> rule -> Evaluation), without AWS
   calls (items whose rules need none: API stages, queues with their redrive already decided,
   topics, secrets, keys, code signing configs, deployment groups, roles, functions for the
   recorded fields). Baseline in the same run: ``json.loads`` of the same items, the floor any
   handler pays.
2. ``prr-policies audit`` wall time over a moto account of N functions (each with its queue,
   mapping, alias, log group and role), against a baseline in the same run: the bare boto3 calls
   that list the functions and read each one (ListFunctions + GetFunction).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prr_policies.config_rules.handler import PrrRule  # noqa: E402
from prr_policies.settings import load_settings  # noqa: E402

ITEMS = ROOT / "fixtures" / "controls"
NO_CALLS = ["PRR-LAMBDA-001", "PRR-LAMBDA-002", "PRR-LAMBDA-006", "PRR-LAMBDA-007", "PRR-LAMBDA-008", "PRR-APIGW-001",
            "PRR-APIGW-002", "PRR-APIGW-003", "PRR-APIGW-004", "PRR-SQS-001", "PRR-SNS-001", "PRR-SECRETS-001", "PRR-SECRETS-002",
            "PRR-KMS-001", "PRR-LAMBDA-013", "PRR-CODEDEPLOY-001", "PRR-IAM-002"]


class NoAws:
    def build_client(self, service, *a, **k):
        raise AssertionError(f"the benchmark must not call AWS ({service})")


def config_items(n: int) -> float:
    settings = load_settings(ROOT / "fixtures" / "prr.yaml")
    cases = []
    for control in NO_CALLS:
        for p in sorted((ITEMS / control / "config_items").glob("*.json")):
            item = json.loads(p.read_text())
            if item.get("configurationItemStatus") == "OK":
                cases.append((control, json.dumps(item)))
    work = [cases[i % len(cases)] for i in range(n)]
    rule, factory = PrrRule(settings), NoAws()
    start = time.perf_counter()
    for _control, text in work:
        json.loads(text)
    base = time.perf_counter() - start
    for control, text in cases:  # every distinct item is judged by its rule, not by the failure net
        out = rule.evaluate_change({}, factory, json.loads(text), {"ControlId": control})
        assert "evaluation failed" not in out[0].annotation, (control, out[0].annotation)
    start = time.perf_counter()
    for control, text in work:
        rule.evaluate_change({}, factory, json.loads(text), {"ControlId": control})
    full = time.perf_counter() - start
    print(f"configuration items: {n} through {len(NO_CALLS)} rules ({len(cases)} distinct items)")
    print(f"  json.loads only (baseline) : {n / base:>10,.0f} items/s")
    print(f"  handler evaluation path    : {n / full:>10,.0f} items/s   ratio {full / base:5.1f}x the baseline's time")
    return n / full


def audit_wall_time(functions: int) -> None:
    import boto3
    from moto import mock_aws

    from prr_policies import audit
    from tests import aws_stack

    for k, v in {"AWS_REGION": aws_stack.REGION, "AWS_DEFAULT_REGION": aws_stack.REGION, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}.items():
        os.environ[k] = v
    with mock_aws():
        t = time.perf_counter()
        aws_stack.build(functions)
        built = time.perf_counter() - t
        lam = boto3.client("lambda", region_name=aws_stack.REGION)
        t = time.perf_counter()
        names = [f["FunctionName"] for page in lam.get_paginator("list_functions").paginate() for f in page["Functions"]]
        for name in names:
            lam.get_function(FunctionName=name)
        base = time.perf_counter() - t
        t = time.perf_counter()
        report = audit.run(aws_stack.client, load_settings())
        wall = time.perf_counter() - t
    print(f"audit of a moto account with {functions} functions (built in {built:.1f} s): {len(report.findings)} results")
    print(f"  ListFunctions + GetFunction per function (baseline): {base:6.2f} s")
    print(f"  prr-policies audit (all controls, 8 threads)       : {wall:6.2f} s   ratio {wall / base:4.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=20000)
    ap.add_argument("--functions", type=int, default=200)
    args = ap.parse_args()
    config_items(args.items)
    audit_wall_time(args.functions)


if __name__ == "__main__":
    main()
