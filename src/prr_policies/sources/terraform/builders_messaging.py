"""Terraform -> queue and topic access policies (the resource's own ``policy``, or the separate
``aws_sqs_queue_policy`` / ``aws_sns_topic_policy`` that names it, found across files and in
modules), and SNS subscriptions.

The other fields of Queue and Topic come from :mod:`prr_policies.sources.terraform.builders`
unchanged.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from prr_policies.facts import Queue, Subscription, Topic, TopicSubscriptions, Unknown
from prr_policies.sources import terraform as tf
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.conf import Conf, terraform_builder
from prr_policies.sources.terraform.graph import ResourceGraph


def _document(c: Conf, key: str, graph: ResourceGraph | None) -> Any:
    """A JSON policy attribute; in a plan, unset (the provider computes it) is None."""
    if pr.unset_in_plan(c, key):
        return None
    return pr.document(c, key, graph)


def _policy(c: Conf, graph: ResourceGraph | None, partner_type: str, partner_key: str) -> Any:
    """The policy a separate resource attaches to this one (it wins), else the resource's own."""
    if graph is None:
        return pr.no_graph(f"an {partner_type} naming the resource")
    for v in pr.of_type(graph, partner_type):
        partner = pr.conf_of(v)
        for address, _ in pr.refs_of(partner, partner_key):
            target = pr.resolve(graph, address)
            if target is not None and target.address == c.address:
                return pr.document(partner, "policy", graph)
    return _document(c, "policy", graph)


@terraform_builder("aws_sqs_queue", Queue)
def queue(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Queue:
    c = Conf.of("aws_sqs_queue", conf)
    return dataclasses.replace(tf.queue.__wrapped__(conf, graph, settings), policy=_policy(c, graph, "aws_sqs_queue_policy", "queue_url"))


@terraform_builder("aws_sns_topic", Topic)
def topic(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Topic:
    c = Conf.of("aws_sns_topic", conf)
    return dataclasses.replace(tf.topic.__wrapped__(conf, graph, settings), policy=_policy(c, graph, "aws_sns_topic_policy", "arn"))


@terraform_builder("aws_sns_topic_subscription", TopicSubscriptions)
def subscription(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> TopicSubscriptions:
    c = Conf.of("aws_sns_topic_subscription", conf)
    redrive = c.document("redrive_policy")
    if isinstance(redrive, Unknown) and c.plan and pr.refs_of(c, "redrive_policy"):
        redrive = {"deadLetterTargetArn": "(a queue of this configuration)"}  # jsonencode() of a reference: set
    target: Any = redrive if isinstance(redrive, Unknown) or redrive is None else redrive.get("deadLetterTargetArn")
    if isinstance(target, str) and pr.references(target):
        target = "(a queue of this configuration)"  # a reference to the DLQ's ARN counts as set
    endpoint = c.string("endpoint")
    if isinstance(endpoint, Unknown) and pr.refs_of(c, "endpoint"):
        endpoint = "(a resource of this configuration)"
    sub = Subscription(c.address, pr.known(c.string("protocol")), endpoint, target)
    return TopicSubscriptions(c.address, (sub,))
