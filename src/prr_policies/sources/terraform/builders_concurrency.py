"""Terraform -> ProvisionedConcurrency: one ``aws_lambda_provisioned_concurrency_config``, where it
sits (an alias, a version or $LATEST) and the reservation it must fit in.

The function is found through the graph as the idempotency builder finds it (by reference, across
files and module calls, or by a literal name or ARN matched against the functions of the
configuration); its ``reserved_concurrent_executions`` (-1, the provider's default: none) is read
from there. Lambda counts every config of a function against its reservation, so the configs of a
scan are indexed once per graph and summed by function. A function or amount that cannot be
known leaves the total Unknown, never a smaller sum.
"""

from __future__ import annotations

from typing import Any

from prr_policies.facts import ProvisionedConcurrency, Unknown
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.builders_idempotency import _function_targets, _names_match
from prr_policies.sources.terraform.conf import Conf, terraform_builder
from prr_policies.sources.terraform.graph import ResourceGraph, Vertex

_TYPE = "aws_lambda_provisioned_concurrency_config"


def _function_of(c: Conf, graph: ResourceGraph) -> tuple[Vertex | None, str | None, Unknown | None]:
    """(the function's vertex, the name written literally, why it cannot be determined): a reference
    to the function (or to one of its aliases) looked up in this resource's root module, else the
    literal name matched against the functions of the configuration, as the idempotency builder
    matches its partners."""
    for address, _ in pr.refs_of(c, "function_name"):
        v = pr.resolve(graph, address, c.root)
        if v is not None and v.resource_type == "aws_lambda_alias":
            alias = pr.conf_of(v)
            v = next((t for t in (pr.resolve(graph, a, v.root) for a, _ in pr.refs_of(alias, "function_name")) if t is not None), None) \
                or _by_name(graph, pr.literal(alias.string("function_name")))
        if v is not None and v.resource_type == "aws_lambda_function":
            return v, None, None
    _, literals, why = _function_targets(c, "function_name", graph)
    if literals:
        return _by_name(graph, literals[0]), literals[0], None
    if why is None:
        why = Unknown(f"{c.address}'s function_name does not refer to a function of this configuration")
    return None, None, why


def _by_name(graph: ResourceGraph, name: str | None) -> Vertex | None:
    if not name:
        return None
    return next((v for v in pr.of_type(graph, "aws_lambda_function")
                 if _names_match(name, pr.literal(pr.conf_of(v).string("function_name")))), None)


def _key(function: Vertex | None, name: str | None) -> str | None:
    if function is not None:
        return function.address
    return f"name:{name.rsplit(':function:', 1)[-1]}" if name else None


_INDEX: dict[int, tuple[ResourceGraph, dict[str, Any]]] = {}


def _totals(graph: ResourceGraph) -> dict[str, Any]:
    """The provisioned amount of every function of the graph, summed over its configs (Unknown when
    one of them cannot be read); under the key ``None``, why some config's function is unknown."""
    cached = _INDEX.get(id(graph))
    if cached is not None and cached[0] is graph:
        return cached[1]
    totals: dict[Any, Any] = {}
    for v in pr.of_type(graph, _TYPE):
        c = pr.conf_of(v)
        function, name, why = _function_of(c, graph)
        key = _key(function, name)
        if key is None:
            totals.setdefault(None, why)
            continue
        for inst in c.instances():
            if inst.exists is False:
                continue
            amount = inst.integer("provisioned_concurrent_executions") if inst.exists is True else inst.exists
            if not isinstance(amount, int):
                amount = amount if isinstance(amount, Unknown) else Unknown(f"{inst.address} sets no provisioned amount")
            held = totals.get(key, 0)
            totals[key] = held if isinstance(held, Unknown) else (amount if isinstance(amount, Unknown) else held + amount)
    _INDEX.clear()
    _INDEX[id(graph)] = (graph, totals)
    return totals


def _qualifier(c: Conf, graph: ResourceGraph | None) -> tuple[Any, Any]:
    """(the qualifier as written, its kind: alias | version | latest). A reference says the kind
    even when the value is known only after apply (a function's ``version``, an alias's ``name``)."""
    for address, attribute in pr.refs_of(c, "qualifier"):
        v = pr.resolve(graph, address, c.root)
        if v is None:
            continue
        if v.resource_type == "aws_lambda_alias":
            if attribute == "function_version":
                return f"{v.address}.function_version", "version"
            return pr.literal(pr.conf_of(v).string("name")) or v.address, "alias"
        if v.resource_type == "aws_lambda_function" and attribute == "version":
            return f"{v.address}.version", "version"
    value = c.string("qualifier")
    if value is None:
        value = Unknown("the qualifier is not set")
    if isinstance(value, Unknown):
        return value, value
    if value == "$LATEST":
        return value, "latest"
    # Lambda's qualifiers: a version is a number, an alias name never is.
    return value, "version" if value.isdigit() else "alias"


@terraform_builder(_TYPE, ProvisionedConcurrency)
def provisioned_concurrency(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> ProvisionedConcurrency:
    c = Conf.of(_TYPE, conf)
    qualifier, kind = _qualifier(c, graph)
    amount = c.integer("provisioned_concurrent_executions")
    if graph is None:
        why = pr.no_graph("the function and its reserved concurrency")
        return ProvisionedConcurrency(c.address, why, qualifier, kind, amount, why, why)
    function, name, why = _function_of(c, graph)
    if function is None:
        missing = why if why is not None else Unknown(f"the function {name} is not in the scanned configuration")
        return ProvisionedConcurrency(c.address, name or missing, qualifier, kind, amount, missing, missing)
    fc = Conf.of_vertex(function, graph)
    reserved = fc.integer("reserved_concurrent_executions")
    if isinstance(reserved, int) and reserved < 0:
        reserved = None  # -1: the provider's "no reservation"
    totals = _totals(graph)
    total = totals.get(_key(function, name), amount)
    if isinstance(amount, Unknown):
        total = amount
    elif totals.get(None) is not None:  # a config whose function is unknown may be this function's too
        total = Unknown(f"another provisioned concurrency config may provision this function ({totals[None].reason})")
    return ProvisionedConcurrency(c.address, function.address, qualifier, kind, amount, total, reserved)
