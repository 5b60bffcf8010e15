"""Per-kind Terraform builders: one resource's checkov conf (and the resource graph, for what
other resources say about it) -> facts. Each builder has the registry's signature
``(conf, graph, settings) -> facts`` (see :mod:`prr_policies.sources.kinds`) and is wrapped by
:func:`~.conf.terraform_builder`, which answers for resources Terraform does not create.

What a builder shares with the others lives in :mod:`.conf` (reading values, KMS keys,
references) and :mod:`.graph` (resolving references by address); the lookups across the whole
graph (who uses a role, which invoke config belongs to a function, which queues are dead-letter
queues) are built once per scan and kept in ``graph.cache``.
"""

from __future__ import annotations

from typing import Any, Callable

from prr_policies.facts import (
    ApiStage, CodeSigningConfig, DeploymentGroup, EventSourceMapping, ExecutionRoleFacts, FunctionUrl, IamRole, KmsKey,
    LambdaFunction, LambdaPermission, Queue, Secret, Topic, Unknown,
)
from prr_policies.sources import aws_shapes as _shapes
from prr_policies.sources.terraform.conf import (
    Conf, _boolean, _document, _field, _first, _list_field, _rel_type, _string_list, _value_field, terraform_builder,
)
from prr_policies.sources.terraform.graph import ResourceGraph, Vertex, _relative_resource
from prr_policies.sources.terraform.hcl import Ref


def _by_graph(c: Conf, name: str, build: Callable[[ResourceGraph, str | None], Any]) -> Any:
    """A lookup over the resource's whole root module (or plan), built once per scan."""
    assert c.graph is not None
    key = (name, c.root)
    if key not in c.graph.cache:
        c.graph.cache[key] = build(c.graph, c.root)
    return c.graph.cache[key]


def _confs(graph: ResourceGraph, resource_type: str, root: str | None) -> list[Conf]:
    """Every resource of a type in a root module that Terraform creates (or may create), as Confs."""
    out = []
    for v in graph.of_type(resource_type, root):
        c = Conf.of_vertex(v, graph)
        if c.exists is not False:
            out.extend(c.instances())
    return out


def _target(c: Conf, value: Any) -> str | None:
    """The address of the resource a reference points at (None for literals and unknowns)."""
    if isinstance(value, Ref):
        found = c.resolve(value)
        return found.address if found is not None else None
    return None


# ---- functions ------------------------------------------------------------------------------

def _invoke_configs(graph: ResourceGraph, root: str | None) -> tuple[dict[str, list[Conf]], dict[str, list[Conf]]]:
    """aws_lambda_function_event_invoke_config by the function they name: by address where they
    reference it, by name where they give a literal name."""
    by_address: dict[str, list[Conf]] = {}
    by_name: dict[str, list[Conf]] = {}
    for cfg in _confs(graph, "aws_lambda_function_event_invoke_config", root):
        fn = cfg.arn("function_name")
        address = _target(cfg, fn)
        if address is not None:
            by_address.setdefault(address, []).append(cfg)
        elif isinstance(fn, str) and not isinstance(fn, Ref):
            by_name.setdefault(fn.rsplit(":", 1)[-1] if fn.startswith("arn:") else fn, []).append(cfg)
    return by_address, by_name


def _on_failure_destination(fn: Conf) -> str | None | Unknown:
    if fn.graph is None:
        return Unknown("checkov provided no resource graph to find aws_lambda_function_event_invoke_config")
    by_address, by_name = _by_graph(fn, "invoke_configs", _invoke_configs)
    name = fn.string("function_name")
    configs = by_address.get(fn.address, []) + (by_name.get(name, []) if isinstance(name, str) else [])
    found: str | None | Unknown = None
    for cfg in configs:
        dest_cfg = cfg.block("destination_config")
        if isinstance(dest_cfg, Unknown):
            found = dest_cfg
            continue
        on_failure = _first((dest_cfg or {}).get("on_failure"))
        dest = _field(on_failure, "destination", cfg.plan) if isinstance(on_failure, dict) else None
        if isinstance(dest, str) and dest:
            return dest
        if isinstance(dest, Unknown):
            found = dest
    return found


