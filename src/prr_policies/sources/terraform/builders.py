"""Per-kind Terraform builders: one resource's checkov conf (and the resource graph, for what
other resources say about it) -> facts. Each builder has the registry's signature
``(conf, graph, settings) -> facts`` (see :mod:`prr_policies.sources.kinds`)."""

from __future__ import annotations

from typing import Any

from prr_policies.facts import (
    ApiStage, CodeSigningConfig, DeploymentGroup, EventSourceMapping, ExecutionRoleFacts, FunctionUrl, IamRole, KmsKey,
    LambdaFunction, LambdaPermission, Queue, Secret, Topic, Unknown,
)
from prr_policies.sources import aws_shapes as _shapes
from prr_policies.sources.terraform.conf import (
    Conf, _boolean, _document, _field, _first, _list_field, _string_list,
)
from prr_policies.sources.terraform.graph import ResourceGraph, Vertex, _points_to, _relative_resource


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


def lambda_function(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> LambdaFunction:
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


def function_url(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> FunctionUrl:
    c = Conf.of("aws_lambda_function_url", conf)
    return FunctionUrl(address=c.address, authorization_type=c.string("authorization_type"))


def lambda_permission(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> LambdaPermission:
    c = Conf.of("aws_lambda_permission", conf)
    return LambdaPermission(
        address=c.address,
        principal=c.string("principal"),
        action=c.string("action"),
        source_arn=c.string("source_arn"),
        source_account=c.string("source_account"),
        principal_org_id=c.string("principal_org_id"),
    )



def queue(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Queue:
    c = Conf.of("aws_sqs_queue", conf)
    dlq_suffixes = settings.sqs.dlq_name_suffixes if settings is not None else ("-dlq", "-dead-letter", "-deadletter")
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


def topic(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Topic:
    c = Conf.of("aws_sns_topic", conf)
    return Topic(address=c.address, kms_master_key_id=c.string("kms_master_key_id"))


def secret(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Secret:
    c = Conf.of("aws_secretsmanager_secret", conf)
    rotation = Unknown("rotation is configured by a separate aws_secretsmanager_secret_rotation")
    return Secret(address=c.address, kms_key_id=c.string("kms_key_id"), rotation_enabled=rotation, rotation_days=rotation)


def kms_key(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> KmsKey:
    c = Conf.of("aws_kms_key", conf)
    spec = c.string("key_spec") if c.raw.get("key_spec") not in (None, [None], []) else c.string("customer_master_key_spec")
    enabled = _boolean(c, "is_enabled")
    state: Any = enabled if isinstance(enabled, Unknown) else ("Enabled" if enabled is not False else "Disabled")
    return KmsKey(address=c.address, key_manager="CUSTOMER", key_spec=spec, key_state=state, origin="AWS_KMS",
                  rotation_enabled=_boolean(c, "enable_key_rotation"))


def code_signing_config(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> CodeSigningConfig:
    c = Conf.of("aws_lambda_code_signing_config", conf)
    policies = c.block("policies")
    policy = _field(policies, "untrusted_artifact_on_deployment", c.plan) if policies is not None else "Warn"
    publishers = c.block("allowed_publishers")
    arns = _list_field(publishers, "signing_profile_version_arns", c.plan)
    return CodeSigningConfig(address=c.address, untrusted_artifact_on_deployment=policy, signing_profile_version_arns=arns)


def deployment_group(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> DeploymentGroup:
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


def iam_role(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> IamRole:
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


def event_source_mapping(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> EventSourceMapping:
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


def api_stage(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> ApiStage:
    c = Conf.of("aws_api_gateway_stage", conf)
    access = c.block("access_log_settings")
    return ApiStage(address=c.address, api_kind="REST", xray_enabled=_boolean(c, "xray_tracing_enabled"),
                    access_log_destination=_field(access, "destination_arn", c.plan) if access is not None else None,
                    web_acl_arn=Unknown("a web ACL is associated by a separate aws_wafv2_web_acl_association"),
                    execution_logging_level=Unknown("execution logging is set by aws_api_gateway_method_settings"),
                    throttling_rate_limit=Unknown("throttling is set by aws_api_gateway_method_settings"),
                    throttling_burst_limit=Unknown("throttling is set by aws_api_gateway_method_settings"))
