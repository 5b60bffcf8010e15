"""boto3 describe-call output -> Lambda function facts, and the calls that read them.

``lambda_function`` is pure: it takes the dicts that ``get_function``,
``get_function_code_signing_config``, ``get_function_event_invoke_config`` and ``iam.get_role``
return (or ``Unknown`` for a call that could not be made). ``read_function`` makes those calls
through :class:`~prr_policies.sources.aws_api.Api`, the one wrapper every live read goes
through, so a refused call is Unknown naming the IAM permission. ``collect_function`` does the
same with a Lambda and an IAM client (no boto3 import here).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from prr_policies.facts import (
    AccountBudgets, Budget, GuardDutyProtection, InspectorScanning,
    FunctionIdempotency, ProvisionedConcurrency,
    AlarmWatch, ApiDomain, ApiIntegration, ApiRoute, ApiStage, Bucket, IamPolicy, EnvironmentVariable, EventBus, EventRuleTargets, EventTarget, ExecutionRoleFacts, KmsKey, LambdaFunction, Queue,
    MetricAlarm, NotifiedFunction, Subscription, Table, Topic, TopicSubscriptions, Unknown, UsagePlan, WatchedResource, WebAcl,
    unknown_facts,
)
from prr_policies.sources import aws_shapes as shapes
from prr_policies.sources.aws_api import Api, dig


def code_signing_arn(response: dict[str, Any] | None | Unknown) -> str | None | Unknown:
    """The config ARN from a GetFunctionCodeSigningConfig response."""
    if isinstance(response, Unknown):
        return response
    return (response or {}).get("CodeSigningConfigArn") or None


def on_failure_destination(response: dict[str, Any] | None | Unknown) -> str | None | Unknown:
    """The on-failure destination from a GetFunctionEventInvokeConfig response."""
    if isinstance(response, Unknown):
        return response
    return dig(response, "DestinationConfig", "OnFailure", "Destination") or None


def execution_role(response: dict[str, Any] | None | Unknown, role_arn: str | None,
                   functions_using_role: int | Unknown) -> ExecutionRoleFacts | None | Unknown:
    """Role facts from an iam GetRole response; Unknown when a role is named but was not read."""
    if isinstance(response, Unknown):
        return response
    if response is None:
        return None if not role_arn else Unknown(f"the role {role_arn} was not read")
    return ExecutionRoleFacts(
        address=dig(response, "Role", "Arn") or role_arn or "<role>",
        permissions_boundary=dig(response, "Role", "PermissionsBoundary", "PermissionsBoundaryArn"),
        functions_using_role=functions_using_role,
    )


def lambda_function(
    function: dict[str, Any],
    code_signing: dict[str, Any] | None | Unknown = None,
    invoke_config: dict[str, Any] | None | Unknown = None,
    role: dict[str, Any] | None | Unknown = None,
    functions_using_role: int | Unknown = 1,
    zones: Any = None,
) -> LambdaFunction:
    """Facts from the dicts the describe calls return; ``zones`` are the Availability Zones of its
    subnets (:func:`subnet_zones`), Unknown for a VPC function when not given."""
    cfg = function.get("Configuration") or {}
    env = dig(cfg, "Environment", "Variables")
    logging = cfg.get("LoggingConfig") or {}
    subnets = dig(cfg, "VpcConfig", "SubnetIds")
    if zones is None and subnets:
        zones = Unknown("the subnets' Availability Zones were not read")
    concurrency = function.get("Concurrency")
    reserved = concurrency if isinstance(concurrency, Unknown) else dig(concurrency, "ReservedConcurrentExecutions")
    return LambdaFunction(
        address=cfg.get("FunctionArn") or cfg.get("FunctionName") or "<function>",
        package_type=cfg.get("PackageType") or "Zip",
        runtime=cfg.get("Runtime"),
        tracing_mode=dig(cfg, "TracingConfig", "Mode"),
        reserved_concurrency=reserved,
        timeout=cfg.get("Timeout"),
        memory_size=cfg.get("MemorySize"),
        has_environment_variables=bool(env),
        kms_key_arn=cfg.get("KMSKeyArn"),
        code_signing_config_arn=code_signing_arn(code_signing),
        dead_letter_target_arn=dig(cfg, "DeadLetterConfig", "TargetArn"),
        on_failure_destination=on_failure_destination(invoke_config),
        vpc_subnet_ids=tuple(subnets) if subnets else None,
        role=execution_role(role, cfg.get("Role"), functions_using_role),
        environment=tuple(EnvironmentVariable(str(k), str(v)) for k, v in (env or {}).items()),
        architectures=tuple(cfg.get("Architectures") or ()) or None,
        layers=tuple(layer["Arn"] for layer in cfg.get("Layers") or () if isinstance(layer, dict) and layer.get("Arn")) or None,
        log_format=logging.get("LogFormat"),
        application_log_level=logging.get("ApplicationLogLevel"),
        system_log_level=logging.get("SystemLogLevel"),
        log_group=logging.get("LogGroup") if logging.get("LogGroup") != f"/aws/lambda/{cfg.get('FunctionName')}" else None,
        vpc_availability_zones=zones,
    )


def subnet_zones(api: Api, subnet_ids: Any) -> tuple[str, ...] | None | Unknown:
    """The Availability Zones of a function's subnets (ec2 DescribeSubnets), in subnet order."""
    if isinstance(subnet_ids, Unknown) or not subnet_ids:
        return subnet_ids or None
    got = api.pages("ec2", "describe_subnets", "Subnets", SubnetIds=list(subnet_ids))
    if isinstance(got, Unknown):
        return got
    found = {s.get("SubnetId"): s.get("AvailabilityZone") for s in got}
    missing = [s for s in subnet_ids if not found.get(s)]
    if missing:
        return Unknown(f"the subnet(s) {', '.join(missing)} were not found")
    return tuple(dict.fromkeys(found[s] for s in subnet_ids))