def _role_users(graph: ResourceGraph, root: str | None) -> dict[str, int]:
    """How many functions use each role (by the role's address)."""
    users: dict[str, int] = {}
    for fn in _confs(graph, "aws_lambda_function", root):
        address = _target(fn, fn.arn("role"))
        if address is not None:
            users[address] = users.get(address, 0) + 1
    return users


def _execution_role(fn: Conf) -> ExecutionRoleFacts | None | Unknown:
    role_ref = fn.arn("role")
    if role_ref is None or isinstance(role_ref, Unknown):
        return role_ref
    if fn.graph is None:
        return Unknown("checkov provided no resource graph to find the execution role")
    role = fn.resolve(role_ref) if isinstance(role_ref, Ref) else None
    if role is None or role.resource_type != "aws_iam_role":
        return Unknown(f"the role {role_ref} is not defined in the scanned configuration")
    users = _by_graph(fn, "role_users", _role_users).get(role.address, 1)
    boundary = Conf.of_vertex(role, fn.graph).arn("permissions_boundary")
    return ExecutionRoleFacts(address=role.address, permissions_boundary=boundary, functions_using_role=max(1, users))


@terraform_builder("aws_lambda_function", LambdaFunction)
def lambda_function(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> LambdaFunction:
    c = Conf.of("aws_lambda_function", conf, graph)
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
        tracing_mode=_value_field(tracing, "mode", c.plan),
        reserved_concurrency=c.integer("reserved_concurrent_executions"),
        timeout=c.integer("timeout"),
        memory_size=c.integer("memory_size"),
        has_environment_variables=has_env,
        kms_key_arn=c.kms_key("kms_key_arn"),
        code_signing_config_arn=c.arn("code_signing_config_arn"),
        dead_letter_target_arn=_field(dlq, "target_arn", c.plan),
        on_failure_destination=_on_failure_destination(c),
        vpc_subnet_ids=_list_field(vpc, "subnet_ids", c.plan),
        role=_execution_role(c),
    )


