"""Terraform (through checkov) -> facts, for HCL and plan JSON alike.

Quirks of checkov's resource conf that this module absorbs (see ../shared/TRAPS.md):
- scalars arrive wrapped once (``{'timeout': [30]}``), list attributes twice (``[['a', 'b']]``),
  nested blocks as lists of dicts;
- plan JSON carries every schema attribute, unset ones as ``[None]``, empty blocks as ``[[]]``,
  and checkov adds ``__file__``/``start_line``-style keys inside nested blocks;
- in a plan, an attribute missing from ``values`` is known only after apply; checkov puts a
  reference string there when the expression references another resource;
- unresolved variables stay as ``'var.x'``, partly rendered strings keep ``${var.x}``;
- ``dynamic`` blocks are injected even when ``for_each`` is empty.

No checkov import: the graph is read through the small rustworkx API checkov hands to checks.
"""

from __future__ import annotations

import json

import re
from dataclasses import dataclass, field
from typing import Any

from prr_policies.facts import ExecutionRoleFacts, FunctionUrl, LambdaFunction, LambdaPermission, Unknown

# Attribute values the AWS provider fills in when the configuration leaves them out. A plan
# shows these values; applying them to HCL keeps both paths' verdicts identical.
PROVIDER_DEFAULTS: dict[str, dict[str, Any]] = {
    "aws_lambda_function": {
        "package_type": "Zip",
        "timeout": 3,
        "memory_size": 128,
        "reserved_concurrent_executions": -1,
    },
    "aws_lambda_function_url": {},
    "aws_lambda_permission": {},
    "aws_kms_key": {"enable_key_rotation": False, "is_enabled": True, "customer_master_key_spec": "SYMMETRIC_DEFAULT"},
    "aws_api_gateway_stage": {"xray_tracing_enabled": False},
    "aws_codedeploy_deployment_group": {"deployment_config_name": "CodeDeployDefault.OneAtATime"},
}

_META_KEYS = frozenset({
    "__file__", "__startline__", "__endline__", "start_line", "end_line",
    "__start_line__", "__end_line__", "__address__", "references_",
    "__change_actions__", "__change_keys__",
})
_UNRESOLVED = re.compile(r"(^|\$\{|[^\w.])(var|local|module)\.[A-Za-z_]")
_REFERENCE = re.compile(r"^(data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*(\[[^\]]*\])?(\.[\w\[\]\"*-]+)*$")
_AFTER_APPLY = "true_after_unknown"  # checkov's marker with EVAL_TF_PLAN_AFTER_UNKNOWN


def is_plan_conf(conf: dict[str, Any]) -> bool:
    """Plan-JSON confs carry checkov's ``start_line``/``__startline__`` keys, HCL ``__start_line__``."""
    return "__startline__" in conf or "start_line" in conf


def _classify_string(value: str) -> str | Unknown:
    if value == _AFTER_APPLY:
        return Unknown("the value is known only after apply")
    if _UNRESOLVED.search(value):
        return Unknown(f"it depends on an unresolved expression ({value})")
    return value