def read_function(api: Api, name: str, *, listed: dict[str, Any] | None = None,
                  role_usage: dict[str, int] | None = None) -> tuple[LambdaFunction, dict[str, Any] | None | Unknown]:
    """Facts for one function, and the GetRole response they used.

    ``listed`` is the function's ListFunctions entry: when GetFunction then fails, the facts
    come from it and only the concurrency (which ListFunctions lacks) is Unknown. Without it,
    every fact is Unknown. ``role_usage`` maps role ARNs to the number of functions using them;
    without it, that count is Unknown.
    """
    got = api.call("lambda", "get_function", FunctionName=name)
    if not isinstance(got, dict):
        reason = got.reason if isinstance(got, Unknown) else (
            "the function disappeared during the audit" if listed is not None else "the function does not exist")
        if listed is None:
            return unknown_facts(LambdaFunction, name, Unknown(reason)), Unknown(reason)
        got = {"Configuration": listed, "Concurrency": Unknown(reason)}
    csc = api.call("lambda", "get_function_code_signing_config", FunctionName=name)
    invoke = api.call("lambda", "get_function_event_invoke_config", FunctionName=name)
    role_arn = (listed or got.get("Configuration") or {}).get("Role") or ""
    role = api.call("iam", "get_role", RoleName=role_arn.rsplit("/", 1)[-1]) if role_arn else None
    users: int | Unknown = role_usage.get(role_arn, 1) if role_usage is not None else Unknown(
        "the other functions of the account were not listed")
    zones = subnet_zones(api, dig(got.get("Configuration") or {}, "VpcConfig", "SubnetIds"))
    return lambda_function(got, csc, invoke, role, users, zones), role


def collect_function(lambda_client: Any, iam_client: Any, name: str, role_usage: dict[str, int] | None = None,
                     ec2_client: Any = None) -> LambdaFunction:
    """Facts for one function through the given boto3 clients (EC2's for its subnets' zones)."""
    clients = {"lambda": lambda_client, "iam": iam_client, **({"ec2": ec2_client} if ec2_client is not None else {})}
    return read_function(Api(clients.__getitem__), name, role_usage=role_usage)[0]


def custom_deployment_config_type(response: dict[str, Any] | None | Unknown, name: str) -> str | Unknown:
    """The traffic-routing type of a custom deployment config, from a GetDeploymentConfig response."""
    if isinstance(response, Unknown):
        return response
    if response is None:
        return Unknown(f"the deployment config {name} does not exist")
    return dig(response, "deploymentConfigInfo", "trafficRoutingConfig", "type") \
        or Unknown(f"the deployment config {name} has no traffic routing")


# ---- account-wide kinds: each reader lists and describes one kind through the account's Api --------
# A reader returns rows (resource type, resource id, facts), or Unknown when its listing was
# refused (the account then reports one all-Unknown placeholder for the kind). ``account`` is a
# :class:`prr_policies.sources.account.Account` (its api, settings-derived options and caches).

Row = tuple[str, str, Any]


# ListQueues returns a NextToken only when MaxResults is set: without it, the listing stops at
# 1,000 queues without a word. 1,000 is the largest page AWS allows.
SQS_PAGE_SIZE = 1000


def queues(account: Any) -> list[Row] | Unknown:
    urls = account.api.pages("sqs", "list_queues", "QueueUrls", MaxResults=SQS_PAGE_SIZE)
    if isinstance(urls, Unknown):
        return urls
    rows: list[Row] = []
    for url in urls:
        attrs = account.queue_attributes(url)
        facts = unknown_facts(Queue, url, attrs) if isinstance(attrs, Unknown) else dataclasses.replace(
            shapes.queue(shapes.View(attrs, f"GetQueueAttributes {url}"), attrs.get("QueueArn", url), account.dlq_suffixes),
            policy=policy_document(attrs.get("Policy"), f"GetQueueAttributes {url}"))
        rows.append(("AWS::SQS::Queue", url, facts))
    return rows


def topics(account: Any) -> list[Row] | Unknown:
    listed = account.api.pages("sns", "list_topics", "Topics")
    if isinstance(listed, Unknown):
        return listed
    rows: list[Row] = []
    for t in listed:
        got = account.api.call("sns", "get_topic_attributes", TopicArn=t["TopicArn"])
        attrs = (got or {}).get("Attributes", {}) if not isinstance(got, Unknown) else {}
        facts = unknown_facts(Topic, t["TopicArn"], got) if isinstance(got, Unknown) else dataclasses.replace(
            shapes.topic(shapes.View(attrs, "GetTopicAttributes"), t["TopicArn"]),
            policy=policy_document(attrs.get("Policy"), "GetTopicAttributes"))
        rows.append(("AWS::SNS::Topic", t["TopicArn"], facts))
    return rows


def secrets(account: Any) -> list[Row] | Unknown:
    listed = account.api.pages("secretsmanager", "list_secrets", "SecretList")
    if isinstance(listed, Unknown):
        return listed
    today = account_today(account)
    return [("AWS::SecretsManager::Secret", s["ARN"], dataclasses.replace(
        shapes.secret(shapes.View(s, "ListSecrets"), s["ARN"]), **secret_extras(shapes.View(s, "ListSecrets"), today))) for s in listed]


def account_today(account: Any) -> Any:
    """The day the audit judges ages against (the settings' evaluation date, else today)."""
    import datetime

    return getattr(account, "today", None) or datetime.date.today()


def _days_left(when: Any) -> int | None:
    """Whole days from now until ``when`` (a key's DeletionDate), None when it is not a date."""
    import datetime

    if not isinstance(when, datetime.datetime):
        return None
    now = datetime.datetime.now(when.tzinfo or datetime.timezone.utc)
    return max(0, (when - now).days)


def kms_keys(account: Any) -> list[Row] | Unknown:
    listed = account.api.pages("kms", "list_keys", "Keys")
    if isinstance(listed, Unknown):
        return listed
    rows: list[Row] = []
    for k in listed:
        meta = account.api.call("kms", "describe_key", KeyId=k["KeyId"])
        if isinstance(meta, Unknown) or meta is None:
            why = meta if isinstance(meta, Unknown) else Unknown("the key disappeared during the audit")
            rows.append(("AWS::KMS::Key", k["KeyId"], unknown_facts(KmsKey, k.get("KeyArn", k["KeyId"]), why)))
            continue
        km = meta.get("KeyMetadata", {})
        rotation: Any = None
        if km.get("KeyManager") == "CUSTOMER" and km.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT" and km.get("KeyState") == "Enabled":
            got = account.api.call("kms", "get_key_rotation_status", KeyId=k["KeyId"])
            rotation = got if isinstance(got, Unknown) else bool((got or {}).get("KeyRotationEnabled"))
        rows.append(("AWS::KMS::Key", k["KeyId"], dataclasses.replace(
            shapes.kms_key(shapes.View(km, "DescribeKey"), km.get("Arn", k["KeyId"]), rotation),
            deletion_window_days=km.get("PendingDeletionWindowInDays"), deletion_days_left=_days_left(km.get("DeletionDate")))))
    return rows


