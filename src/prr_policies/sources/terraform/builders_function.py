"""Terraform -> LambdaFunction, the issue-13 fields: environment (for literal secrets and
Powertools), architectures, layers, logging_config and the Availability Zones of the subnets.

The fields of the earlier controls come from :func:`prr_policies.sources.terraform.lambda_function`
unchanged; this module adds the rest on top (:func:`lambda_function` is the kind registry's
builder). HCL and plan JSON give the same facts: in a plan, what the configuration leaves unset
is read as unset (see :mod:`.plan_reading`), and the environment is read from the plan's own
``after``/``after_unknown``/``after_sensitive`` because checkov folds a map with one unknown value
into a reference.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from prr_policies.facts import EnvironmentVariable, LambdaFunction, Unknown
from prr_policies.sources import terraform as tf
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.conf import Conf, terraform_builder, _field, _string_list
from prr_policies.sources.terraform.graph import ResourceGraph

# Attributes whose value is a secret: copying them into an environment variable puts the
# plaintext into the function's configuration.
SECRET_ATTRIBUTES = {
    "aws_secretsmanager_secret_version": {"secret_string", "secret_binary"},
    "data.aws_secretsmanager_secret_version": {"secret_string", "secret_binary"},
    "aws_ssm_parameter": {"value", "insecure_value"},
    "data.aws_ssm_parameter": {"value", "insecure_value"},
    "aws_iam_access_key": {"secret", "ses_smtp_password_v4"},
    "aws_db_instance": {"password"},
    "aws_rds_cluster": {"master_password"},
}


def _origin_of_reference(value: str, within: str) -> str:
    for address, attribute in pr.references(value, within):
        rtype = address[len(within):].rsplit(".", 1)[0] if address.startswith(within) else address.rsplit(".", 1)[0]
        if attribute in SECRET_ATTRIBUTES.get(rtype, ()):
            return "secret_value"
    return "reference"


def _secret_values(c: Conf, graph: ResourceGraph | None) -> set[str]:
    """Literal secret values of the resources the function refers to: checkov renders a reference
    to a literal attribute as the literal itself, so a copied secret arrives as its plaintext."""
    me = pr.vertex(graph, c)
    if graph is None or me is None:
        return set()
    out = set()
    for rtype, attributes in SECRET_ATTRIBUTES.items():
        for v in graph.referenced(me, rtype):
            for attribute in attributes:
                value = pr.literal(pr.conf_of(v).string(attribute) if attribute in v.conf else None)
                if value:
                    out.add(value)
    return out


def _hcl_environment(c: Conf, graph: ResourceGraph | None) -> Any:
    env = pr.block(c, "environment")
    if env is None or isinstance(env, Unknown):
        return env
    variables = env.get("variables")
    while isinstance(variables, list) and len(variables) == 1:
        variables = variables[0]
    if variables in (None, [], {}):
        return ()
    if isinstance(variables, Unknown):
        return variables
    if isinstance(variables, str):
        return Unknown(f"environment.variables is {variables}, known only after apply")
    if not isinstance(variables, dict):
        return Unknown("environment.variables is not a map")
    within = pr.module_of(c.address)
    secrets = _secret_values(c, graph)
    out = []
    for name, value in variables.items():
        while isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, str) and value in secrets:
            out.append(EnvironmentVariable(str(name), value, "secret_value"))
        elif isinstance(value, Unknown):
            out.append(EnvironmentVariable(str(name), value))
        elif isinstance(value, str) and pr.references(value):
            out.append(EnvironmentVariable(str(name), value, _origin_of_reference(value, within)))
        elif isinstance(value, (str, int, float, bool)):
            out.append(EnvironmentVariable(str(name), str(value).lower() if isinstance(value, bool) else str(value)))
        else:
            out.append(EnvironmentVariable(str(name), Unknown(f"{name} is not a single value")))
    return tuple(out)


def _plan_environment(c: Conf) -> Any:
    after, unknown, sensitive = pr.planned(c) or ({}, {}, {})
    values = pr._step(after.get("environment"), "variables")
    unknowns = pr._step(unknown.get("environment"), "variables")
    secrets = pr._step(sensitive.get("environment"), "variables")
    if unknowns is True:
        # Terraform leaves the whole map unknown when one value is: its literals are not in the plan either.
        return Unknown("environment.variables holds a value known only after apply, which leaves the whole map unknown in a plan")
    if values is None and not unknowns:
        return ()
    out = []
    for name, value in (values or {}).items():
        if secrets is True or isinstance(secrets, dict) and secrets.get(name) is True:
            out.append(EnvironmentVariable(name, value, "secret_value"))  # Terraform marks it sensitive
        else:
            out.append(EnvironmentVariable(name, value if isinstance(value, str) else str(value)))
    for name, flag in (unknowns or {}).items():
        if flag is True and name not in (values or {}):
            # Only a value computed from another resource is unknown at plan time: not a literal.
            out.append(EnvironmentVariable(name, Unknown(f"{name} is known only after apply"), "reference"))
    return tuple(out)


def _logging(c: Conf, key: str) -> Any:
    if c.plan:
        try:
            return pr.in_plan(c, "logging_config", key)
        except LookupError:
            return Unknown("the plan file could not be read")
    return pr.known(_field(pr.block(c, "logging_config"), key, False))


def _layers(c: Conf, graph: ResourceGraph | None) -> Any:
    """Layer ARNs; a layer defined in this configuration (aws_lambda_layer_version) is named
    ``layer:<layer_name>``, since its ARN is known only after apply."""
    within = pr.module_of(c.address)
    planned = pr.planned(c) if c.plan else None
    literals: list[str] = []
    refs: list[str] = []  # addresses of layer versions in the configuration
    if planned is not None:
        after, unknown, _ = planned
        literals = [x for x in after.get("layers") or [] if isinstance(x, str)]
        flags = unknown.get("layers")
        if flags is True or isinstance(flags, list) and True in flags:  # a layer created in the same apply
            refs = [a for a, attribute in pr.references(pr.expression(c, "layers"), within) if attribute == "arn"]
            if not refs:
                return Unknown("layers are known only after apply")
    else:
        raw = pr.attr(c, "layers", "strings")
        if raw is None or isinstance(raw, Unknown):
            return raw
        for entry in raw:
            found = pr.references(entry, within)
            (refs.append(found[0][0]) if found else literals.append(entry))
    by_address = {v.address: v for v in pr.of_type(graph, "aws_lambda_layer_version")}
    out = list(literals)
    for address in refs:
        vertex = by_address.get(address)
        name = pr.literal(pr.attr(pr.conf_of(vertex), "layer_name", "string")) if vertex else None
        if name is None:
            return Unknown(f"the layer {address} is known only after apply")
        out.append(f"layer:{name}")
    return tuple(out) or None


def _zones(c: Conf, graph: ResourceGraph | None) -> Any:
    vpc = pr.block(c, "vpc_config")
    if vpc is None or isinstance(vpc, Unknown):
        return vpc
    if graph is None:
        return pr.no_graph("the function's subnets")
    refs = [a for a, _ in pr.refs_of(c, "vpc_config") if a.rsplit(".", 1)[0].endswith("aws_subnet")]
    subnets = _string_list(vpc.get("subnet_ids"))
    if not refs:
        if subnets is None:
            return None
        if isinstance(subnets, Unknown):
            return subnets
        return Unknown(f"the subnets {', '.join(subnets)} are not defined in the scanned configuration")
    by_address = {v.address: v for v in pr.of_type(graph, "aws_subnet")}
    zones: list[str] = []
    for address in refs:
        vertex = by_address.get(address)
        if vertex is None:
            return Unknown(f"{address} is not in the scanned configuration")
        zone = pr.attr(pr.conf_of(vertex), "availability_zone", "string")
        if zone is None or isinstance(zone, Unknown):
            return Unknown(f"the Availability Zone of {address} is known only after apply")
        if zone not in zones:
            zones.append(zone)
    return tuple(zones)


@terraform_builder("aws_lambda_function", LambdaFunction)
def lambda_function(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> LambdaFunction:
    base = tf.lambda_function.__wrapped__(conf, graph, settings)
    c = Conf.of("aws_lambda_function", conf)
    return dataclasses.replace(
        base,
        environment=_plan_environment(c) if c.plan and pr.planned(c) is not None else _hcl_environment(c, graph),
        architectures=pr.known(pr.attr(c, "architectures", "strings")),
        layers=_layers(c, graph),
        log_format=_logging(c, "log_format"),
        application_log_level=_logging(c, "application_log_level"),
        system_log_level=_logging(c, "system_log_level"),
        log_group=_logging(c, "log_group"),
        vpc_availability_zones=_zones(c, graph),
    )