def _clean(value: Any) -> Any:
    """Strip checkov's bookkeeping keys and classify strings, recursively."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in _META_KEYS}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return _classify_string(value)
    return value


@dataclass(frozen=True)
class Conf:
    """One resource's checkov conf, with the mode-aware readers rules need."""

    resource_type: str
    raw: dict[str, Any]
    plan: bool = field(default=False)

    @classmethod
    def of(cls, resource_type: str, conf: dict[str, Any]) -> "Conf":
        return cls(resource_type, conf if isinstance(conf, dict) else {}, is_plan_conf(conf) if isinstance(conf, dict) else False)

    @property
    def address(self) -> str:
        addr = self.raw.get("__address__")
        return addr if isinstance(addr, str) else f"{self.resource_type}.<unnamed>"

    def _missing(self, key: str) -> Any:
        if self.plan:
            return Unknown(f"{key} is known only after apply")
        return PROVIDER_DEFAULTS.get(self.resource_type, {}).get(key)

    def scalar(self, key: str) -> Any:
        """A scalar attribute: None when unset, Unknown when unresolved."""
        if key not in self.raw:
            return self._missing(key)
        value = self.raw[key]
        if isinstance(value, list):
            if not value:
                return None
            value = value[0]
        if isinstance(value, list) and not value:
            return None
        if isinstance(value, (dict, list)):
            return Unknown(f"{key} is not a single value")
        if value is None:
            return PROVIDER_DEFAULTS.get(self.resource_type, {}).get(key) if not self.plan else None
        return _clean(value)

    def string(self, key: str) -> str | None | Unknown:
        value = self.scalar(key)
        if value is None or isinstance(value, (str, Unknown)):
            return value
        if isinstance(value, bool):
            return str(value).lower()
        return str(value)

    def integer(self, key: str) -> int | None | Unknown:
        value = self.scalar(key)
        if value is None or isinstance(value, Unknown):
            return value
        if isinstance(value, bool):
            return Unknown(f"{key} is a boolean, not a number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                if _REFERENCE.match(value):
                    return Unknown(f"{key} references {value}, known only after apply")
                return Unknown(f"{key} is not a number ({value!r})")
        return Unknown(f"{key} is not a number ({value!r})")

    def block(self, key: str) -> dict[str, Any] | None | Unknown:
        """The first instance of a nested block, honouring ``dynamic`` blocks."""
        dyn = self._dynamic_for_each(key)
        if isinstance(dyn, Unknown):
            return dyn
        if dyn is False:
            return None
        if key not in self.raw:
            return Unknown(f"the {key} block is known only after apply") if self.plan else None
        value = self.raw[key]
        while isinstance(value, list) and value:
            value = value[0]
        if not isinstance(value, dict):
            return None
        cleaned = _clean(value)
        return cleaned

    def _dynamic_for_each(self, key: str) -> bool | None | Unknown:
        """False when a ``dynamic "key"`` block exists with an empty ``for_each``."""
        dynamics = self.raw.get("dynamic")
        if not isinstance(dynamics, list):
            return None
        for entry in dynamics:
            if not isinstance(entry, dict) or key not in entry:
                continue
            spec = entry[key]
            if not isinstance(spec, dict):
                return Unknown(f"the dynamic {key} block cannot be read")
            if "for_each" not in spec:
                return True  # checkov rendered the dynamic block into its content
            for_each = spec["for_each"]
            while isinstance(for_each, list) and len(for_each) == 1 and isinstance(for_each[0], (list, dict)):
                for_each = for_each[0]
            if isinstance(for_each, str):
                cls = _classify_string(for_each)
                if isinstance(cls, Unknown):
                    return Unknown(f"the for_each of the dynamic {key} block is unresolved ({for_each})")
                return True
            return for_each not in ([], {}, None)
        return None


def _field(block: Any, key: str, plan: bool = False) -> Any:
    """A scalar field inside a cleaned block (values there are wrapped once too).

    In a plan every schema attribute of a present block is listed, so a missing one is known
    only after apply; in HCL a missing one is unset.
    """
    if isinstance(block, Unknown):
        return block
    if not isinstance(block, dict):
        return None
    if key not in block:
        return Unknown(f"{key} is known only after apply") if plan else None
    value = block[key]
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, list) and not value:
        return None
    return value


def _list_field(block: Any, key: str, plan: bool) -> tuple[str, ...] | None | Unknown:
    """A list attribute inside a block: ``[['a', 'b']]`` in HCL and plans, ``['a', 'b']`` when
    checkov rendered a dynamic block."""
    if isinstance(block, Unknown) or not isinstance(block, dict):
        return block if isinstance(block, Unknown) else None
    if key not in block:
        return Unknown(f"{key} is known only after apply") if plan else None
    return _string_list(block[key])


def _string_list(value: Any) -> tuple[str, ...] | None | Unknown:
    if isinstance(value, Unknown):
        return value
    while isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        value = value[0]
    if value is None or value == []:
        return None
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list):
        return Unknown(f"expected a list, got {value!r}")
    for v in value:
        if isinstance(v, Unknown):
            return v
    return tuple(str(v) for v in value if v is not None) or None


# ---------------------------------------------------------------------------------------------
# The resource graph (checkov hands checks a rustworkx PyDiGraph of block attribute dicts).


@dataclass
class Vertex:
    address: str
    resource_type: str
    conf: dict[str, Any]