def code_signing_configs(account: Any) -> list[Row] | Unknown:
    listed = account.api.pages("lambda", "list_code_signing_configs", "CodeSigningConfigs")
    if isinstance(listed, Unknown):
        return listed
    return [("AWS::Lambda::CodeSigningConfig", c.get("CodeSigningConfigId", "<csc>"),
             shapes.code_signing_config(shapes.View(c, "ListCodeSigningConfigs"), c.get("CodeSigningConfigArn", "<csc>")))
            for c in listed]


def deployment_groups(account: Any) -> list[Row] | Unknown:
    groups = account.deployment_groups()
    if isinstance(groups, Unknown):
        return groups
    return [("AWS::CodeDeploy::DeploymentGroup", g.get("deploymentGroupId", facts.address), facts) for _app, g, facts in groups]


# REST and HTTP/WebSocket APIs: (report type, service, API list call, its key, id key, stage call parameter,
# stage list key, stage name key, ARN path segment).
_API_FAMILIES = (
    ("AWS::ApiGateway::Stage", "apigateway", "get_rest_apis", "items", "id", "restApiId", "item", "stageName", "restapis", "REST"),
    ("AWS::ApiGatewayV2::Stage", "apigatewayv2", "get_apis", "Items", "ApiId", "ApiId", "Items", "StageName", "apis", "V2"),
)


def api_stages(account: Any) -> list[Row]:
    """Stages of REST and HTTP/WebSocket APIs. A refused listing gives its own placeholder here,
    since the two API families are listed apart (a refused V2 listing must not hide REST stages)."""
    rows: list[Row] = []
    for rtype, service, list_call, items, id_key, param, stage_items, stage_name, path, kind in _API_FAMILIES:
        apis = account.api.pages(service, list_call, items)
        if isinstance(apis, Unknown):
            rows.append((rtype, "<all APIs>", unknown_facts(ApiStage, "<all APIs>", apis)))
            continue
        for api in apis:
            stages = account.api.pages(service, "get_stages", stage_items, **{param: api[id_key]})
            if isinstance(stages, Unknown):
                # api_kind too: a refused listing must not report a FAIL for stages that may not exist
                rows.append((rtype, api[id_key], unknown_facts(ApiStage, api[id_key], stages)))
                continue
            for st in stages:
                rid = f"arn:aws:apigateway:{account.region}::/{path}/{api[id_key]}/stages/{st[stage_name]}"
                view = shapes.View(st, "GetStages")
                rows.append((rtype, rid, dataclasses.replace(shapes.api_stage(view, rid, kind), **stage_extras(view, kind))))
    return rows


def stage_extras(stage: shapes.View, kind: str) -> dict[str, Any]:
    """A REST stage's client certificate and cache (GetStages, or a configuration item: Config
    records clientCertificateId and cacheClusterEnabled; an enabled cache whose method settings
    are not in the record is Unknown)."""
    if kind != "REST":
        return {"client_certificate_id": None, "cache_enabled": None, "cache_data_encrypted": None}
    enabled = stage.boolean("cacheClusterEnabled") or False
    encrypted: Any = None
    if enabled:
        settings = stage.raw("methodSettings")
        if isinstance(settings, dict):
            encrypted = bool((settings.get("*/*") or {}).get("cacheDataEncrypted"))
        else:
            encrypted = Unknown("the stage's method settings (cacheDataEncrypted) are not in the record")
    return {"client_certificate_id": stage.string("clientCertificateId"), "cache_enabled": enabled, "cache_data_encrypted": encrypted}


# ---- issue 13: the kinds it adds. Each ``*_facts`` builder reads one resource's AWS dict (a
# configuration item's configuration or a describe call's answer: the same field names) through
# a View; each reader lists and describes one account-wide kind. --------------------------------

def target_kind(arn: Any) -> str | Unknown:
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) < 6 or parts[0] != "arn":
        return Unknown(f"the target {arn!r} is not an ARN")
    return parts[2] if parts[2] in ("lambda", "sqs", "sns") else "other"


def event_rule_facts(cfg: shapes.View, address: str) -> EventRuleTargets:
    """An EventBridge rule with its targets: a configuration item's configuration (it records
    Targets), or ``{"EventBusName": ..., "Targets": ListTargetsByRule's Targets}``."""
    targets = []
    for i, raw in enumerate(cfg.raw("Targets") or []):
        t = shapes.View(raw, cfg.source, cfg._at(f"Targets[{i}]"))
        dlq = t.view("DeadLetterConfig").string("Arn") if t.has("DeadLetterConfig") else None
        retry = t.view("RetryPolicy") if t.has("RetryPolicy") else shapes.View({}, cfg.source)
        arn = t.string("Arn")
        targets.append(EventTarget(target_id=t.string("Id") or str(i), arn=arn, kind=target_kind(arn), dead_letter_arn=dlq,
                                   maximum_retry_attempts=retry.integer("MaximumRetryAttempts"),
                                   maximum_event_age_seconds=retry.integer("MaximumEventAgeInSeconds")))
    return EventRuleTargets(address=address, event_bus=cfg.string("EventBusName") or "default", targets=tuple(targets))


def event_bus_facts(cfg: shapes.View, address: str) -> EventBus:
    policy = cfg.raw("Policy")
    if isinstance(policy, Unknown):
        return EventBus(address, policy)
    return EventBus(address, shapes.View(policy, cfg.source, cfg._at("Policy")).data if policy else None)


def event_rules(account: Any) -> list[Row] | Unknown:
    buses = account.api.pages("events", "list_event_buses", "EventBuses")
    if isinstance(buses, Unknown):
        return buses
    rows: list[Row] = []
    for bus in buses:
        rules = account.api.pages("events", "list_rules", "Rules", EventBusName=bus["Name"])
        if isinstance(rules, Unknown):
            rows.append(("AWS::Events::Rule", bus["Name"], unknown_facts(EventRuleTargets, bus.get("Arn", bus["Name"]), rules)))
            continue
        for rule in rules:
            targets = account.api.pages("events", "list_targets_by_rule", "Targets", Rule=rule["Name"], EventBusName=bus["Name"])
            arn = rule.get("Arn", rule["Name"])
            facts = EventRuleTargets(arn, bus["Name"], targets) if isinstance(targets, Unknown) else \
                event_rule_facts(shapes.View({"EventBusName": bus["Name"], "Targets": targets}, "ListTargetsByRule"), arn)
            rows.append(("AWS::Events::Rule", rule["Name"], facts))
    return rows


