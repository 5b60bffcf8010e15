"""Issue 13's alarm rules on hand-made facts."""

from __future__ import annotations

import dataclasses

import pytest

from prr_policies.controls import evaluate
from prr_policies.facts import AlarmWatch as A
from prr_policies.facts import MetricAlarm, Unknown, WatchedResource
from prr_policies.result import Status
from prr_policies.settings import load_settings

S = load_settings()
U = Unknown("test")
P, F, NA, UNK = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN


def fn(*alarms, group=None):
    return WatchedResource("arn:aws:lambda:eu-west-1:1:function:f", "function", alarms, deployment_group_alarms=group)


@pytest.mark.parametrize("facts, expected", [
    (fn(A("e", "AWS/Lambda", "Errors", 0, True), A("t", "AWS/Lambda", "Throttles", 0, True)), P),
    (fn(A("e", "AWS/Lambda", "Errors", 0, True)), F),
    (fn(A("e", "AWS/Lambda", "Errors", 0, False), A("t", "AWS/Lambda", "Throttles", 0, True)), F),
    (fn(A("e", "AWS/Lambda", "Errors", 0, U), A("t", "AWS/Lambda", "Throttles", 0, True)), UNK),
    (fn(), F),
    (WatchedResource("f", "function", U), UNK),
    (WatchedResource("q", "dlq", ()), NA),
])
def test_function_alarms(facts, expected):
    assert evaluate("PRR-ALARM-001", facts, S).status is expected


def test_alarms_are_not_required_when_settings_say_so():
    off = dataclasses.replace(S, alarms=dataclasses.replace(S.alarms, required=False))
    assert evaluate("PRR-ALARM-001", fn(), off).status is NA
    no_action = dataclasses.replace(S, alarms=dataclasses.replace(S.alarms, action_required=False))
    assert evaluate("PRR-ALARM-001", fn(A("e", "AWS/Lambda", "Errors", 0, False), A("t", "AWS/Lambda", "Throttles", 0, False)), no_action).status is P


@pytest.mark.parametrize("cid, role, metric", [
    ("PRR-ALARM-002", "dlq", "ApproximateNumberOfMessagesVisible"),
    ("PRR-ALARM-003", "event_source_queue", "ApproximateAgeOfOldestMessage"),
])
def test_queue_alarms(cid, role, metric):
    assert evaluate(cid, WatchedResource("q", role, (A("a", "AWS/SQS", metric, 0, True),)), S).status is P
    assert evaluate(cid, WatchedResource("q", role, (A("a", "AWS/SQS", "NumberOfMessagesSent", 0, True),)), S).status is F
    assert evaluate(cid, WatchedResource("q", role, ()), S).status is F
    assert evaluate(cid, WatchedResource("q", "function", ()), S).status is NA


@pytest.mark.parametrize("alarms, expected", [
    ((A("e", "AWS/ApiGateway", "5XXError", 0, True), A("l", "AWS/ApiGateway", "Latency", 800, True)), P),
    ((A("e", "AWS/ApiGateway", "5xx", 0, True), A("l", "AWS/ApiGateway", "Latency", 1000, True)), P),  # HTTP APIs, at the budget
    ((A("e", "AWS/ApiGateway", "5XXError", 0, True), A("l", "AWS/ApiGateway", "Latency", 5000, True)), F),  # over the budget
    ((A("e", "AWS/ApiGateway", "5XXError", 0, True),), F),
    ((A("e", "AWS/ApiGateway", "5XXError", 0, True), A("l", "AWS/ApiGateway", "Latency", U, True)), UNK),
    ((A("e", "AWS/ApiGateway", "5XXError", 0, True), A("l", "AWS/ApiGateway", "Latency", U, True),
      A("l2", "AWS/ApiGateway", "Latency", 500, True)), P),
])
def test_api_stage_alarms(alarms, expected):
    assert evaluate("PRR-ALARM-004", WatchedResource("s", "api_stage", alarms, "REST"), S).status is expected


@pytest.mark.parametrize("enabled, actions, expected", [
    (True, ("arn:aws:sns:eu-west-1:1:t",), P), (True, (), F), (True, None, F), (False, ("arn:aws:sns:eu-west-1:1:t",), F),
    (U, ("arn:t",), UNK), (True, U, UNK),
])
def test_alarm_actions(enabled, actions, expected):
    assert evaluate("PRR-ALARM-005", MetricAlarm("a", "a", "AWS/Lambda", "Errors", 0.0, enabled, actions), S).status is expected


@pytest.mark.parametrize("facts, expected", [
    (fn(A("f-errors", "AWS/Lambda", "Errors", 0, True), group=("f-errors",)), P),
    (fn(A("f-errors", "AWS/Lambda", "Errors", 0, True), group=("g-errors",)), F),
    (fn(A("f-errors", "AWS/Lambda", "Errors", 0, True), group=()), F),
    (fn(A("f-errors", "AWS/Lambda", "Errors", 0, True), group=None), NA),
    (fn(A("f-errors", "AWS/Lambda", "Errors", 0, True), group=U), UNK),
    (WatchedResource("f", "function", U, deployment_group_alarms=("f-errors",)), UNK),
])
def test_rollback_on_function_alarms(facts, expected):
    assert evaluate("PRR-CODEDEPLOY-002", facts, S).status is expected


def test_the_latency_budget_is_the_readiness_p99_unless_alarms_set_their_own(tmp_path):
    """Issue 13: one latency budget. alarms.latency_budget_ms when set, else readiness.latency.p99_ms
    (the example's 800 ms), else 1000 ms."""
    from pathlib import Path

    stage = WatchedResource("s", "api_stage", (A("e", "AWS/ApiGateway", "5XXError", 0, True), A("l", "AWS/ApiGateway", "Latency", 900, True)))
    assert S.latency_budget_ms() == 1000 and evaluate("PRR-ALARM-004", stage, S).status is P
    example = load_settings(Path(__file__).resolve().parents[1] / "examples" / "orders" / "prr.yaml")
    assert example.alarms.latency_budget_ms is None and example.latency_budget_ms() == 800
    assert evaluate("PRR-ALARM-004", stage, example).status is F
    own = dataclasses.replace(example, alarms=dataclasses.replace(example.alarms, latency_budget_ms=950))
    assert own.latency_budget_ms() == 950 and evaluate("PRR-ALARM-004", stage, own).status is P