@dataclass
class ResourceGraph:
    """Resources by address and the references between them (source -> referenced target)."""

    vertices: dict[str, Vertex] = field(default_factory=dict)
    out_edges: dict[str, set[str]] = field(default_factory=dict)
    in_edges: dict[str, set[str]] = field(default_factory=dict)

    def add(self, vertex: Vertex) -> None:
        self.vertices[vertex.address] = vertex

    def link(self, source: str, target: str) -> None:
        self.out_edges.setdefault(source, set()).add(target)
        self.in_edges.setdefault(target, set()).add(source)

    def referrers(self, address: str, resource_type: str) -> list[Vertex]:
        return sorted((self.vertices[a] for a in self.in_edges.get(address, ()) if self.vertices[a].resource_type == resource_type), key=lambda v: v.address)

    def referenced(self, address: str, resource_type: str) -> list[Vertex]:
        return sorted((self.vertices[a] for a in self.out_edges.get(address, ()) if self.vertices[a].resource_type == resource_type), key=lambda v: v.address)

    def of_type(self, resource_type: str) -> list[Vertex]:
        return sorted((v for v in self.vertices.values() if v.resource_type == resource_type), key=lambda v: v.address)

    @classmethod
    def from_checkov(cls, graph: Any) -> "ResourceGraph":
        out = cls()
        index_to_address: dict[int, str] = {}
        for idx in graph.node_indices():
            node = graph[idx]
            attrs = node[1] if isinstance(node, tuple) else getattr(node, "attributes", None)
            if not isinstance(attrs, dict) or attrs.get("block_type_") not in ("resource", "data"):
                continue
            address, rtype, config = attrs.get("__address__"), attrs.get("resource_type"), attrs.get("config_")
            if not isinstance(address, str) or not isinstance(rtype, str):
                continue
            if attrs.get("block_type_") == "data" and not address.startswith("data."):
                address = f"data.{address}"  # checkov names data blocks without their prefix
            conf: dict[str, Any] = {}
            if isinstance(config, dict):
                by_name = config.get(rtype.removeprefix("data."))
                if isinstance(by_name, dict) and by_name:
                    inner = next(iter(by_name.values()))
                    conf = inner if isinstance(inner, dict) else {}
            out.add(Vertex(address, rtype, conf))
            index_to_address[idx] = address
        for src, dst in graph.edge_list():
            if src in index_to_address and dst in index_to_address:
                out.link(index_to_address[src], index_to_address[dst])
        return out


def _relative_resource(ref: str) -> str | None:
    """``aws_iam_role.r.arn`` -> ``aws_iam_role.r`` (drops the attribute)."""
    m = re.match(r"^((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?)", ref)
    return m.group(1) if m else None


def _points_to(ref: Any, target: Vertex) -> bool:
    if not isinstance(ref, str):
        return False
    rel = _relative_resource(ref)
    return bool(rel) and (target.address == rel or target.address.endswith("." + rel))


# ---------------------------------------------------------------------------------------------
# Facts builders.


def _on_failure_destination(fn: Conf, graph: ResourceGraph | None) -> str | None | Unknown:
    if graph is None:
        return Unknown("checkov provided no resource graph to find aws_lambda_function_event_invoke_config")
    name = fn.string("function_name")
    configs = graph.referrers(fn.address, "aws_lambda_function_event_invoke_config")
    if isinstance(name, str):
        for v in graph.of_type("aws_lambda_function_event_invoke_config"):
            if v not in configs and Conf.of(v.resource_type, v.conf).string("function_name") in (name,):
                configs.append(v)
    found: str | None | Unknown = None
    for v in configs:
        cfg = Conf.of(v.resource_type, v.conf)
        dest_cfg = cfg.block("destination_config")
        if isinstance(dest_cfg, Unknown):
            found = dest_cfg
            continue
        on_failure = (dest_cfg or {}).get("on_failure")
        while isinstance(on_failure, list) and on_failure:
            on_failure = on_failure[0]
        dest = _field(on_failure, "destination", cfg.plan) if isinstance(on_failure, dict) else None
        if isinstance(dest, str) and dest:
            return dest
        if isinstance(dest, Unknown):
            found = dest
    return found