def event_buses(account: Any) -> list[Row] | Unknown:
    buses = account.api.pages("events", "list_event_buses", "EventBuses")
    if isinstance(buses, Unknown):
        return buses
    rows: list[Row] = []
    for b in buses:  # DescribeEventBus, the call the Config rule's enrichment makes too
        got = account.api.call("events", "describe_event_bus", Name=b["Name"])
        arn = b.get("Arn", b["Name"])
        facts = EventBus(arn, got if isinstance(got, Unknown) else Unknown("the event bus disappeared during the audit")) \
            if not isinstance(got, dict) else event_bus_facts(shapes.View(got, "DescribeEventBus"), arn)
        rows.append(("AWS::Events::EventBus", b["Name"], facts))
    return rows


def policy_document(raw: Any, source: str) -> dict | None | Unknown:
    """A resource policy as AWS returns it (a JSON string, or already a mapping)."""
    if isinstance(raw, Unknown) or raw in (None, ""):
        return raw or None
    try:
        return shapes.View(raw, source, "Policy").data
    except Exception as exc:  # noqa: BLE001 - an unreadable policy cannot be judged: fail closed
        return Unknown(f"the policy cannot be read ({exc})")


def subscription_facts(attrs: shapes.View, arn: str) -> Subscription:
    """From GetSubscriptionAttributes (RedrivePolicy is a JSON string)."""
    redrive = attrs.raw("RedrivePolicy")
    target = shapes.View(redrive, attrs.source, "RedrivePolicy").string("deadLetterTargetArn") if redrive else None
    return Subscription(arn, attrs.string("Protocol"), attrs.string("Endpoint"), target)


def topic_subscriptions(account: Any) -> list[Row] | Unknown:
    """Subscriptions grouped by topic, reported against the topic."""
    listed = account.api.pages("sns", "list_subscriptions", "Subscriptions")
    if isinstance(listed, Unknown):
        return listed
    by_topic: dict[str, list[Subscription]] = {}
    for s in listed:
        arn = s.get("SubscriptionArn", "")
        if not arn.startswith("arn:"):  # pending confirmation: no attributes to read yet
            sub = Subscription(arn or "<pending>", s.get("Protocol"), s.get("Endpoint"), Unknown("the subscription is pending confirmation"))
        else:
            got = account.api.call("sns", "get_subscription_attributes", SubscriptionArn=arn)
            sub = Subscription(arn, got, got, got) if isinstance(got, Unknown) else \
                subscription_facts(shapes.View((got or {}).get("Attributes", {}), "GetSubscriptionAttributes"), arn)
        by_topic.setdefault(s.get("TopicArn", "<topic>"), []).append(sub)
    return [("AWS::SNS::Topic", topic, TopicSubscriptions(topic, tuple(subs))) for topic, subs in by_topic.items()]


def notified_function(policy: Any, function_arn: str, bucket: str) -> NotifiedFunction:
    """How a function's resource policy (GetPolicy) lets S3 invoke it for ``bucket``."""
    if isinstance(policy, Unknown):
        return NotifiedFunction(function_arn, policy, policy, policy)
    from prr_policies.sources.account import _permission  # the statement reader the permission control uses

    statements = json.loads((policy or {}).get("Policy") or "{}").get("Statement", [])
    found = NotifiedFunction(function_arn, False)
    for i, st in enumerate(statements):
        perm = _permission(st, f"{function_arn}#{i}")
        if perm.principal != "s3.amazonaws.com" or perm.source_arn not in (None, f"arn:aws:s3:::{bucket}"):
            continue
        candidate = NotifiedFunction(function_arn, True, perm.source_arn, perm.source_account)
        if not found.permission_found or candidate.source_account and candidate.source_arn:
            found = candidate
    return found


def bucket_facts(name: str, arn: str, versioning: Any, functions: Any) -> Bucket:
    return Bucket(arn, name, versioning if isinstance(versioning, Unknown) else (versioning if versioning in ("Enabled", "Suspended") else None),
                  functions)


def buckets(account: Any) -> list[Row] | Unknown:
    listed = account.api.pages("s3", "list_buckets", "Buckets")
    if isinstance(listed, Unknown):
        return listed
    rows: list[Row] = []
    for b in listed:
        name = b["Name"]
        where = account.api.call("s3", "get_bucket_location", Bucket=name)
        region = (where or {}).get("LocationConstraint") or "us-east-1" if isinstance(where, dict) else None
        if region is not None and region != account.region:
            continue  # the audit reads one region
        got = account.api.call("s3", "get_bucket_versioning", Bucket=name)
        versioning = got if isinstance(got, Unknown) else (got or {}).get("Status")
        notes = account.api.call("s3", "get_bucket_notification_configuration", Bucket=name)
        functions: Any
        if isinstance(notes, Unknown):
            functions = notes
        else:
            arns = list(dict.fromkeys(c["LambdaFunctionArn"] for c in (notes or {}).get("LambdaFunctionConfigurations", [])))
            functions = tuple(notified_function(account.api.call("lambda", "get_policy", FunctionName=arn), arn, name) for arn in arns)
        rows.append(("AWS::S3::Bucket", name, bucket_facts(name, f"arn:aws:s3:::{name}", versioning, functions)))
    return rows


def table_facts(cfg: shapes.View, address: str, pitr: Any, backup: Any) -> Table:
    replicas = tuple(r.get("RegionName") or r.get("regionName") for r in cfg.raw("Replicas") or [] if isinstance(r, dict)) or None
    return Table(address, cfg.string("TableName"), pitr, backup, replicas)


def backup_selected_arns(account: Any) -> set[str] | Unknown:
    """Resource ARNs (and the '*' wildcard) the account's AWS Backup selections name, read once."""
    plans = account.api.pages("backup", "list_backup_plans", "BackupPlansList")
    if isinstance(plans, Unknown):
        return plans
    out: set[str] = set()
    for plan in plans:
        selections = account.api.pages("backup", "list_backup_selections", "BackupSelectionsList", BackupPlanId=plan["BackupPlanId"])
        if isinstance(selections, Unknown):
            return selections
        for s in selections:
            got = account.api.call("backup", "get_backup_selection", BackupPlanId=plan["BackupPlanId"], SelectionId=s["SelectionId"])
            if isinstance(got, Unknown):
                return got
            out.update(((got or {}).get("BackupSelection") or {}).get("Resources") or [])
    return out


