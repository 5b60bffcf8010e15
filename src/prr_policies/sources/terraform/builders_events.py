"""Terraform -> facts for event delivery: EventBridge rule targets and event bus policies, SNS
subscriptions and S3 bucket notifications (with the Lambda permissions that let S3 invoke).

A target's kind comes from what its ``arn`` refers to (a function, alias, queue or topic of the
configuration, across files and through module variables) or from a literal ARN's service.
"""

from __future__ import annotations

from typing import Any

from prr_policies.facts import EventBus, EventRuleTargets, EventTarget, Unknown
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.conf import Conf, terraform_builder, _field
from prr_policies.sources.terraform.graph import ResourceGraph

# What a target ARN that refers to a resource of the configuration points at.
_TARGET_KINDS = {"aws_lambda_function": "lambda", "aws_lambda_alias": "lambda", "aws_sqs_queue": "sqs",
                 "aws_sns_topic": "sns"}
_ARN_SERVICES = {"lambda": "lambda", "sqs": "sqs", "sns": "sns"}


def arn_kind(arn: Any) -> Any:
    """lambda | sqs | sns | other, from a literal ARN."""
    if isinstance(arn, Unknown) or not isinstance(arn, str):
        return arn
    parts = arn.split(":")
    return _ARN_SERVICES.get(parts[2], "other") if len(parts) > 5 and parts[0] == "arn" else Unknown(f"{arn} is not an ARN")


def target_kind(c: Conf, key: str = "arn") -> Any:
    refs = pr.refs_of(c, key)
    if refs:
        address = refs[0][0]
        rtype = address[len(pr.module_of(address)):].rsplit(".", 1)[0]
        return _TARGET_KINDS.get(rtype.removeprefix("data."), "other")
    value = c.string(key)
    if value is None or isinstance(value, Unknown):
        return value if value is not None else Unknown(f"{key} is not set")
    if "${" in value:  # an interpolation checkov could not render (timestamp(), a data source ...)
        return Unknown(f"{key} is {value}, known only after apply")
    return arn_kind(value)


def _reference_or_value(c: Conf, key: str, value: Any) -> Any:
    """A set attribute whose value is another resource's ARN counts as set, also in a plan."""
    if isinstance(value, Unknown) and pr.refs_of(c, key):
        return "(a resource of this configuration)"
    return value


def _block_field(c: Conf, block: str, key: str) -> Any:
    """``block.key``: None when the block or the key is unset; in a plan, a key the
    configuration sets to another resource's attribute is known only after apply."""
    if c.plan:
        try:
            return pr.in_plan(c, block, key)
        except LookupError:
            return Unknown("the plan file could not be read")
    return _field(pr.block(c, block), key, False)


@terraform_builder("aws_cloudwatch_event_target", EventRuleTargets)
def event_target(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> EventRuleTargets:
    c = Conf.of("aws_cloudwatch_event_target", conf)
    dlq = _block_field(c, "dead_letter_config", "arn")
    if isinstance(dlq, Unknown):
        expr = pr.expression(c, "dead_letter_config")
        dlq = "(a resource of this configuration)" if pr.references(expr) else dlq
    attempts = _block_field(c, "retry_policy", "maximum_retry_attempts")
    age = _block_field(c, "retry_policy", "maximum_event_age_in_seconds")
    target = EventTarget(
        target_id=c.string("target_id") if isinstance(c.string("target_id"), str) else c.address,
        arn=_reference_or_value(c, "arn", c.string("arn")), kind=target_kind(c),
        dead_letter_arn=dlq, maximum_retry_attempts=pr.known(attempts), maximum_event_age_seconds=pr.known(age))
    return EventRuleTargets(address=c.address, event_bus=pr.attr(c, "event_bus_name", "string"), targets=(target,))


@terraform_builder(("aws_cloudwatch_event_bus_policy", "aws_cloudwatch_event_permission"), EventBus)
def event_bus_policy(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> EventBus:
    """``aws_cloudwatch_event_bus_policy`` (a whole policy) or ``aws_cloudwatch_event_permission``
    (one statement: a principal, optionally limited to an organization by a condition)."""
    address = conf.get("__address__") if isinstance(conf.get("__address__"), str) else ""
    if ".aws_cloudwatch_event_permission." in f".{address}":
        c = Conf.of("aws_cloudwatch_event_permission", conf)
        principal = c.string("principal")
        if isinstance(principal, Unknown) or principal is None:
            return EventBus(c.address, principal if principal is not None else Unknown("principal is not set"))
        statement: dict[str, Any] = {"Sid": c.string("statement_id") or "permission", "Effect": "Allow",
                                     "Principal": principal if principal == "*" else {"AWS": principal},
                                     "Action": c.string("action") or "events:PutEvents"}
        condition = pr.block(c, "condition")
        if isinstance(condition, Unknown):
            return EventBus(c.address, condition)
        if condition:
            key, value, operator = (pr.known(_field(condition, k, c.plan)) for k in ("key", "value", "type"))
            if any(isinstance(x, Unknown) for x in (key, value, operator)):
                return EventBus(c.address, Unknown("the permission's condition is known only after apply"))
            statement["Condition"] = {str(operator): {f"aws:{key}" if key and ":" not in str(key) else key: value}}
        return EventBus(c.address, {"Version": "2012-10-17", "Statement": [statement]})
    c = Conf.of("aws_cloudwatch_event_bus_policy", conf)
    return EventBus(c.address, c.document("policy"))