def _execution_role(fn: Conf, graph: ResourceGraph | None) -> ExecutionRoleFacts | None | Unknown:
    role_ref = fn.string("role")
    if role_ref is None or isinstance(role_ref, Unknown):
        return role_ref
    if graph is None:
        return Unknown("checkov provided no resource graph to find the execution role")
    roles = [r for r in graph.referenced(fn.address, "aws_iam_role") if _points_to(role_ref, r)]
    if not roles:
        return Unknown(f"the role {role_ref} is not defined in the scanned configuration")
    role = roles[0]
    users = [
        f for f in graph.referrers(role.address, "aws_lambda_function")
        if _points_to(Conf.of(f.resource_type, f.conf).string("role"), role)
    ]
    boundary = Conf.of("aws_iam_role", role.conf).string("permissions_boundary")
    return ExecutionRoleFacts(address=role.address, permissions_boundary=boundary, functions_using_role=max(1, len(users)))


def lambda_function(conf: dict[str, Any], graph: ResourceGraph | None = None) -> LambdaFunction:
    c = Conf.of("aws_lambda_function", conf)
    env = c.block("environment")
    variables = _field(env, "variables", c.plan)
    if isinstance(variables, Unknown):
        has_env: bool | Unknown = variables
    elif isinstance(variables, str):
        has_env = True  # the map is a reference to another resource's attribute: it is set
    else:
        has_env = isinstance(variables, dict) and bool(variables)
    tracing = c.block("tracing_config")
    dlq = c.block("dead_letter_config")
    vpc = c.block("vpc_config")
    return LambdaFunction(
        address=c.address,
        package_type=c.string("package_type"),
        runtime=c.string("runtime"),
        tracing_mode=_field(tracing, "mode", c.plan),
        reserved_concurrency=c.integer("reserved_concurrent_executions"),
        timeout=c.integer("timeout"),
        memory_size=c.integer("memory_size"),
        has_environment_variables=has_env,
        kms_key_arn=c.string("kms_key_arn"),
        code_signing_config_arn=c.string("code_signing_config_arn"),
        dead_letter_target_arn=_field(dlq, "target_arn", c.plan),
        on_failure_destination=_on_failure_destination(c, graph),
        vpc_subnet_ids=_list_field(vpc, "subnet_ids", c.plan),
        role=_execution_role(c, graph),
    )


def function_url(conf: dict[str, Any]) -> FunctionUrl:
    c = Conf.of("aws_lambda_function_url", conf)
    return FunctionUrl(address=c.address, authorization_type=c.string("authorization_type"))


def lambda_permission(conf: dict[str, Any]) -> LambdaPermission:
    c = Conf.of("aws_lambda_permission", conf)
    return LambdaPermission(
        address=c.address,
        principal=c.string("principal"),
        action=c.string("action"),
        source_arn=c.string("source_arn"),
        source_account=c.string("source_account"),
        principal_org_id=c.string("principal_org_id"),
    )



# ---- event sources, data stores and release resources (the detective controls' static side) ----

from prr_policies.facts import (  # noqa: E402
    ApiStage, CodeSigningConfig, DeploymentGroup, EventSourceMapping, IamRole, KmsKey, Queue, Secret, Topic,
)
from prr_policies.sources import aws_shapes as _shapes  # noqa: E402


def _boolean(c: Conf, key: str) -> bool | None | Unknown:
    value = c.scalar(key)
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return Unknown(f"{key} is not true or false ({value!r})")


def _document(c: Conf, key: str) -> dict[str, Any] | None | Unknown:
    """A JSON attribute: ``jsonencode({...})`` arrives as a dict in HCL, a string in a plan."""
    if key not in c.raw:
        return c._missing(key)
    value = c.raw[key]
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, dict):
        return _clean(value)
    if isinstance(value, str):
        cls = _classify_string(value)
        if isinstance(cls, Unknown):
            return cls
        if _REFERENCE.match(value):
            return Unknown(f"{key} is {value}, known only after apply")
        try:
            doc = json.loads(value)
        except ValueError:
            return Unknown(f"{key} is not JSON ({value[:60]!r})")
        return _clean(doc) if isinstance(doc, dict) else Unknown(f"{key} is not a JSON object")
    return Unknown(f"{key} cannot be read")