def tables(account: Any) -> list[Row] | Unknown:
    names = account.api.pages("dynamodb", "list_tables", "TableNames")
    if isinstance(names, Unknown):
        return names
    selected = backup_selected_arns(account) if names else set()
    rows: list[Row] = []
    for name in names:
        described = account.api.call("dynamodb", "describe_table", TableName=name)
        if not isinstance(described, dict):
            why = described if isinstance(described, Unknown) else Unknown("the table disappeared during the audit")
            rows.append(("AWS::DynamoDB::Table", name, unknown_facts(Table, name, why)))
            continue
        t = described.get("Table", {})
        backups = account.api.call("dynamodb", "describe_continuous_backups", TableName=name)
        pitr = backups if isinstance(backups, Unknown) else dig(backups, "ContinuousBackupsDescription", "PointInTimeRecoveryDescription",
                                                                 "PointInTimeRecoveryStatus") == "ENABLED"
        arn = t.get("TableArn", name)
        backup = selected if isinstance(selected, Unknown) else bool({"*", arn} & selected)
        rows.append(("AWS::DynamoDB::Table", name, table_facts(shapes.View(t, "DescribeTable"), arn, pitr, backup)))
    return rows


def metric_alarm_facts(a: shapes.View, address: str) -> MetricAlarm:
    """From DescribeAlarms' MetricAlarms entry or an AWS::CloudWatch::Alarm configuration item."""
    enabled = a.boolean("ActionsEnabled")
    return MetricAlarm(address, a.string("AlarmName"), a.string("Namespace"), a.string("MetricName"), a.number("Threshold"),
                       True if enabled is None else enabled, tuple(a.strings("AlarmActions") or ()))


def metric_alarms(account: Any) -> list[Row] | Unknown:
    listed = account.api.pages("cloudwatch", "describe_alarms", "MetricAlarms")
    if isinstance(listed, Unknown):
        return listed
    return [("AWS::CloudWatch::Alarm", a["AlarmName"], metric_alarm_facts(shapes.View(a, "DescribeAlarms"), a.get("AlarmArn", a["AlarmName"])))
            for a in listed]


def _watch(a: dict) -> AlarmWatch:
    return AlarmWatch(a.get("AlarmName", "<alarm>"), a.get("Namespace"), a.get("MetricName"),
                      float(a["Threshold"]) if isinstance(a.get("Threshold"), (int, float)) else None,
                      bool(a.get("AlarmActions")) and a.get("ActionsEnabled", True) is not False)


def watched_resources(account: Any) -> list[Row] | Unknown:
    """Functions, dead-letter and event-source queues and API stages, each with the alarms whose
    dimensions name it (DescribeAlarms, read once)."""
    listed = account.api.pages("cloudwatch", "describe_alarms", "MetricAlarms")
    if isinstance(listed, Unknown):
        return listed
    by_dimension: dict[tuple, list[AlarmWatch]] = {}
    for a in listed:
        dims = {d.get("Name"): d.get("Value") for d in a.get("Dimensions") or []}
        # ApiName/ApiId without Stage is the API's metric over all its stages: it watches each stage.
        for key in (("FunctionName",), ("QueueName",), ("ApiName", "Stage"), ("ApiId", "Stage"), ("ApiName",), ("ApiId",)):
            if all(k in dims for k in key) and (len(key) > 1 or key[0] not in ("ApiName", "ApiId") or "Stage" not in dims):
                by_dimension.setdefault(key + tuple(dims[k] for k in key), []).append(_watch(a))
    rows: list[Row] = []
    fns = account.api.pages("lambda", "list_functions", "Functions")
    groups = account.deployment_groups()
    esms = account.api.pages("lambda", "list_event_source_mappings", "EventSourceMappings")
    dead_letter_targets = set()
    if isinstance(fns, Unknown):
        rows.append(("AWS::Lambda::Function", "<all functions>", unknown_facts(WatchedResource, "<all functions>", fns)))
        fns = []
    for f in fns:
        name = f["FunctionName"]
        dead_letter_targets.add(dig(f, "DeadLetterConfig", "TargetArn"))
        group: Any = groups
        if not isinstance(groups, Unknown):
            wanted = account.group_name.format(function=name)
            group = next((tuple(x.get("name") for x in (g.get("alarmConfiguration") or {}).get("alarms") or [])
                          for _app, g, _facts in groups if g.get("deploymentGroupName") == wanted), None)
        rows.append(("AWS::Lambda::Function", name, WatchedResource(f["FunctionArn"], "function",
                                                                    tuple(by_dimension.get(("FunctionName", name), ())), None, group)))
    urls = account.api.pages("sqs", "list_queues", "QueueUrls", MaxResults=SQS_PAGE_SIZE)
    if isinstance(urls, Unknown):
        rows.append(("AWS::SQS::Queue", "<all queues>", unknown_facts(WatchedResource, "<all queues>", urls)))
        urls = []
    attrs = {url: account.queue_attributes(url) for url in urls}
    for a in attrs.values():
        if isinstance(a, dict) and a.get("RedrivePolicy"):
            dead_letter_targets.add(shapes.View(a["RedrivePolicy"], "RedrivePolicy").string("deadLetterTargetArn"))
    sources = esms if isinstance(esms, Unknown) else {m.get("EventSourceArn") for m in esms}
    for url, a in attrs.items():
        name = url.rsplit("/", 1)[-1]
        if isinstance(a, Unknown):
            rows.append(("AWS::SQS::Queue", url, WatchedResource(url, "dlq", a)))
            continue
        arn = a.get("QueueArn", url)
        watches = tuple(by_dimension.get(("QueueName", name), ()))
        if a.get("RedriveAllowPolicy") or arn in dead_letter_targets or name.endswith(account.dlq_suffixes):
            rows.append(("AWS::SQS::Queue", url, WatchedResource(arn, "dlq", watches)))
        if isinstance(sources, Unknown):
            rows.append(("AWS::SQS::Queue", url, WatchedResource(arn, "event_source_queue", sources)))
        elif arn in sources:
            rows.append(("AWS::SQS::Queue", url, WatchedResource(arn, "event_source_queue", watches)))
    for rtype, service, list_call, items, id_key, param, stage_items, stage_name, path, kind in _API_FAMILIES:
        apis = account.api.pages(service, list_call, items)
        if isinstance(apis, Unknown):
            rows.append((rtype, "<all APIs>", unknown_facts(WatchedResource, "<all APIs>", apis)))
            continue
        for api in apis:
            stages = account.api.pages(service, "get_stages", stage_items, **{param: api[id_key]})
            if isinstance(stages, Unknown):
                rows.append((rtype, api[id_key], WatchedResource(api[id_key], "api_stage", stages, kind)))
                continue
            for st in stages:
                rid = f"arn:aws:apigateway:{account.region}::/{path}/{api[id_key]}/stages/{st[stage_name]}"
                key = ("ApiName", "Stage", api.get("name"), st[stage_name]) if kind == "REST" else ("ApiId", "Stage", api[id_key], st[stage_name])
                rows.append((rtype, rid, WatchedResource(rid, "api_stage", tuple(by_dimension.get(key, ()))
                                                         + tuple(by_dimension.get(key[:1] + key[2:3], ())), kind)))
    return rows


