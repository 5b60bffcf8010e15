"""Issue 9: every listing reads every page, and a listing that cannot be completed is UNKNOWN,
never a shorter list."""

from __future__ import annotations

import ast
from pathlib import Path

import boto3
from moto import mock_aws

from prr_policies.facts import Queue, Unknown
from prr_policies.sources import kinds, live
from prr_policies.sources.account import Account
from prr_policies.sources.aws_api import Api

SRC = Path(__file__).resolve().parent.parent / "src" / "prr_policies" / "sources"


def _paginated_operations() -> set[tuple[str, str]]:
    session = boto3.Session(region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y")
    return {(s, o) for s, o in kinds.calls() if session.client(s).can_paginate(o)}


def _single_calls_in_sources() -> set[tuple[str, str]]:
    """Every ``api.call("service", "operation", ...)`` written in the sources."""
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "call" \
                    and len(node.args) >= 2 and all(isinstance(a, ast.Constant) for a in node.args[:2]):
                found.add((node.args[0].value, node.args[1].value))
    return found


def test_no_paginated_operation_is_read_as_a_single_call():
    """apigatewayv2 GetStages is paginated, and only its first page was read."""
    paginated = _paginated_operations()
    assert ("apigatewayv2", "get_stages") in paginated  # the case that was wrong
    assert _single_calls_in_sources() & paginated == set()


def test_sqs_queues_are_listed_past_the_first_page(monkeypatch):
    """ListQueues gives a NextToken only when MaxResults is set; without it the audit stopped at
    1,000 queues. A page of 2 stands in for AWS's 1,000 here."""
    monkeypatch.setattr(live, "SQS_PAGE_SIZE", 2)
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        for i in range(5):
            sqs.create_queue(QueueName=f"q{i}")
        snap = Account(lambda s: boto3.client(s, region_name="eu-west-1")).collect([Queue])
    assert sorted(rid.rsplit("/", 1)[-1] for _t, rid, _f in snap.facts[Queue]) == [f"q{i}" for i in range(5)]


class _FailsOnPageTwo:
    def can_paginate(self, op):
        return True

    def get_paginator(self, op):
        class P:
            def paginate(self, **kw):
                yield {"QueueUrls": ["https://sqs.eu-west-1.amazonaws.com/1/a"]}
                raise RuntimeError("connection reset while reading page 2")
        return P()


def test_a_listing_that_breaks_off_is_unknown_not_shorter():
    got = Api(lambda s: _FailsOnPageTwo()).pages("sqs", "list_queues", "QueueUrls")
    assert isinstance(got, Unknown) and "sqs:ListQueues failed" in got.reason
