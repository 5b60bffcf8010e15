"""Issue 13's event-delivery rules on hand-made facts, and the public-policy test they share with
the queue and topic policy rules."""

from __future__ import annotations

import pytest

from prr_policies.controls import evaluate
from prr_policies.controls._common import public_statements
from prr_policies.facts import EventBus, EventRuleTargets, EventTarget, Unknown
from prr_policies.result import Status
from prr_policies.settings import load_settings

S = load_settings()
U = Unknown("test")
P, F, NA, UNK = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN
DLQ = "arn:aws:sqs:eu-west-1:1:dlq"


def targets(*ts: EventTarget) -> EventRuleTargets:
    return EventRuleTargets("arn:aws:events:eu-west-1:1:rule/r", "default", ts)


@pytest.mark.parametrize("facts, expected", [
    (targets(EventTarget("a", "arn:aws:lambda:eu-west-1:1:function:f", "lambda", DLQ)), P),
    (targets(EventTarget("a", "arn:aws:lambda:eu-west-1:1:function:f", "lambda", None)), F),
    (targets(EventTarget("a", "arn:q", "sqs", DLQ), EventTarget("b", "arn:t", "sns", None)), F),
    (targets(EventTarget("a", "arn:aws:states:eu-west-1:1:stateMachine:s", "other", None)), NA),  # not a kind the PRR names
    (targets(), NA),
    (targets(EventTarget("a", U, U, None)), UNK),
    (targets(EventTarget("a", "arn:q", "sqs", U)), UNK),
    (targets(EventTarget("a", "arn:q", "sqs", U), EventTarget("b", "arn:f", "lambda", None)), F),  # a known gap wins
    (EventRuleTargets("r", "default", U), UNK),
])
def test_target_dlq(facts, expected):
    assert evaluate("PRR-EVENTS-001", facts, S).status is expected


@pytest.mark.parametrize("attempts, age, expected", [
    (3, 600, P), (10, 3600, P), (None, 600, F), (3, None, F), (11, 600, F), (3, 3601, F), (U, 600, UNK), (3, U, UNK),
])
def test_target_retries(attempts, age, expected):
    facts = targets(EventTarget("a", "arn:q", "sqs", DLQ, attempts, age))
    assert evaluate("PRR-EVENTS-002", facts, S).status is expected


def test_target_retries_reports_the_defaults_it_assumed():
    result = evaluate("PRR-EVENTS-002", targets(EventTarget("a", "arn:q", "sqs", DLQ)), S)
    assert result.status is F and "185" in result.reason and "86400" in result.reason


def statement(principal, condition=None, effect="Allow"):
    st = {"Sid": "S", "Effect": effect, "Principal": principal, "Action": "*"}
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


@pytest.mark.parametrize("policy, public", [
    (statement("*"), True),
    (statement({"AWS": "*"}), True),
    (statement({"AWS": "arn:aws:iam::*:root"}), True),  # how EventBridge writes a "*" permission
    (statement({"AWS": ["arn:aws:iam::111122223333:root", "*"]}), True),
    (statement({"AWS": "111122223333"}), False),
    (statement({"Service": "events.amazonaws.com"}), False),
    (statement("*", effect="Deny"), False),
    (statement("*", {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3"}}), False),
    (statement("*", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:eu-west-1:1:t"}}), False),
    (statement("*", {"StringEquals": {"aws:SourceAccount": "111122223333"}}), False),
    (statement("*", {"StringLike": {"aws:PrincipalOrgID": "o-*"}}), True),  # a wildcard is not a fixed value
    (statement("*", {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}), True),  # nor a policy variable
    (statement("*", {"StringEqualsIfExists": {"aws:SourceAccount": "1"}}), True),  # absent key: no pinning
    (statement("*", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), True),  # an IP range is not an identity
    (None, False),
])
def test_public_statements(policy, public):
    assert bool(public_statements(policy)) is public


@pytest.mark.parametrize("policy, expected", [
    (None, P), (statement({"AWS": "111122223333"}), P), (statement("*"), F), (U, UNK),
])
def test_event_bus_not_public(policy, expected):
    assert evaluate("PRR-EVENTS-003", EventBus("arn:aws:events:eu-west-1:1:event-bus/b", policy), S).status is expected


@pytest.mark.parametrize("cid, make", [
    ("PRR-SQS-003", lambda p: __import__("prr_policies.facts", fromlist=["Queue"]).Queue("arn:aws:sqs:eu-west-1:1:q", policy=p)),
    ("PRR-SNS-002", lambda p: __import__("prr_policies.facts", fromlist=["Topic"]).Topic("arn:aws:sns:eu-west-1:1:t", policy=p)),
])
@pytest.mark.parametrize("policy, expected", [
    (None, P), (statement({"Service": "sns.amazonaws.com"}, {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:1:t"}}), P),
    (statement("*"), F), (statement({"AWS": "*"}, {"StringEquals": {"AWS:SourceOwner": "123456789012"}}), P), (U, UNK),
])
def test_queue_and_topic_policies_not_public(cid, make, policy, expected):
    assert evaluate(cid, make(policy), S).status is expected


def test_subscriptions_dlq():
    from prr_policies.facts import Subscription, TopicSubscriptions

    def subs(*s):
        return TopicSubscriptions("arn:aws:sns:eu-west-1:1:t", s)

    ok = Subscription("s1", "sqs", "arn:q", "arn:dlq")
    assert evaluate("PRR-SNS-003", subs(ok, Subscription("s2", "lambda", "arn:f", "arn:dlq")), S).status is P
    assert evaluate("PRR-SNS-003", subs(ok, Subscription("s2", "sqs", "arn:q", None)), S).status is F
    assert evaluate("PRR-SNS-003", subs(Subscription("s3", "email", "a@b.c", None)), S).status is NA
    assert evaluate("PRR-SNS-003", subs(), S).status is NA
    assert evaluate("PRR-SNS-003", subs(Subscription("s4", U, "x", None)), S).status is UNK
    assert evaluate("PRR-SNS-003", subs(Subscription("s5", "sqs", "arn:q", U)), S).status is UNK
    assert evaluate("PRR-SNS-003", TopicSubscriptions("t", U), S).status is UNK