def queue(conf: dict[str, Any], graph: ResourceGraph | None = None, dlq_suffixes: tuple[str, ...] = ("-dlq", "-dead-letter", "-deadletter")) -> Queue:
    c = Conf.of("aws_sqs_queue", conf)
    redrive = _document(c, "redrive_policy")
    target: Any
    count: Any
    if isinstance(redrive, Unknown) or redrive is None:
        target = count = redrive
    else:
        target = redrive.get("deadLetterTargetArn")  # a reference to the DLQ's ARN counts as set, as elsewhere
        count = redrive.get("maxReceiveCount")
        if isinstance(count, str) and count.isdigit():
            count = int(count)
    allow = _document(c, "redrive_allow_policy") if "redrive_allow_policy" in c.raw else None
    name = c.string("name")
    is_dlq: Any = bool(allow) if not isinstance(allow, Unknown) else allow
    if isinstance(name, str) and name.endswith(dlq_suffixes):
        is_dlq = True
    return Queue(address=c.address, kms_master_key_id=c.string("kms_master_key_id"), sqs_managed_sse=_boolean(c, "sqs_managed_sse_enabled"),
                 redrive_target_arn=target, max_receive_count=count, is_dead_letter_queue=is_dlq,
                 visibility_timeout=c.integer("visibility_timeout_seconds"))


def topic(conf: dict[str, Any], graph: ResourceGraph | None = None) -> Topic:
    c = Conf.of("aws_sns_topic", conf)
    return Topic(address=c.address, kms_master_key_id=c.string("kms_master_key_id"))


def secret(conf: dict[str, Any], graph: ResourceGraph | None = None) -> Secret:
    c = Conf.of("aws_secretsmanager_secret", conf)
    rotation = Unknown("rotation is configured by a separate aws_secretsmanager_secret_rotation")
    return Secret(address=c.address, kms_key_id=c.string("kms_key_id"), rotation_enabled=rotation, rotation_days=rotation)


def kms_key(conf: dict[str, Any], graph: ResourceGraph | None = None) -> KmsKey:
    c = Conf.of("aws_kms_key", conf)
    spec = c.string("key_spec") if c.raw.get("key_spec") not in (None, [None], []) else c.string("customer_master_key_spec")
    enabled = _boolean(c, "is_enabled")
    state: Any = enabled if isinstance(enabled, Unknown) else ("Enabled" if enabled is not False else "Disabled")
    return KmsKey(address=c.address, key_manager="CUSTOMER", key_spec=spec, key_state=state, origin="AWS_KMS",
                  rotation_enabled=_boolean(c, "enable_key_rotation"))


def code_signing_config(conf: dict[str, Any], graph: ResourceGraph | None = None) -> CodeSigningConfig:
    c = Conf.of("aws_lambda_code_signing_config", conf)
    policies = c.block("policies")
    policy = _field(policies, "untrusted_artifact_on_deployment", c.plan) if policies is not None else "Warn"
    publishers = c.block("allowed_publishers")
    arns = _list_field(publishers, "signing_profile_version_arns", c.plan)
    return CodeSigningConfig(address=c.address, untrusted_artifact_on_deployment=policy, signing_profile_version_arns=arns)


def deployment_group(conf: dict[str, Any], graph: ResourceGraph | None = None) -> DeploymentGroup:
    c = Conf.of("aws_codedeploy_deployment_group", conf)
    name = c.string("deployment_config_name")
    platform: Any
    if isinstance(name, str) and name.startswith("CodeDeployDefault.Lambda"):
        platform = "Lambda"
    elif isinstance(name, str) and name.startswith("CodeDeployDefault."):
        platform = "ECS" if name.startswith("CodeDeployDefault.ECS") else "Server"
    else:
        apps = graph.referenced(c.address, "aws_codedeploy_app") if graph else []
        platform = Conf.of("aws_codedeploy_app", apps[0].conf).string("compute_platform") if apps else \
            Unknown("the application's compute platform is not in this module")
    alarms = c.block("alarm_configuration")
    rollback = c.block("auto_rollback_configuration")
    alarm_names = _list_field(alarms, "alarms", c.plan) if alarms is not None else ()
    events = _list_field(rollback, "events", c.plan) if rollback is not None else ()
    return DeploymentGroup(
        address=c.address, compute_platform=platform, deployment_config_name=name,
        deployment_config_type=_shapes.deployment_config_type(name) if isinstance(name, str) else name,
        alarms_enabled=_field(alarms, "enabled", c.plan) if alarms is not None else False,
        alarm_names=() if alarm_names is None else alarm_names, auto_rollback_enabled=_field(rollback, "enabled", c.plan) if rollback is not None else False,
        auto_rollback_events=() if events is None else events)