def usage_plan_facts(p: shapes.View, address: str) -> UsagePlan:
    throttle = p.view("throttle") if p.has("throttle") else shapes.View({}, p.source)
    quota = p.view("quota") if p.has("quota") else shapes.View({}, p.source)
    return UsagePlan(address, throttle.number("rateLimit"), throttle.integer("burstLimit"), quota.integer("limit"), quota.string("period"))


def usage_plans(account: Any) -> list[Row] | Unknown:
    listed = account.api.pages("apigateway", "get_usage_plans", "items")
    if isinstance(listed, Unknown):
        return listed
    return [("AWS::ApiGateway::UsagePlan", p["id"], usage_plan_facts(shapes.View(p, "GetUsagePlans"), p["id"])) for p in listed]


def _v2_children(account: Any, call: str, build: Any, rtype: str) -> list[Row] | Unknown:
    """Routes or integrations of every HTTP and WebSocket API."""
    apis = account.api.pages("apigatewayv2", "get_apis", "Items")
    if isinstance(apis, Unknown):
        return apis
    rows: list[Row] = []
    for api in apis:
        items = account.api.pages("apigatewayv2", call, "Items", ApiId=api["ApiId"])
        if isinstance(items, Unknown):
            rows.append((rtype, api["ApiId"], build(api, None, items)))
            continue
        rows += [(rtype, rid, facts) for rid, facts in (build(api, item, None) for item in items)]
    return rows


def api_routes(account: Any) -> list[Row] | Unknown:
    def build(api: dict, route: dict | None, why: Unknown | None) -> Any:
        if why is not None:
            return unknown_facts(ApiRoute, api["ApiId"], why)
        rid = f"{api['ApiId']}/{route.get('RouteId')}"  # type: ignore[union-attr]
        return rid, ApiRoute(rid, route.get("RouteKey"), route.get("AuthorizationType") or "NONE")  # type: ignore[union-attr]
    return _v2_children(account, "get_routes", build, "AWS::ApiGatewayV2::Route")


def api_integrations(account: Any) -> list[Row] | Unknown:
    def build(api: dict, integration: dict | None, why: Unknown | None) -> Any:
        if why is not None:
            return unknown_facts(ApiIntegration, api["ApiId"], why)
        rid = f"{api['ApiId']}/{integration.get('IntegrationId')}"  # type: ignore[union-attr]
        return rid, ApiIntegration(rid, integration.get("ConnectionType") or "INTERNET",  # type: ignore[union-attr]
                                   dig(integration, "TlsConfig", "ServerNameToVerify"))
    return _v2_children(account, "get_integrations", build, "AWS::ApiGatewayV2::Integration")


def api_domains(account: Any) -> list[Row]:
    rows: list[Row] = []
    rest = account.api.pages("apigateway", "get_domain_names", "items")
    if isinstance(rest, Unknown):
        rows.append(("AWS::ApiGateway::DomainName", "<all REST domain names>", unknown_facts(ApiDomain, "<all REST domain names>", rest)))
    else:
        rows += [("AWS::ApiGateway::DomainName", d["domainName"], ApiDomain(d["domainName"], "REST", d.get("securityPolicy")))
                 for d in rest]
    v2 = account.api.pages("apigatewayv2", "get_domain_names", "Items")
    if isinstance(v2, Unknown):
        rows.append(("AWS::ApiGatewayV2::DomainName", "<all HTTP API domain names>", unknown_facts(ApiDomain, "<all HTTP API domain names>", v2)))
    else:
        rows += [("AWS::ApiGatewayV2::DomainName", d["DomainName"],
                  ApiDomain(d["DomainName"], "V2", ((d.get("DomainNameConfigurations") or [{}])[0]).get("SecurityPolicy"))) for d in v2]
    return rows


def web_acl_facts(acl: shapes.View, address: str, protects: Any) -> WebAcl:
    """From GetWebACL's WebACL or an AWS::WAFv2::WebACL configuration item (both carry Rules)."""
    rate, groups = False, []

    def walk(statement: Any) -> None:
        nonlocal rate
        if not isinstance(statement, dict):
            return
        for key, value in statement.items():
            k = key.lower()
            if k == "ratebasedstatement":
                rate = True
            elif k == "managedrulegroupstatement" and isinstance(value, dict):
                name = value.get("Name") or value.get("name")
                if isinstance(name, str):
                    groups.append(name)
            if isinstance(value, dict):
                walk(value)
            elif isinstance(value, list):
                for x in value:
                    walk(x)

    for rule in acl.raw("Rules") or []:
        if isinstance(rule, dict):
            walk(rule.get("Statement") or rule.get("statement"))
    return WebAcl(address, rate, tuple(groups), protects)


def api_stage_protection(api: Any, arn: str) -> bool | Unknown:
    """Whether a web ACL is associated with an API Gateway stage (ListResourcesForWebACL)."""
    got = api.call("wafv2", "list_resources_for_web_acl", WebACLArn=arn, ResourceType="API_GATEWAY")
    return got if isinstance(got, Unknown) else bool((got or {}).get("ResourceArns"))


def web_acls(account: Any) -> list[Row] | Unknown:
    listed = account.api.pages("wafv2", "list_web_acls", "WebACLs", Scope="REGIONAL")
    if isinstance(listed, Unknown):
        return listed
    rows: list[Row] = []
    for w in listed:
        got = account.api.call("wafv2", "get_web_acl", Name=w["Name"], Scope="REGIONAL", Id=w["Id"])
        protects = api_stage_protection(account.api, w["ARN"])
        facts = WebAcl(w["ARN"], got, got, protects) if not isinstance(got, dict) else \
            web_acl_facts(shapes.View(got.get("WebACL") or {}, "GetWebACL"), w["ARN"], protects)
        rows.append(("AWS::WAFv2::WebACL", w["Id"], facts))
    return rows