@terraform_builder("aws_lambda_function_url", FunctionUrl)
def function_url(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> FunctionUrl:
    c = Conf.of("aws_lambda_function_url", conf, graph)
    return FunctionUrl(address=c.address, authorization_type=c.string("authorization_type"))


@terraform_builder("aws_lambda_permission", LambdaPermission)
def lambda_permission(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> LambdaPermission:
    c = Conf.of("aws_lambda_permission", conf, graph)
    return LambdaPermission(
        address=c.address,
        principal=c.string("principal"),
        action=c.string("action"),
        source_arn=c.arn("source_arn"),
        source_account=c.arn("source_account"),
        principal_org_id=c.arn("principal_org_id"),
    )


# ---- queues, topics, secrets, keys ----------------------------------------------------------

def _queue_names(graph: ResourceGraph, root: str | None) -> dict[str, str]:
    """Queue addresses by literal queue name (to match literal ARNs)."""
    out = {}
    for q in _confs(graph, "aws_sqs_queue", root):
        name = q.string("name")
        if isinstance(name, str):
            out[name] = q.address
    return out


def _dlq_targets(graph: ResourceGraph, root: str | None) -> tuple[set[str], list[str]]:
    """Queues other resources send failures to: another queue's redrive policy (in the queue or
    in an aws_sqs_queue_redrive_policy), an SNS subscription's redrive policy, a function's
    dead_letter_config, an on-failure destination of an invoke config or an event source
    mapping. Returns the queue addresses, and the resources whose target cannot be resolved."""
    names = _queue_names(graph, root)
    used: set[str] = set()
    unresolved: list[str] = []

    def note(c: Conf, value: Any) -> None:
        if isinstance(value, Unknown):
            unresolved.append(f"{c.address} ({value.reason})")
        elif isinstance(value, Ref):
            address = _target(c, value)
            if address is not None:
                used.add(address)
        elif isinstance(value, str) and value.startswith("arn:aws") and ":sqs:" in value:
            if value.rsplit(":", 1)[-1] in names:
                used.add(names[value.rsplit(":", 1)[-1]])

    def redrive_target(c: Conf, key: str) -> Any:
        doc = c.document(key)
        return doc.get("deadLetterTargetArn") if isinstance(doc, dict) else doc if isinstance(doc, Unknown) else None

    for rtype, key in (("aws_sqs_queue", "redrive_policy"), ("aws_sqs_queue_redrive_policy", "redrive_policy"),
                       ("aws_sns_topic_subscription", "redrive_policy")):
        for c in _confs(graph, rtype, root):
            note(c, redrive_target(c, key))
    for c in _confs(graph, "aws_lambda_function", root):
        note(c, _field(c.block("dead_letter_config"), "target_arn", c.plan))
    for rtype, outer, inner in (("aws_lambda_function_event_invoke_config", "on_failure", "destination"),
                                ("aws_lambda_event_source_mapping", "on_failure", "destination_arn")):
        for c in _confs(graph, rtype, root):
            dest = c.block("destination_config")
            block = _first(dest.get(outer)) if isinstance(dest, dict) else dest
            note(c, _field(block, inner, c.plan) if isinstance(block, (dict, Unknown)) else None)
    return used, unresolved


def _separate(c: Conf, resource_type: str) -> Conf | None:
    """The aws_sqs_queue_redrive_policy / _redrive_allow_policy resource that sets this queue's policy."""
    if c.graph is None:
        return None
    for other in _by_graph(c, resource_type, lambda g, root: _confs(g, resource_type, root)):
        url = other.arn("queue_url")
        if isinstance(url, Ref) and _target(other, url) == c.address:
            return other
    return None


@terraform_builder("aws_sqs_queue", Queue)
def queue(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Queue:
    c = Conf.of("aws_sqs_queue", conf, graph)
    redrive = _document(c, "redrive_policy")
    if redrive is None:  # set by a separate aws_sqs_queue_redrive_policy (as terraform-aws-modules/sqs does)
        other = _separate(c, "aws_sqs_queue_redrive_policy")
        if other is not None:
            redrive = _document(other, "redrive_policy")
    target: Any
    count: Any
    if isinstance(redrive, Unknown) or redrive is None:
        target = count = redrive
    else:
        target = redrive.get("deadLetterTargetArn")  # a reference to the DLQ's ARN counts as set, as elsewhere
        count = redrive.get("maxReceiveCount")
        if isinstance(count, str) and not isinstance(count, Ref) and count.isdigit():
            count = int(count)
        elif isinstance(count, Ref):
            count = Unknown(f"maxReceiveCount is {count}, known only after apply")
    return Queue(address=c.address, kms_master_key_id=c.kms_key("kms_master_key_id"),
                 sqs_managed_sse=_boolean(c, "sqs_managed_sse_enabled"), redrive_target_arn=target, max_receive_count=count,
                 is_dead_letter_queue=_is_dead_letter_queue(c), visibility_timeout=c.integer("visibility_timeout_seconds"))


def _is_dead_letter_queue(c: Conf) -> bool | Unknown:
    """A queue is a dead-letter queue when it is used as one (see :func:`_dlq_targets`) or its
    redrive allow policy lets other queues use it."""
    allow_from = c if "redrive_allow_policy" in c.raw and _first(c.raw["redrive_allow_policy"]) is not None \
        else _separate(c, "aws_sqs_queue_redrive_allow_policy")
    allow = _document(allow_from, "redrive_allow_policy") if allow_from is not None else None
    if isinstance(allow, dict) and allow.get("redrivePermission") in ("allowAll", "byQueue"):
        return True
    if c.graph is None:
        return Unknown("checkov provided no resource graph to find what sends failures to the queue")
    used, unresolved = _by_graph(c, "dlq_targets", _dlq_targets)
    if c.address in used:
        return True
    if isinstance(allow, Unknown):
        return allow
    if unresolved:
        return Unknown(f"the dead-letter target of {unresolved[0]} cannot be resolved, so it may be this queue")
    return False


@terraform_builder("aws_sns_topic", Topic)
def topic(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Topic:
    c = Conf.of("aws_sns_topic", conf, graph)
    return Topic(address=c.address, kms_master_key_id=c.kms_key("kms_master_key_id"))


@terraform_builder("aws_secretsmanager_secret", Secret)
def secret(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Secret:
    c = Conf.of("aws_secretsmanager_secret", conf, graph)
    rotation = Unknown("rotation is configured by a separate aws_secretsmanager_secret_rotation")
    return Secret(address=c.address, kms_key_id=c.kms_key("kms_key_id"), rotation_enabled=rotation, rotation_days=rotation)


@terraform_builder("aws_kms_key", KmsKey)
def kms_key(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> KmsKey:
    c = Conf.of("aws_kms_key", conf, graph)
    spec = c.string("key_spec") if c.raw.get("key_spec") not in (None, [None], []) else c.string("customer_master_key_spec")
    enabled = _boolean(c, "is_enabled")
    state: Any = enabled if isinstance(enabled, Unknown) else ("Enabled" if enabled is not False else "Disabled")
    return KmsKey(address=c.address, key_manager="CUSTOMER", key_spec=spec, key_state=state, origin="AWS_KMS",
                  rotation_enabled=_boolean(c, "enable_key_rotation"))


# ---- release, identity, event sources, APIs -------------------------------------------------

@terraform_builder("aws_lambda_code_signing_config", CodeSigningConfig)
def code_signing_config(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> CodeSigningConfig:
    c = Conf.of("aws_lambda_code_signing_config", conf, graph)
    policies = c.block("policies")
    policy = _value_field(policies, "untrusted_artifact_on_deployment", c.plan) if policies is not None else "Warn"
    publishers = c.block("allowed_publishers")
    arns = _list_field(publishers, "signing_profile_version_arns", c.plan)
    return CodeSigningConfig(address=c.address, untrusted_artifact_on_deployment=policy, signing_profile_version_arns=arns)


@terraform_builder("aws_codedeploy_deployment_group", DeploymentGroup)
def deployment_group(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> DeploymentGroup:
    c = Conf.of("aws_codedeploy_deployment_group", conf, graph)
    name = c.string("deployment_config_name")
    platform: Any
    if isinstance(name, str) and name.startswith("CodeDeployDefault.Lambda"):
        platform = "Lambda"
    elif isinstance(name, str) and name.startswith("CodeDeployDefault."):
        platform = "ECS" if name.startswith("CodeDeployDefault.ECS") else "Server"
    else:
        app_ref = c.arn("app_name")
        app = c.resolve(app_ref) if isinstance(app_ref, Ref) else None
        apps = [app] if app is not None else (graph.referenced(c.vertex, "aws_codedeploy_app") if graph and c.vertex else [])
        platform = Conf.of_vertex(apps[0], graph).string("compute_platform") if apps else \
            Unknown("the application's compute platform is not in this module")
    alarms = c.block("alarm_configuration")
    rollback = c.block("auto_rollback_configuration")
    alarm_names = _list_field(alarms, "alarms", c.plan) if alarms is not None else ()
    events = _list_field(rollback, "events", c.plan) if rollback is not None else ()
    return DeploymentGroup(
        address=c.address, compute_platform=platform, deployment_config_name=name,
        deployment_config_type=_shapes.deployment_config_type(name) if isinstance(name, str) else name,
        alarms_enabled=_value_field(alarms, "enabled", c.plan) if alarms is not None else False,
        alarm_names=() if alarm_names is None else alarm_names,
        auto_rollback_enabled=_value_field(rollback, "enabled", c.plan) if rollback is not None else False,
        auto_rollback_events=() if events is None else events)


def _policy_document_services(doc: Conf) -> tuple[str, ...] | Unknown:
    """Service principals an ``aws_iam_policy_document`` data block lets assume the role."""
    for combined in ("source_policy_documents", "override_policy_documents", "source_json", "override_json"):
        if doc.raw.get(combined) not in (None, [None], [], [[]]):
            return Unknown(f"{doc.address} merges other documents ({combined})")
    out: list[str] = []
    for st in doc._cleaned(doc.raw.get("statement") or []):
        if isinstance(st, Unknown):
            return st
        if not isinstance(st, dict):
            continue
        effect = _first(st.get("effect")) or "Allow"
        actions = _string_list(st.get("actions")) or ()
        for v in (effect, actions):
            if isinstance(v, Unknown):
                return Unknown(f"a statement of {doc.address} cannot be read ({v.reason})")
        if effect != "Allow" or not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        for p in st.get("principals") or []:
            if not isinstance(p, dict):
                continue
            ptype, ids = _first(p.get("type")), _string_list(p.get("identifiers"))
            for v in (ptype, ids):
                if isinstance(v, (Unknown, Ref)):
                    return Unknown(f"the principals of {doc.address} cannot be read ({getattr(v, 'reason', v)})")
            if ptype == "Service":
                out += [i for i in ids or () if i not in out]
    return tuple(out)


@terraform_builder("aws_iam_role", IamRole)
def iam_role(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> IamRole:
    c = Conf.of("aws_iam_role", conf, graph)
    value = c.value("assume_role_policy")
    trust: Any
    if isinstance(value, Ref) and _rel_type(value.target) == "data.aws_iam_policy_document":
        found = c.resolve(value)
        trust = _policy_document_services(Conf.of_vertex(found, graph)) if found is not None else \
            Unknown(f"{value.target} is not in the scanned configuration")
    else:
        doc = _document(c, "assume_role_policy")
        if isinstance(doc, Unknown) or doc is None:
            trust = doc if isinstance(doc, Unknown) else ()
        else:
            trust = _shapes.trust_services(doc, c.address, "assume_role_policy")
    return IamRole(address=c.address, trusted_services=trust, permissions_boundary=c.arn("permissions_boundary"))


_SOURCE_TYPES = {"aws_sqs_queue": "sqs", "aws_kinesis_stream": "kinesis", "aws_dynamodb_table": "dynamodb",
                 "aws_msk_cluster": "kafka", "aws_mq_broker": "mq", "aws_docdb_cluster": "docdb"}


@terraform_builder("aws_lambda_event_source_mapping", EventSourceMapping)
def event_source_mapping(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> EventSourceMapping:
    c = Conf.of("aws_lambda_event_source_mapping", conf, graph)
    source = c.arn("event_source_arn")
    kind: Any
    if isinstance(source, Unknown):
        kind = source
    elif not source:
        kind = "kafka" if "self_managed_event_source" in c.raw and _first(c.raw["self_managed_event_source"]) else None
    elif isinstance(source, Ref):
        rel = (_relative_resource(source.target[len(c.prefix):]) or "").split(".")[0]
        kind = _SOURCE_TYPES.get(rel, Unknown(f"event_source_arn is {source}"))
    elif source.startswith("arn:"):
        service = source.split(":")[2] if source.count(":") >= 5 else ""
        kind = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "kafka": "kafka", "mq": "mq", "rds": "docdb"}.get(service, service)
    else:
        kind = Unknown(f"event_source_arn is {source!r}, not an ARN")
    dest = c.block("destination_config")
    on_failure = _field(dest, "on_failure", c.plan) if isinstance(dest, dict) else dest
    if isinstance(on_failure, list):
        on_failure = on_failure[0] if on_failure else None
    target = _field(on_failure, "destination_arn", c.plan) if isinstance(on_failure, dict) else on_failure
    types = c.strings("function_response_types")
    return EventSourceMapping(
        address=c.address, function=c.arn("function_name"), source_arn=source, source_kind=kind,
        function_response_types=() if types is None else types, maximum_retry_attempts=c.integer("maximum_retry_attempts"),
        maximum_record_age_seconds=c.integer("maximum_record_age_in_seconds"), on_failure_destination=target)


@terraform_builder("aws_api_gateway_stage", ApiStage)
def api_stage(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> ApiStage:
    c = Conf.of("aws_api_gateway_stage", conf, graph)
    access = c.block("access_log_settings")
    return ApiStage(address=c.address, api_kind="REST", xray_enabled=_boolean(c, "xray_tracing_enabled"),
                    access_log_destination=_field(access, "destination_arn", c.plan) if access is not None else None,
                    web_acl_arn=Unknown("a web ACL is associated by a separate aws_wafv2_web_acl_association"),
                    execution_logging_level=Unknown("execution logging is set by aws_api_gateway_method_settings"),
                    throttling_rate_limit=Unknown("throttling is set by aws_api_gateway_method_settings"),
                    throttling_burst_limit=Unknown("throttling is set by aws_api_gateway_method_settings"))


__all__ = [
    "Vertex", "api_stage", "code_signing_config", "deployment_group", "event_source_mapping", "function_url", "iam_role",
    "kms_key", "lambda_function", "lambda_permission", "queue", "secret", "topic",
]