def _policy_document_services(vertex: Vertex) -> tuple[str, ...]:
    """Service principals an ``aws_iam_policy_document`` data block lets assume the role."""
    out: list[str] = []
    for st in vertex.conf.get("statement") or []:
        if not isinstance(st, dict):
            continue
        effect = _first(st.get("effect")) or "Allow"
        actions = _string_list(st.get("actions")) or ()
        if effect != "Allow" or isinstance(actions, Unknown) or not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        for p in st.get("principals") or []:
            if isinstance(p, dict) and _first(p.get("type")) == "Service":
                ids = _string_list(p.get("identifiers")) or ()
                out += [i for i in ([] if isinstance(ids, Unknown) else ids) if i not in out]
    return tuple(out)


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


def iam_role(conf: dict[str, Any], graph: ResourceGraph | None = None) -> IamRole:
    c = Conf.of("aws_iam_role", conf)
    raw = _first(c.raw.get("assume_role_policy"))
    doc = _document(c, "assume_role_policy")
    trust: Any
    if isinstance(raw, str) and raw.startswith("data.aws_iam_policy_document.") and graph is not None:
        name = ".".join(raw.split(".")[:3])
        found = [v for v in graph.referenced(c.address, "data.aws_iam_policy_document") if v.address == name]
        trust = _policy_document_services(found[0]) if found else Unknown(f"{name} is not in this module")
    elif isinstance(doc, Unknown) or doc is None:
        trust = doc if isinstance(doc, Unknown) else ()
    else:
        trust = _shapes.trust_services(doc, c.address, "assume_role_policy")
    return IamRole(address=c.address, trusted_services=trust, permissions_boundary=c.string("permissions_boundary"))


_SOURCE_TYPES = {"aws_sqs_queue": "sqs", "aws_kinesis_stream": "kinesis", "aws_dynamodb_table": "dynamodb",
                 "aws_msk_cluster": "kafka", "aws_mq_broker": "mq", "aws_docdb_cluster": "docdb"}


def event_source_mapping(conf: dict[str, Any], graph: ResourceGraph | None = None) -> EventSourceMapping:
    c = Conf.of("aws_lambda_event_source_mapping", conf)
    source = c.string("event_source_arn")
    kind: Any
    if isinstance(source, Unknown):
        kind = source
    elif not source:
        kind = "kafka" if "self_managed_event_source" in c.raw else None
    elif source.startswith("arn:"):
        service = source.split(":")[2] if source.count(":") >= 5 else ""
        kind = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "kafka": "kafka", "mq": "mq", "rds": "docdb"}.get(service, service)
    else:
        rel = _relative_resource(source) or ""
        kind = _SOURCE_TYPES.get(rel.split(".")[0].removeprefix("data."), Unknown(f"event_source_arn is {source}"))
    dest = c.block("destination_config")
    on_failure = _field(dest, "on_failure", c.plan) if isinstance(dest, dict) else dest
    if isinstance(on_failure, list):
        on_failure = on_failure[0] if on_failure else None
    target = _field(on_failure, "destination_arn", c.plan) if isinstance(on_failure, dict) else on_failure
    types = _string_list(c.raw.get("function_response_types")) if "function_response_types" in c.raw else \
        (Unknown("function_response_types is known only after apply") if c.plan else None)
    return EventSourceMapping(
        address=c.address, function=c.string("function_name"), source_arn=source, source_kind=kind,
        function_response_types=() if types is None else types, maximum_retry_attempts=c.integer("maximum_retry_attempts"),
        maximum_record_age_seconds=c.integer("maximum_record_age_in_seconds"), on_failure_destination=target)


def api_stage(conf: dict[str, Any], graph: ResourceGraph | None = None) -> ApiStage:
    c = Conf.of("aws_api_gateway_stage", conf)
    access = c.block("access_log_settings")
    return ApiStage(address=c.address, api_kind="REST", xray_enabled=_boolean(c, "xray_tracing_enabled"),
                    access_log_destination=_field(access, "destination_arn", c.plan) if access is not None else None,
                    web_acl_arn=Unknown("a web ACL is associated by a separate aws_wafv2_web_acl_association"),
                    execution_logging_level=Unknown("execution logging is set by aws_api_gateway_method_settings"),
                    throttling_rate_limit=Unknown("throttling is set by aws_api_gateway_method_settings"),
                    throttling_burst_limit=Unknown("throttling is set by aws_api_gateway_method_settings"))
