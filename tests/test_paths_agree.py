"""One set of generated facts, three doors, one verdict: the Terraform checks (HCL through the
checkov CLI; plans in tests/test_terraform_generated.py), the Config rule handler (configuration items through the Lambda entry point,
with its describe-call enrichment) and the periodic/audit path (a moto account read by
:class:`Account`) agree with the pure rule on the facts they were built from.

What a door cannot carry is drawn out of the generated facts (as in the foundation's
property tests): moto drops DeadLetterConfig and has no code signing configs; Config records
no redrive policy (the handler reads it).
"""

from __future__ import annotations

import dataclasses
import json

import boto3
import pytest
from hypothesis import given, settings, strategies as st
from moto import mock_aws

from prr_policies.config_rules import handler
from prr_policies.controls import evaluate
from prr_policies.facts import ExecutionRoleFacts, Queue
from prr_policies.sources.account import Account
from tests.strategies import ACCOUNT, create_in_moto, lambda_facts, to_config_item, to_hcl
from tests.test_config_rules import event



REGION = "eu-west-1"
CHANGE_CONTROLS = ["PRR-LAMBDA-001", "PRR-LAMBDA-002", "PRR-LAMBDA-003", "PRR-LAMBDA-004", "PRR-LAMBDA-006",
                   "PRR-LAMBDA-007", "PRR-LAMBDA-008", "PRR-LAMBDA-009"]
COMPLIANCE = {"PASS": "COMPLIANT", "FAIL": "NON_COMPLIANT", "UNKNOWN": "NON_COMPLIANT", "NOT_APPLICABLE": "NOT_APPLICABLE",
              "WARNING": "COMPLIANT"}  # Config has no warning level: COMPLIANT, annotated "WARNING:"


@pytest.fixture(scope="module")
def env():
    mp = pytest.MonkeyPatch()
    for k, v in {"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        mp.setenv(k, v)
    yield
    mp.undo()


@settings(max_examples=3)
@given(st.integers(2, 4).flatmap(lambda n: st.tuples(*[lambda_facts(index=i, dead_letter=False, code_signing=False) for i in range(n)])))
def test_lambda_function_terraform_config_and_audit_paths_agree(env, fixture_settings, batch):
    from prr_policies.catalog import catalog

    from .checkov_run import run_checkov_on_hcl

    batch = [dataclasses.replace(fn, address=f"{fn.address}-{i}") for i, fn in enumerate(batch)]
    run = run_checkov_on_hcl("\n".join(to_hcl(fn) for fn in batch), [catalog().control(c).enforcement.checkov[0] for c in CHANGE_CONTROLS])
    with mock_aws():
        ec2 = boto3.client("ec2")
        subnet = ec2.create_subnet(VpcId=ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"], CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        for fn in batch:
            create_in_moto(dataclasses.replace(fn, tracing_mode=fn.tracing_mode or "PassThrough"), boto3.client("lambda"), boto3.client("iam"), subnet)
        snapshot = Account(boto3.client).collect()
        audit = {rid: facts for _t, rid, facts in snapshot.facts[type(batch[0])]}
        for fn in batch:
            facts = dataclasses.replace(fn, role=ExecutionRoleFacts(f"aws_iam_role.{fn.address}", fn.role.permissions_boundary, 1))
            item = json.loads(json.dumps(to_config_item(fn)))
            item["configuration"] = json.loads(item["configuration"])
            item["configurationItemCaptureTime"] = "2026-11-27T12:00:00.000Z"
            for cid in CHANGE_CONTROLS:
                want = evaluate(cid, facts, fixture_settings).status.value
                check_id = catalog().control(cid).enforcement.checkov[0]
                # HCL only (a plan per example takes Terraform 10-20 s); the plan path of to_hcl's
                # output is checked on a sample Terraform planned: tests/test_terraform_generated.py.
                rec = [r for r in run.records if r["check_type"] == "terraform" and r["check_id"] == check_id
                       and r["resource"] == f"aws_lambda_function.{fn.address}"]
                assert rec and rec[0]["details"][0].split(":")[0] == want, (cid, fn, rec)
                got = handler.lambda_handler(event(cid, item), None, fixture_settings)[0]
                assert got["ComplianceType"] == COMPLIANCE[want], (cid, fn, got)
                assert evaluate(cid, audit[fn.address], fixture_settings).status.value == want, (cid, fn, audit[fn.address])


queues = st.fixed_dictionaries({
    "name": st.from_regex(r"q[a-z0-9]{1,10}", fullmatch=True).map(lambda n: n + "-in") | st.just("orders-dlq"),
    "key": st.sampled_from([None, "alias/aws/sqs", "arn:aws:kms:eu-west-1:123456789012:key/6f1a2b3c-1111-2222-3333-444455556666"]),
    "sse": st.booleans(),
    "redrive": st.none() | st.integers(1, 20),
    "visibility": st.integers(0, 900),
})


@settings(max_examples=15)
@given(queues)
def test_queue_config_and_audit_paths_agree(env, fixture_settings, spec):
    attrs = {"VisibilityTimeout": str(spec["visibility"])}
    if spec["key"]:
        attrs["KmsMasterKeyId"] = spec["key"]
    elif spec["sse"]:
        attrs["SqsManagedSseEnabled"] = "true"
    with mock_aws():
        sqs = boto3.client("sqs")
        if spec["redrive"] is not None:
            dlq = sqs.create_queue(QueueName="target-dlq")["QueueUrl"]
            dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attrs["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec["redrive"]})
        url = sqs.create_queue(QueueName=spec["name"], Attributes=attrs)["QueueUrl"]
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{spec['name']}"
        facts = Queue(arn, spec["key"], True if spec["sse"] and not spec["key"] else None,
                      attrs.get("RedrivePolicy") and json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"], spec["redrive"],
                      spec["name"].endswith(fixture_settings.sqs.dlq_name_suffixes), spec["visibility"])
        recorded = {k: v for k, v in attrs.items() if k != "RedrivePolicy"}  # Config does not record it
        item = {"resourceType": "AWS::SQS::Queue", "resourceId": url, "resourceName": spec["name"], "ARN": arn,
                "configurationItemStatus": "OK", "configurationItemCaptureTime": "2026-11-27T12:00:00.000Z",
                "configuration": {"QueueUrl": url, "QueueArn": arn, **recorded}, "supplementaryConfiguration": {}, "relationships": []}
        snapshot = Account(boto3.client, dlq_suffixes=fixture_settings.sqs.dlq_name_suffixes).collect()
        audit = {rid: f for _t, rid, f in snapshot.facts[Queue]}
        for cid in ("PRR-SQS-001", "PRR-SQS-002"):
            want = evaluate(cid, facts, fixture_settings).status.value
            got = handler.lambda_handler(event(cid, item), None, fixture_settings)[0]
            assert got["ComplianceType"] == COMPLIANCE[want], (cid, spec, got)
            assert evaluate(cid, audit[url], fixture_settings).status.value == want, (cid, spec, audit[url])
