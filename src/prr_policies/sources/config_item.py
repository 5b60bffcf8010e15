"""AWS Config configuration items -> facts, and the describe calls that fill what Config does not record.

Quirks of Config's items handled here:
- reserved concurrency is recorded under ``supplementaryConfiguration.Concurrency``;
- the KMS key of a function is spelled ``kmskeyArn`` in Config's schema (``kmsKeyArn`` is
  accepted too);
- fields that are unset are *omitted* from an item (a function without a DLQ has no
  ``deadLetterConfig`` key), and numbers may arrive as floats (``60.0``), notably from advanced
  queries;
- environment variables, the code signing config, asynchronous invoke configs and the execution
  role's boundary of a function, a queue's redrive policy and a deployment group's custom
  deployment config are not recorded: they are ``Unknown`` naming the field, and :func:`enrich`
  fills them with one describe call each, only for the fields the evaluated control reads;
- items fetched through the API carry ``configuration`` as a JSON string; both shapes are read.

Every item is read through :class:`~prr_policies.sources.aws_shapes.View`, the reader the
describe-call side uses too. The kind registry (:mod:`prr_policies.sources.kinds`) says which
builder reads which Config resource type.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Collection

from prr_policies.errors import InputError
from prr_policies.facts import DeploymentGroup, KmsKey, LambdaFunction, Queue, Unknown
from prr_policies.sources import aws_shapes as shapes
from prr_policies.sources import live
from prr_policies.sources.aws_shapes import View

NOT_RECORDED = "AWS Config does not record {what} for {rtype}"
DELETED = ("ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded")


@dataclass(frozen=True)
class Item:
    """One configuration item, validated: its type, the address to report, and readers."""

    raw: dict[str, Any]
    source: str
    resource_type: str
    address: str
    cfg: View
    supp: View


def read_item(item: Any, source: str = "<configuration item>") -> Item:
    top = View(item, source)
    rtype = top.raw("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise InputError(source, "resourceType", "missing")
    address = next((top.data[k] for k in ("ARN", "arn", "resourceId", "resourceName")
                    if isinstance(top.data.get(k), str) and top.data[k]), "<resource>")
    return Item(top.data, source, rtype, address, top.view("configuration"),
                top.view("supplementaryConfiguration") if top.has("supplementaryConfiguration") else View({}, source, "supplementaryConfiguration"))


def facts_from_item(item: Any, source: str = "<configuration item>", settings: Any = None) -> Any:
    """Facts from one configuration item of any type a kind reads (a dict, or its JSON).

    Fields Config does not record are Unknown naming the field; :func:`enrich` fills them."""
    from prr_policies.sources import kinds

    it = read_item(item, source)
    kind = kinds.for_config_type(it.resource_type)
    if kind is None:
        raise InputError(source, "resourceType", f"{it.resource_type!r} is not a type the PRR rules evaluate "
                         f"({', '.join(kinds.config_types())})")
    return kind.config_builder(it, settings)


def enrich(facts: Any, item: dict[str, Any], api: Any, fields: Collection[str] | None = None) -> Any:
    """Fill the fields Config does not record, and ``fields`` names (every field when None), with
    describe calls through ``api`` (:class:`~prr_policies.sources.aws_api.Api`)."""
    from prr_policies.sources import kinds

    kind = kinds.for_facts(type(facts))
    if kind is None or kind.enrich is None:
        return facts
    wanted = set(fields) if fields is not None else {f.name for f in dataclasses.fields(facts)}
    return kind.enrich(facts, read_item(item), api, wanted)


# ---- builders, one per kind (registered in sources/kinds.py) ---------------------------------------

def lambda_function(item: Any, source: str = "<configuration item>", settings: Any = None) -> LambdaFunction:
    """Facts from one AWS::Lambda::Function configuration item (a dict as Config delivers it)."""
    it = item if isinstance(item, Item) else read_item(item, source)
    if it.resource_type != "AWS::Lambda::Function":
        raise InputError(it.source, "resourceType", f"expected AWS::Lambda::Function, got {it.resource_type!r}")
    cfg, supp = it.cfg, it.supp
    address = it.raw.get("ARN") or cfg.string("functionArn") or it.raw.get("resourceName") or it.raw.get("resourceId")
    if not isinstance(address, str) or not address:
        raise InputError(it.source, "ARN", "the item names no function (ARN, resourceName and resourceId are empty)")
    not_recorded = lambda what: Unknown(NOT_RECORDED.format(what=what, rtype="AWS::Lambda::Function"))  # noqa: E731
    concurrency = supp.view("Concurrency").integer("reservedConcurrentExecutions") if supp.has("Concurrency") else None
    # Config omits deadLetterConfig when the function has none (AWS's LAMBDA_DLQ_CHECK reads it so).
    dlq = cfg.view("deadLetterConfig").string("targetArn") if cfg.has("deadLetterConfig") else None
    subnets = cfg.view("vpcConfig").strings("subnetIds") if cfg.has("vpcConfig") else None
    logging = cfg.view("loggingConfig") if cfg.has("loggingConfig") else None
    return LambdaFunction(
        address=address,
        package_type=cfg.string("packageType") or "Zip",
        runtime=cfg.string("runtime"),
        tracing_mode=cfg.view("tracingConfig").string("mode") if cfg.has("tracingConfig") else None,
        reserved_concurrency=concurrency,
        timeout=cfg.integer("timeout"),
        memory_size=cfg.integer("memorySize"),
        has_environment_variables=not_recorded("environment variables"),
        kms_key_arn=cfg.string("kmskeyArn") if cfg.has("kmskeyArn") else cfg.string("kmsKeyArn"),
        code_signing_config_arn=not_recorded("the code signing config"),
        dead_letter_target_arn=dlq,
        on_failure_destination=not_recorded("asynchronous invoke configs"),
        vpc_subnet_ids=subnets or None,
        role=not_recorded("the execution role's permissions boundary"),
        environment=not_recorded("environment variables"),
        architectures=cfg.strings("architectures") or None,
        layers=tuple(str(layer.get("arn")) for layer in (cfg.raw("layers") or []) if isinstance(layer, dict) and layer.get("arn")) or None,
        # AWS's managed rules read configuration.loggingConfig; older items lack it (then GetFunction tells).
        log_format=logging.string("logFormat") if logging else not_recorded("the logging config"),
        application_log_level=logging.string("applicationLogLevel") if logging else not_recorded("the logging config"),
        system_log_level=logging.string("systemLogLevel") if logging else not_recorded("the logging config"),
        log_group=(None if logging.string("logGroup") == f"/aws/lambda/{cfg.string('functionName')}" else logging.string("logGroup"))
        if logging else not_recorded("the logging config"),
        vpc_availability_zones=not_recorded("the subnets' Availability Zones") if subnets else None,
    )


def api_stage(it: Item, settings: Any = None) -> Any:
    kind = "REST" if it.resource_type == "AWS::ApiGateway::Stage" else "V2"
    return dataclasses.replace(shapes.api_stage(it.cfg, it.address, kind), **live.stage_extras(it.cfg, kind))


def queue(it: Item, settings: Any = None) -> Queue:
    redrive = it.cfg.raw("RedrivePolicy") if it.cfg.has("RedrivePolicy") else Unknown(
        NOT_RECORDED.format(what="the redrive policy", rtype="AWS::SQS::Queue"))
    policy = live.policy_document(it.cfg.raw("Policy"), it.source) if it.cfg.has("Policy") else Unknown(
        NOT_RECORDED.format(what="the access policy", rtype="AWS::SQS::Queue"))
    return dataclasses.replace(shapes.queue(it.cfg, it.address, _dlq_suffixes(settings), redrive=redrive), policy=policy)


def topic(it: Item, settings: Any = None) -> Any:
    policy = live.policy_document(it.cfg.raw("Policy"), it.source) if it.cfg.has("Policy") else Unknown(
        NOT_RECORDED.format(what="the access policy", rtype="AWS::SNS::Topic"))
    return dataclasses.replace(shapes.topic(it.cfg, it.address), policy=policy)


def secret(it: Item, settings: Any = None) -> Any:
    import datetime

    extras = live.secret_extras(it.cfg, datetime.date.today())
    # Config records RotationOccurringAsScheduled, not when the secret was last read
    extras["days_since_last_access"] = Unknown(NOT_RECORDED.format(what="the last access", rtype="AWS::SecretsManager::Secret"))
    return dataclasses.replace(shapes.secret(it.cfg, it.address), **extras)


def kms_key(it: Item, settings: Any = None) -> KmsKey:
    rotation = it.supp.boolean("KeyRotationStatus") if it.supp.has("KeyRotationStatus") else Unknown(
        "the configuration item has no supplementaryConfiguration.KeyRotationStatus")
    return dataclasses.replace(shapes.kms_key(it.cfg, it.address, rotation), deletion_window_days=it.cfg.integer("pendingDeletionWindowInDays"))


def code_signing_config(it: Item, settings: Any = None) -> Any:
    return shapes.code_signing_config(it.cfg, it.address)


def deployment_group(it: Item, settings: Any = None) -> DeploymentGroup:
    return shapes.deployment_group(it.cfg, it.address)


def iam_role(it: Item, settings: Any = None) -> Any:
    return shapes.iam_role(it.cfg, it.address)


def _dlq_suffixes(settings: Any) -> tuple[str, ...]:
    return tuple(settings.sqs.dlq_name_suffixes) if settings is not None else ()


# ---- enrichment, one per kind that Config records incompletely -------------------------------------

# Fields of a function that Config does not record and one GetFunction call returns.
_FROM_GET_FUNCTION = ("has_environment_variables", "kms_key_arn", "environment", "log_format", "application_log_level",
                      "system_log_level", "log_group")


def enrich_lambda_function(facts: LambdaFunction, it: Item, api: Any, fields: set[str]) -> LambdaFunction:
    name = it.raw.get("resourceName") or it.raw.get("resourceId")
    changes: dict[str, Any] = {}
    wanted = [f for f in _FROM_GET_FUNCTION if f in fields and isinstance(getattr(facts, f), Unknown)]
    if wanted:
        got = api.call("lambda", "get_function", FunctionName=name)
        if isinstance(got, dict):
            fresh = live.lambda_function(got)
            changes.update({f: getattr(fresh, f) for f in wanted})
        elif isinstance(got, Unknown):
            changes.update({f: got for f in wanted})
        else:
            changes.update({f: Unknown(f"the function {name} was not found when {f} was read") for f in wanted})
    if "vpc_availability_zones" in fields and isinstance(facts.vpc_availability_zones, Unknown):
        changes["vpc_availability_zones"] = live.subnet_zones(api, facts.vpc_subnet_ids)
    if "code_signing_config_arn" in fields and isinstance(facts.code_signing_config_arn, Unknown):
        got = api.call("lambda", "get_function_code_signing_config", FunctionName=name)
        changes["code_signing_config_arn"] = live.code_signing_arn(got)
    if "on_failure_destination" in fields and isinstance(facts.on_failure_destination, Unknown):
        got = api.call("lambda", "get_function_event_invoke_config", FunctionName=name)
        changes["on_failure_destination"] = live.on_failure_destination(got)
    if "role" in fields and isinstance(facts.role, Unknown):
        role_arn = it.cfg.string("role")
        role = api.call("iam", "get_role", RoleName=role_arn.rsplit("/", 1)[-1]) if role_arn else None
        changes["role"] = live.execution_role(role, role_arn, Unknown("a change-triggered rule sees one function"))
    return dataclasses.replace(facts, **changes)


def enrich_queue(facts: Queue, it: Item, api: Any, fields: set[str]) -> Queue:
    redrive = fields & {"redrive_target_arn", "max_receive_count", "is_dead_letter_queue"} and isinstance(facts.redrive_target_arn, Unknown)
    policy = "policy" in fields and isinstance(facts.policy, Unknown)
    if not redrive and not policy:
        return facts
    url = it.cfg.string("QueueUrl") or it.raw.get("resourceId")
    got = api.call("sqs", "get_queue_attributes", QueueUrl=url, AttributeNames=["All"])
    if got is None:
        got = Unknown(f"the queue {url} was not found when its attributes were read")
    if isinstance(got, Unknown):
        return dataclasses.replace(facts, **({"redrive_target_arn": got, "max_receive_count": got} if redrive else {}),
                                   **({"policy": got} if policy else {}))
    attrs = (got or {}).get("Attributes", {})
    fresh = shapes.queue(View(attrs, "GetQueueAttributes"), facts.address)
    changes: dict[str, Any] = {"policy": live.policy_document(attrs.get("Policy"), "GetQueueAttributes")} if policy else {}
    if redrive:
        changes.update(redrive_target_arn=fresh.redrive_target_arn, max_receive_count=fresh.max_receive_count,
                       is_dead_letter_queue=facts.is_dead_letter_queue is True or fresh.is_dead_letter_queue is True)
    return dataclasses.replace(facts, **changes)


def enrich_topic(facts: Any, it: Item, api: Any, fields: set[str]) -> Any:
    if "policy" not in fields or not isinstance(facts.policy, Unknown):
        return facts
    got = api.call("sns", "get_topic_attributes", TopicArn=it.cfg.string("TopicArn") or it.address)
    if got is None or isinstance(got, Unknown):
        return dataclasses.replace(facts, policy=got if got is not None else Unknown("the topic was not found"))
    return dataclasses.replace(facts, policy=live.policy_document((got or {}).get("Attributes", {}).get("Policy"), "GetTopicAttributes"))


def enrich_kms_key(facts: KmsKey, it: Item, api: Any, fields: set[str]) -> KmsKey:
    if "rotation_enabled" not in fields or not isinstance(facts.rotation_enabled, Unknown) or facts.key_manager != "CUSTOMER":
        return facts
    got = api.call("kms", "get_key_rotation_status", KeyId=it.raw.get("resourceId"))
    return dataclasses.replace(facts, rotation_enabled=got if isinstance(got, Unknown) else bool((got or {}).get("KeyRotationEnabled")))


def enrich_deployment_group(facts: DeploymentGroup, it: Item, api: Any, fields: set[str]) -> DeploymentGroup:
    """A custom deployment config's traffic routing is not in the group's item: read the config."""
    name = facts.deployment_config_name
    if "deployment_config_type" not in fields or not isinstance(facts.deployment_config_type, Unknown) or not isinstance(name, str):
        return facts
    got = api.call("codedeploy", "get_deployment_config", deploymentConfigName=name)
    return dataclasses.replace(facts, deployment_config_type=live.custom_deployment_config_type(got, name))


# ---- issue 13 -------------------------------------------------------------------------------------

def event_rule(it: Item, settings: Any = None) -> Any:
    """AWS::Events::Rule: Config records the targets with their DLQ and retry policy."""
    return live.event_rule_facts(it.cfg, it.address)


def event_bus(it: Item, settings: Any = None) -> Any:
    """AWS::Events::EventBus: Config records no policy (DescribeEventBus reads it)."""
    if it.cfg.has("Policy"):
        return live.event_bus_facts(it.cfg, it.address)
    return live.EventBus(it.address, Unknown(NOT_RECORDED.format(what="the policy", rtype="AWS::Events::EventBus")))


def enrich_event_bus(facts: Any, it: Item, api: Any, fields: set[str]) -> Any:
    if "policy" not in fields or not isinstance(facts.policy, Unknown):
        return facts
    got = api.call("events", "describe_event_bus", Name=it.cfg.string("Name") or it.raw.get("resourceName") or it.raw.get("resourceId"))
    if isinstance(got, Unknown) or got is None:
        return dataclasses.replace(facts, policy=got if got is not None else Unknown("the event bus was not found"))
    return live.event_bus_facts(View(got, "DescribeEventBus"), facts.address)


def bucket(it: Item, settings: Any = None) -> Any:
    """AWS::S3::Bucket: versioning and notifications are in supplementaryConfiguration; the
    notified functions' permissions are not (GetPolicy reads them)."""
    versioning = it.supp.view("BucketVersioningConfiguration").string("status") if it.supp.has("BucketVersioningConfiguration") else None
    notes = it.supp.view("BucketNotificationConfiguration") if it.supp.has("BucketNotificationConfiguration") else None
    configs = (notes.raw("configurations") or {}) if notes is not None else {}
    arns = [c.get("functionARN") for c in configs.values() if isinstance(c, dict) and c.get("type") == "LambdaConfiguration"]
    why = Unknown(NOT_RECORDED.format(what="the notified functions' permissions", rtype="AWS::S3::Bucket"))
    name = it.cfg.string("name") or it.raw.get("resourceName") or it.raw.get("resourceId")
    functions = tuple(live.NotifiedFunction(a, why, why, why) for a in dict.fromkeys(arns) if a)
    return live.bucket_facts(name, it.address, versioning, functions)