def secret_extras(s: shapes.View, today: Any) -> dict[str, Any]:
    """Whether rotation happens on schedule, and days since the secret was last read, from
    ListSecrets / DescribeSecret (Config records RotationOccurringAsScheduled itself)."""
    import datetime

    def day(key: str) -> Any:
        v = s.raw(key)
        if isinstance(v, datetime.datetime):
            return v.date()
        if isinstance(v, str):
            try:
                return datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).date()
            except ValueError:
                return None
        return None

    on_schedule: Any = None
    if s.boolean("RotationEnabled"):
        if s.has("RotationOccurringAsScheduled"):
            on_schedule = s.boolean("RotationOccurringAsScheduled")
        else:
            nxt = day("NextRotationDate")
            on_schedule = (nxt >= today) if nxt else Unknown("the secret has no NextRotationDate")
    accessed = day("LastAccessedDate")
    created = day("CreatedDate")
    last = accessed or created
    return {"rotation_on_schedule": on_schedule,
            "days_since_last_access": (today - last).days if last else Unknown("the secret has no LastAccessedDate")}


def policy_facts(document: Any, address: str, inline: bool, boundary_only: bool = False) -> IamPolicy:
    return IamPolicy(address, policy_document(document, address) if not isinstance(document, dict) else document, inline,
                     boundary_only)


def boundary_only(attachments: Any, boundary_uses: Any) -> bool:
    """Whether a managed policy serves only as a permissions boundary: both counts known, used as a
    boundary, attached to no one (ListPolicies, or Config's attachmentCount/permissionsBoundaryUsageCount)."""
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (attachments, boundary_uses))
    return bool(numbers and boundary_uses > 0 and attachments == 0)


def iam_policies(account: Any) -> list[Row] | Unknown:
    """Customer managed policies (their default version) and the inline policies of every role."""
    import urllib.parse

    listed = account.api.pages("iam", "list_policies", "Policies", Scope="Local")
    if isinstance(listed, Unknown):
        return listed
    rows: list[Row] = []
    for p in listed:
        got = account.api.call("iam", "get_policy_version", PolicyArn=p["Arn"], VersionId=p.get("DefaultVersionId", "v1"))
        doc = got if isinstance(got, Unknown) else dig(got, "PolicyVersion", "Document")
        if isinstance(doc, str):
            doc = urllib.parse.unquote(doc)
        rows.append(("AWS::IAM::Policy", p.get("PolicyId", p["Arn"]),
                     policy_facts(doc, p["Arn"], False, boundary_only(p.get("AttachmentCount"), p.get("PermissionsBoundaryUsageCount")))))
    roles = account.api.pages("iam", "list_roles", "Roles")
    if isinstance(roles, Unknown):
        rows.append(("AWS::IAM::Role", "<all roles>", IamPolicy("<all roles>", roles, True)))
        return rows
    for r in roles:
        names = account.api.pages("iam", "list_role_policies", "PolicyNames", RoleName=r["RoleName"])
        if isinstance(names, Unknown):
            rows.append(("AWS::IAM::Role", r["RoleName"], IamPolicy(r["Arn"], names, True)))
            continue
        for name in names:
            got = account.api.call("iam", "get_role_policy", RoleName=r["RoleName"], PolicyName=name)
            doc = got if isinstance(got, Unknown) else (got or {}).get("PolicyDocument")
            if isinstance(doc, str):
                doc = urllib.parse.unquote(doc)
            rows.append(("AWS::IAM::Role", r["RoleName"], policy_facts(doc, f"{r['Arn']}#{name}", True)))
    return rows


# Services that invoke a function asynchronously (the Terraform side's list, one place).
_ASYNC_PRINCIPALS = ("s3", "sns", "events", "logs", "ses", "iot", "cloudwatch", "codecommit", "config")


def _policy_services(policy: Any) -> tuple[str, ...] | Unknown:
    """The services a function's resource policy lets invoke it (GetPolicy)."""
    if isinstance(policy, Unknown):
        return policy
    if not policy:
        return ()
    doc = policy_document(policy.get("Policy"), "GetPolicy")
    if isinstance(doc, Unknown):
        return doc
    out = []
    for st in (doc or {}).get("Statement") or []:
        principal = st.get("Principal") if isinstance(st, dict) else None
        service = principal.get("Service") if isinstance(principal, dict) else None
        for s in [service] if isinstance(service, str) else service or []:
            if isinstance(s, str) and s.endswith(".amazonaws.com"):
                out.append(s.split(".")[0])
    return tuple(out)


def function_idempotency(account: Any) -> list[Row] | Unknown:
    """What delivers events to each function at least once (event source mappings, asynchronous
    invocation configs, grants to services that invoke asynchronously), its tags and its
    environment variables' names."""
    fns = account.api.pages("lambda", "list_functions", "Functions")
    if isinstance(fns, Unknown):
        return fns
    esms = account.api.pages("lambda", "list_event_source_mappings", "EventSourceMappings")
    rows: list[Row] = []
    for f in fns:
        name, arn = f["FunctionName"], f["FunctionArn"]
        labels: list[str] = []
        doubts: list[Unknown] = []
        if isinstance(esms, Unknown):
            doubts.append(esms)
        else:
            for m in esms:
                fn = str(m.get("FunctionArn") or "")
                if fn == arn or fn.startswith(arn + ":"):
                    src = str(m.get("EventSourceArn") or "")
                    labels.append(src.split(":")[2] if src.count(":") >= 5 else "an event source mapping")
        config = account.api.call("lambda", "get_function_event_invoke_config", FunctionName=name)
        if isinstance(config, Unknown):
            doubts.append(config)
        elif config:
            labels.append("async")
        services = _policy_services(account.api.call("lambda", "get_policy", FunctionName=name))
        if isinstance(services, Unknown):
            doubts.append(services)
        else:
            labels += [f"async:{s}" for s in services if s in _ASYNC_PRINCIPALS]
        delivered: Any = tuple(sorted(set(labels))) if labels or not doubts else doubts[0]
        tags = account.api.call("lambda", "list_tags", Resource=arn)
        pairs = tags if isinstance(tags, Unknown) else tuple(sorted(((tags or {}).get("Tags") or {}).items()))
        names = tuple(((f.get("Environment") or {}).get("Variables") or {}).keys())
        rows.append(("AWS::Lambda::Function", name, FunctionIdempotency(arn, delivered, pairs, names)))
    return rows


