"""Terraform -> FunctionIdempotency: what delivers events to a function at least once, found
through the graph, and how the function declares its idempotency (a tag, or a Powertools
idempotency table in its environment).

At-least-once deliverers: an event source mapping (``aws_lambda_event_source_mapping``), an
asynchronous invocation config (``aws_lambda_function_event_invoke_config``), a resource-policy
grant to a service that invokes asynchronously (``aws_lambda_permission``), an SNS subscription,
an EventBridge target and an S3 notification naming the function. A partner names its function
by reference (to the function or to one of its aliases, across files and module calls) or by a
literal name or ARN. The partners of a scan are indexed once per graph, so judging N functions
stays linear. A partner whose function cannot be determined leaves every function it might feed
unknown (fail closed), unless something else is known to feed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prr_policies.facts import FunctionIdempotency, Unknown
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.builders_function import _hcl_environment, _plan_environment
from prr_policies.sources.terraform.builders_resilience import _tags
from prr_policies.sources.terraform.conf import Conf, terraform_builder
from prr_policies.sources.terraform.graph import ResourceGraph, Vertex

# Services that invoke a function asynchronously (Lambda queues the event and retries it).
from prr_policies.sources.live import _ASYNC_PRINCIPALS as ASYNC_PRINCIPALS  # noqa: E402
_SOURCE_TYPES = {"aws_sqs_queue": "sqs", "aws_kinesis_stream": "kinesis", "aws_dynamodb_table": "dynamodb",
                 "aws_msk_cluster": "kafka", "aws_mq_broker": "mq", "aws_docdb_cluster": "docdb"}


@dataclass
class _Partner:
    label: str  # what it delivers as: sqs, async:s3, ...
    functions: list[str]  # addresses of the functions it refers to
    literals: list[str]  # function names or ARNs written literally
    unknown: Unknown | None  # why its function cannot be determined


def _function_targets(c: Conf, key: str, graph: ResourceGraph) -> tuple[list[str], list[str], Unknown | None]:
    refs = pr.refs_of(c, key)
    found: list[str] = []
    for address, _ in refs:
        v = pr.resolve(graph, address)
        if v is None:
            continue
        if v.resource_type == "aws_lambda_function":
            found.append(v.address)
        elif v.resource_type == "aws_lambda_alias":
            alias = pr.conf_of(v)
            found += [t.address for t in (pr.resolve(graph, a) for a, _ in pr.refs_of(alias, "function_name"))
                      if t is not None and t.resource_type == "aws_lambda_function"]
            name = pr.literal(alias.string("function_name"))
            if name:
                return found, [name], None
    if found:
        return found, [], None
    value = c.string(key)
    plain = pr.literal(value)
    if plain:
        return [], [plain], None
    if refs and all(pr.resolve(graph, a) is not None for a, _ in refs):
        return [], [], None  # it refers to something of this configuration that is not a function
    why = value if isinstance(value, Unknown) else Unknown(f"{c.address}'s {key} ({value}) is known only after apply")
    return [], [], why


def _source_label(c: Conf, graph: ResourceGraph) -> str:
    for address, _ in pr.refs_of(c, "event_source_arn"):
        v = pr.resolve(graph, address)
        if v is not None and v.resource_type in _SOURCE_TYPES:
            return _SOURCE_TYPES[v.resource_type]
    arn = pr.literal(c.string("event_source_arn"))
    if arn and arn.startswith("arn:") and len(arn.split(":")) > 2:
        return arn.split(":")[2]
    return "an event source mapping"


def _partners(graph: ResourceGraph) -> list[_Partner]:
    out: list[_Partner] = []

    def add(label: str, c: Conf, key: str) -> None:
        out.append(_Partner(label, *_function_targets(c, key, graph)))

    for v in pr.of_type(graph, "aws_lambda_event_source_mapping"):
        c = pr.conf_of(v)
        add(_source_label(c, graph), c, "function_name")
    for v in pr.of_type(graph, "aws_lambda_function_event_invoke_config"):
        add("async", pr.conf_of(v), "function_name")
    for v in pr.of_type(graph, "aws_lambda_permission"):
        c = pr.conf_of(v)
        principal = c.string("principal")
        service = principal.split(".")[0] if isinstance(principal, str) and principal.endswith(".amazonaws.com") else None
        if service in ASYNC_PRINCIPALS:
            add(f"async:{service}", c, "function_name")
    for v in pr.of_type(graph, "aws_sns_topic_subscription"):
        c = pr.conf_of(v)
        if c.string("protocol") == "lambda":
            add("async:sns", c, "endpoint")
    for v in pr.of_type(graph, "aws_cloudwatch_event_target"):
        c = pr.conf_of(v)
        functions, literals, why = _function_targets(c, "arn", graph)
        literals = [x for x in literals if ":function:" in x]
        if functions or literals or (why is not None and not pr.refs_of(c, "arn")):
            out.append(_Partner("async:events", functions, literals, why))
    for v in pr.of_type(graph, "aws_s3_bucket_notification"):
        c = pr.conf_of(v)
        if c.raw.get("lambda_function") in (None, [], [[]], [None]):
            continue
        add("async:s3", c, "lambda_function")
    return out


def _indexed(graph: ResourceGraph) -> list[_Partner]:
    return pr.per_root(graph, "idempotency-partners", lambda: _partners(graph))  # type: ignore[no-any-return]


def _names_match(literal: str, name: str | None) -> bool:
    if not name:
        return False
    return literal == name or literal.endswith(f":function:{name}") or f":function:{name}:" in literal


def delivered_by(graph: ResourceGraph, function: Vertex, name: str | None) -> Any:
    labels: list[str] = []
    doubts: list[Unknown] = []
    for p in _indexed(graph):
        if function.address in p.functions or any(_names_match(x, name) for x in p.literals):
            labels.append(p.label)
        elif p.unknown is not None:
            doubts.append(p.unknown)
        elif name is None and p.literals:
            doubts.append(Unknown("the function's name is known only after apply, so partners naming it cannot be matched"))
    if labels:
        return tuple(sorted(set(labels)))
    return doubts[0] if doubts else ()


@terraform_builder("aws_lambda_function", FunctionIdempotency)
def function_idempotency(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> FunctionIdempotency:
    c = Conf.of("aws_lambda_function", conf)
    tags = _tags(c)
    pairs = tags if isinstance(tags, Unknown) else tuple(sorted(tags.items()))
    env = _plan_environment(c) if c.plan and pr.planned(c) is not None else _hcl_environment(c, graph)
    names = env if isinstance(env, Unknown) else tuple(v.name for v in env or ())
    if graph is None:
        return FunctionIdempotency(c.address, pr.no_graph("what delivers events to the function"), pairs, names)
    me = pr.own_vertex(graph, c)
    return FunctionIdempotency(c.address, delivered_by(graph, me, pr.literal(c.string("function_name"))), pairs, names)
