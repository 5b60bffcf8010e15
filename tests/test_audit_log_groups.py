"""Issue 13 (structured logging): a function that logs to a group named in ``LoggingConfig.LogGroup``
outside ``/aws/lambda/`` has that group judged by PRR-LAMBDA-015 in the audit (retention, KMS,
sharing), instead of UNKNOWN because the account-wide listing reads only ``/aws/lambda/``.

moto 5.2.x drops ``LoggingConfig`` from ListFunctions and GetFunction, so these tests hand the
account reader a stand-in client that answers like the Lambda and CloudWatch Logs APIs do."""

from __future__ import annotations

from typing import Any

from prr_policies.facts import FunctionLogGroup, Unknown
from prr_policies.sources.account import Account

ARN = "arn:aws:lambda:eu-west-1:111122223333:function:"


class _Paginator:
    def __init__(self, pages: list[dict]) -> None:
        self.pages = pages

    def paginate(self, **kwargs: Any) -> list[dict]:
        return self.pages


class _Client:
    def __init__(self, service: str, groups: dict[str, dict], fail_prefix: str | None) -> None:
        self.service, self.groups, self.fail_prefix = service, groups, fail_prefix
        self.prefixes: list[str] = []

    def can_paginate(self, operation: str) -> bool:
        return False

    def list_functions(self, **kwargs: Any) -> dict:
        return {"Functions": [
            {"FunctionName": "orders", "FunctionArn": ARN + "orders", "LoggingConfig": {"LogGroup": "/app/orders"}},
            {"FunctionName": "billing", "FunctionArn": ARN + "billing", "LoggingConfig": {"LogGroup": "/app/billing"}},
            {"FunctionName": "plain", "FunctionArn": ARN + "plain"},
        ]}

    def describe_log_groups(self, logGroupNamePrefix: str, **kwargs: Any) -> dict:
        self.prefixes.append(logGroupNamePrefix)
        if self.fail_prefix and logGroupNamePrefix == self.fail_prefix:
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, "DescribeLogGroups")
        return {"logGroups": [g for n, g in self.groups.items() if n.startswith(logGroupNamePrefix)]}


def _collect(groups: dict[str, dict], fail_prefix: str | None = None) -> tuple[dict[str, FunctionLogGroup], list[str]]:
    clients: dict[str, _Client] = {}

    def client(service: str) -> _Client:
        return clients.setdefault(service, _Client(service, groups, fail_prefix))

    snap = Account(client, jobs=1).collect([FunctionLogGroup])
    got = {facts.address.rsplit(":", 1)[-1]: facts for _type, _id, facts in snap.facts[FunctionLogGroup]}
    return got, clients["logs"].prefixes


GROUPS = {
    "/app/orders": {"logGroupName": "/app/orders", "retentionInDays": 90, "kmsKeyId": "arn:aws:kms:eu-west-1:111122223333:key/k"},
    "/app/orders-archive": {"logGroupName": "/app/orders-archive"},  # shares the prefix: not the function's group
    "/aws/lambda/plain": {"logGroupName": "/aws/lambda/plain", "retentionInDays": 30},
}


def test_a_custom_log_group_outside_aws_lambda_is_read_and_judged():
    got, prefixes = _collect(GROUPS)
    assert prefixes[0] == "/aws/lambda/" and set(prefixes[1:]) == {"/app/orders", "/app/billing"}
    orders = got["orders"]
    assert orders.log_group == "/app/orders" and orders.retention_days == 90 and orders.kms_key_id.endswith("key/k")
    assert got["billing"].log_group is None  # named but not there: no log group, not UNKNOWN
    assert got["plain"].log_group == "/aws/lambda/plain"


def test_a_custom_log_group_that_cannot_be_read_is_unknown_for_its_function_only():
    got, _ = _collect(GROUPS, fail_prefix="/app/orders")
    assert isinstance(got["orders"].log_group, Unknown) and "DescribeLogGroups" in got["orders"].log_group.reason
    assert got["plain"].log_group == "/aws/lambda/plain"
