"""Terraform -> facts for API Gateway beyond its stages' logging and throttling: a REST stage's
client certificate and cache encryption (the aws_api_gateway_method_settings that names the
stage, in any file or module), usage plans, HTTP API routes and integrations, custom domain
names, and the WAFv2 web ACLs associated with stages."""

from __future__ import annotations

import dataclasses
from typing import Any

from prr_policies.facts import ApiDomain, ApiIntegration, ApiRoute, ApiStage, UsagePlan, Unknown, WebAcl
from prr_policies.sources import terraform as tf
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.conf import Conf, terraform_builder, _field
from prr_policies.sources.terraform.graph import ResourceGraph


def _block_field(c: Conf, block: str, key: str) -> Any:
    """``block.key`` of this resource; in a plan, read from Terraform's own ``after``."""
    if c.plan:
        try:
            return pr.in_plan(c, block, key)
        except LookupError:
            return Unknown("the plan file could not be read")
    return pr.known(_field(pr.block(c, block), key, False))


def _number(value: Any, integer: bool = False) -> Any:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return Unknown(f"{value!r} is not a number")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if integer else float(value)
    return value


def _method_settings(c: Conf, graph: ResourceGraph | None) -> tuple[Any, Any]:
    """(caching enabled, cache data encrypted) from the ``*/*`` method settings of this stage."""
    if graph is None:
        why = pr.no_graph("aws_api_gateway_method_settings")
        return why, why
    me = pr.vertex(graph, c)
    stage_name = pr.literal(c.string("stage_name"))
    for v in pr.of_type(graph, "aws_api_gateway_method_settings"):
        s = pr.conf_of(v)
        points = me is not None and any((t := pr.resolve(graph, a)) is not None and t.address == me.address for a, _ in pr.refs_of(s, "stage_name"))
        if not points and not (stage_name and s.string("stage_name") == stage_name and not pr.refs_of(s, "stage_name")):
            continue
        if s.string("method_path") != "*/*":
            continue
        return _block_field(s, "settings", "caching_enabled"), _block_field(s, "settings", "cache_data_encrypted")
    return None, None


@terraform_builder("aws_api_gateway_stage", ApiStage)
def api_stage(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> ApiStage:
    c = Conf.of("aws_api_gateway_stage", conf)
    base = tf.api_stage.__wrapped__(conf, graph, settings)
    cluster = pr.attr(c, "cache_cluster_enabled", "boolean")
    caching, encrypted = _method_settings(c, graph)
    enabled: Any = cluster if cluster in (None, False) or isinstance(cluster, Unknown) else (caching if caching is not None else True)
    certificate = pr.attr(c, "client_certificate_id", "string")
    if isinstance(certificate, Unknown) and pr.refs_of(c, "client_certificate_id") or \
            isinstance(certificate, str) and pr.references(certificate):
        certificate = "(a client certificate of this configuration)"
    elif isinstance(certificate, str) and "${" in certificate:
        certificate = Unknown(f"client_certificate_id is {certificate}, known only after apply")
    return dataclasses.replace(base, client_certificate_id=certificate, cache_enabled=enabled, cache_data_encrypted=encrypted)


@terraform_builder("aws_api_gateway_usage_plan", UsagePlan)
def usage_plan(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> UsagePlan:
    c = Conf.of("aws_api_gateway_usage_plan", conf)
    return UsagePlan(c.address, _number(_block_field(c, "throttle_settings", "rate_limit")),
                     _number(_block_field(c, "throttle_settings", "burst_limit"), True),
                     _number(_block_field(c, "quota_settings", "limit"), True), _block_field(c, "quota_settings", "period"))


@terraform_builder("aws_apigatewayv2_route", ApiRoute)
def api_route(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> ApiRoute:
    c = Conf.of("aws_apigatewayv2_route", conf)
    return ApiRoute(c.address, pr.known(c.string("route_key")), pr.known(pr.attr(c, "authorization_type", "string")))


@terraform_builder("aws_apigatewayv2_integration", ApiIntegration)
def api_integration(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> ApiIntegration:
    c = Conf.of("aws_apigatewayv2_integration", conf)
    name = _block_field(c, "tls_config", "server_name_to_verify")
    return ApiIntegration(c.address, pr.known(pr.attr(c, "connection_type", "string")), name)


@terraform_builder(("aws_api_gateway_domain_name", "aws_apigatewayv2_domain_name"), ApiDomain)
def api_domain(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> ApiDomain:
    address = conf.get("__address__") if isinstance(conf.get("__address__"), str) else ""
    if ".aws_apigatewayv2_domain_name." in f".{address}":
        c = Conf.of("aws_apigatewayv2_domain_name", conf)
        return ApiDomain(c.address, "V2", _block_field(c, "domain_name_configuration", "security_policy"))
    c = Conf.of("aws_api_gateway_domain_name", conf)
    return ApiDomain(c.address, "REST", pr.known(pr.attr(c, "security_policy", "string")))


def _blocks(value: Any, key: str) -> list[dict]:
    """The instances of nested block ``key`` in a block dict (checkov wraps them in lists)."""
    found = value.get(key) if isinstance(value, dict) else None
    out: list[dict] = []
    stack = [found]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            out.append(x)
        elif isinstance(x, list):
            stack.extend(reversed(x))
    return out


def _first_str(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


@terraform_builder("aws_wafv2_web_acl", WebAcl)
def web_acl(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> WebAcl:
    c = Conf.of("aws_wafv2_web_acl", conf)
    rules = _blocks(c.raw, "rule")
    if c.plan and pr.planned(c) is not None:
        rules = _blocks(pr.planned(c)[0], "rule")  # type: ignore[index]
    rate = False
    groups: list[str] = []
    for r in rules:
        for st in _blocks(r, "statement"):
            if _blocks(st, "rate_based_statement"):
                rate = True
            for g in _blocks(st, "managed_rule_group_statement"):
                name = _first_str(g.get("name"))
                if isinstance(name, str):
                    groups.append(name)
    return WebAcl(c.address, rate, tuple(groups), _protects_stage(c, graph))


def _protects_stage(c: Conf, graph: ResourceGraph | None) -> Any:
    if graph is None:
        return pr.no_graph("aws_wafv2_web_acl_association")
    me = pr.own_vertex(graph, c)
    for v in pr.of_type(graph, "aws_wafv2_web_acl_association"):
        a = pr.conf_of(v)
        if not any((t := pr.resolve(graph, x)) is not None and t.address == me.address for x, _ in pr.refs_of(a, "web_acl_arn")):
            continue
        targets = [pr.resolve(graph, x) for x, _ in pr.refs_of(a, "resource_arn")]
        if any(t is not None and t.resource_type == "aws_api_gateway_stage" for t in targets):
            return True
        arn = a.string("resource_arn")
        if isinstance(arn, str) and "${" in arn and not targets:
            return Unknown(f"the associated resource {arn} is known only after apply")
        if isinstance(arn, str) and "/restapis/" in arn:
            return True
        if isinstance(arn, Unknown) and not targets:
            return arn
    return False