def enrich_bucket(facts: Any, it: Item, api: Any, fields: set[str]) -> Any:
    if "lambda_notifications" not in fields or not facts.lambda_notifications or isinstance(facts.lambda_notifications, Unknown):
        return facts
    return dataclasses.replace(facts, lambda_notifications=tuple(
        live.notified_function(api.call("lambda", "get_policy", FunctionName=f.function), f.function, facts.name)
        for f in facts.lambda_notifications))


def table(it: Item, settings: Any = None) -> Any:
    """AWS::DynamoDB::Table: point-in-time recovery is in supplementaryConfiguration; backup
    selections are not recorded."""
    pitr_view = it.supp.view("ContinuousBackupsDescription") if it.supp.has("ContinuousBackupsDescription") else None
    status = pitr_view.view("pointInTimeRecoveryDescription").string("pointInTimeRecoveryStatus") \
        if pitr_view is not None and pitr_view.has("pointInTimeRecoveryDescription") else None
    pitr: Any = status == "ENABLED" if status else Unknown("the configuration item has no supplementaryConfiguration.ContinuousBackupsDescription")
    backup = Unknown(NOT_RECORDED.format(what="AWS Backup selections", rtype="AWS::DynamoDB::Table"))
    return live.table_facts(it.cfg, it.address, pitr, backup)


def metric_alarm(it: Item, settings: Any = None) -> Any:
    """AWS::CloudWatch::Alarm: Config records the actions and whether they are enabled."""
    return live.metric_alarm_facts(it.cfg, it.address)



def iam_policy(it: Item, settings: Any = None) -> Any:
    """AWS::IAM::Policy: Config records every version with its (URL-encoded) document."""
    import urllib.parse

    versions = it.cfg.raw("policyVersionList") or []
    default = next((v for v in versions if isinstance(v, dict) and v.get("isDefaultVersion")), None)
    doc = (default or {}).get("document")
    if isinstance(doc, str):
        doc = urllib.parse.unquote(doc)
    if default is None:
        doc = Unknown("the configuration item lists no default policy version")
    return live.policy_facts(doc, it.address, False, live.boundary_only(it.cfg.raw("attachmentCount"),
                                                                        it.cfg.raw("permissionsBoundaryUsageCount")))