def provisioned_concurrency(account: Any) -> list[Row] | Unknown:
    """Each provisioned concurrency config of each function (reported as ``name:qualifier``), with
    the function's reserved concurrency and the amount its configs ask for together; a function
    without one gives a row of its own (nothing provisioned)."""
    fns = account.api.pages("lambda", "list_functions", "Functions")
    if isinstance(fns, Unknown):
        return fns
    rows: list[Row] = []
    for f in fns:
        name, arn = f["FunctionName"], f["FunctionArn"]
        configs = account.api.pages("lambda", "list_provisioned_concurrency_configs", "ProvisionedConcurrencyConfigs", FunctionName=name)
        if isinstance(configs, Unknown):
            rows.append(("AWS::Lambda::Function", name, unknown_facts(ProvisionedConcurrency, arn, configs)))
            continue
        if not configs:
            rows.append(("AWS::Lambda::Function", name, ProvisionedConcurrency(arn, arn)))
            continue
        got = account.api.call("lambda", "get_function_concurrency", FunctionName=name)
        reserved = got if isinstance(got, Unknown) else (got or {}).get("ReservedConcurrentExecutions")
        amounts = [c.get("RequestedProvisionedConcurrentExecutions") for c in configs]
        total: Any = sum(amounts) if all(isinstance(a, int) for a in amounts) else \
            Unknown("ListProvisionedConcurrencyConfigs gave a config without its requested amount")
        for c in configs:
            qualifier = str(c.get("FunctionArn") or "").rsplit(":", 1)[-1]  # a qualified ARN: function:name:qualifier
            kind = "latest" if qualifier == "$LATEST" else "version" if qualifier.isdigit() else "alias"
            amount = c.get("RequestedProvisionedConcurrentExecutions")
            rows.append(("AWS::Lambda::Function", f"{name}:{qualifier}", ProvisionedConcurrency(
                f"{arn}:{qualifier}", arn, qualifier, kind,
                amount if isinstance(amount, int) else Unknown("the config has no requested amount"), total, reserved)))
    return rows


def budget_facts(b: dict, notified: Any) -> Budget:
    limit = b.get("BudgetLimit") or {}
    amount: Any = None
    if limit.get("Amount") is not None:
        try:
            amount = float(limit["Amount"])
        except (TypeError, ValueError):
            amount = Unknown(f"the budget's limit is not a number ({limit.get('Amount')!r})")
    elif b.get("PlannedBudgetLimits"):
        amount = Unknown("the budget has planned limits per period, which are not compared with the cost KPI")
    return Budget(b.get("BudgetName", "<budget>"), b.get("BudgetType"), amount, limit.get("Unit"), b.get("TimeUnit"), notified)


def _account_id(account: Any) -> str | Unknown:
    """The audited account's id (sts:GetCallerIdentity)."""
    me = account.api.call("sts", "get_caller_identity")
    if isinstance(me, Unknown):
        return me
    return me["Account"] if me and me.get("Account") else Unknown("sts:GetCallerIdentity gave no account")


def account_budgets(account: Any) -> list[Row] | Unknown:
    """Every budget of the account (Budgets is global: one answer whatever the Region) and whether
    each notifies (a notification cannot exist without a subscriber)."""
    acct = _account_id(account)
    if isinstance(acct, Unknown):
        return acct
    listed = account.api.pages("budgets", "describe_budgets", "Budgets", AccountId=acct)
    if isinstance(listed, Unknown):
        return [("AWS::::Account", acct, AccountBudgets(acct, listed, True))]
    budgets = []
    for b in listed:
        notes = account.api.pages("budgets", "describe_notifications_for_budget", "Notifications", AccountId=acct,
                                  BudgetName=b.get("BudgetName", ""))
        budgets.append(budget_facts(b, notes if isinstance(notes, Unknown) else bool(notes)))
    return [("AWS::::Account", acct, AccountBudgets(acct, tuple(budgets), True))]


def guardduty_protection(account: Any) -> list[Row] | Unknown:
    """GuardDuty Lambda Protection for the account in the Region: its detector (GuardDuty allows one
    per account and Region), whether it is enabled, and the status of its LAMBDA_NETWORK_LOGS feature."""
    acct = _account_id(account)
    if isinstance(acct, Unknown):
        return acct
    ids = account.api.pages("guardduty", "list_detectors", "DetectorIds")
    if isinstance(ids, Unknown):
        return [("AWS::::Account", acct, GuardDutyProtection(acct, ids, ids, None, True))]
    if not ids:
        return [("AWS::::Account", acct, GuardDutyProtection(acct, None, None, None, True))]
    got = account.api.call("guardduty", "get_detector", DetectorId=ids[0])
    if isinstance(got, Unknown) or got is None:
        why = got if isinstance(got, Unknown) else Unknown(f"the detector {ids[0]} was listed but could not be read")
        return [("AWS::::Account", acct, GuardDutyProtection(acct, why, why, None, True))]
    feature = next((f for f in got.get("Features") or [] if f.get("Name") == "LAMBDA_NETWORK_LOGS"), None)
    status = feature.get("Status") if feature else None
    return [("AWS::::Account", acct, GuardDutyProtection(acct, got.get("Status") == "ENABLED", status, None, True))]


def inspector_scanning(account: Any) -> list[Row] | Unknown:
    """Amazon Inspector's Lambda scans for the account in the Region (inspector2:BatchGetAccountStatus:
    resourceState.lambda for standard scanning, resourceState.lambdaCode for code scanning)."""
    acct = _account_id(account)
    if isinstance(acct, Unknown):
        return acct
    got = account.api.call("inspector2", "batch_get_account_status", accountIds=[acct])
    if isinstance(got, Unknown) or got is None:
        why = got if isinstance(got, Unknown) else Unknown("Inspector gave no answer")
        return [("AWS::::Account", acct, InspectorScanning(acct, why, why, True))]
    mine = next((a for a in got.get("accounts") or [] if a.get("accountId") == acct), None)
    if mine is None:
        failed = next((a for a in got.get("failedAccounts") or [] if a.get("accountId") == acct), None)
        why = Unknown(f"Inspector could not give the account's status ({failed.get('errorCode')}: {failed.get('errorMessage')})"
                      if failed else "Inspector reported no status for the account")
        return [("AWS::::Account", acct, InspectorScanning(acct, why, why, True))]
    state = mine.get("resourceState") or {}
    return [("AWS::::Account", acct, InspectorScanning(acct, (state.get("lambda") or {}).get("status"),
                                                       (state.get("lambdaCode") or {}).get("status"), True))]
