"""Facts: what every source (Terraform, Config, boto3) says about a resource, in one shape.

``None`` means "not set". ``Unknown(reason)`` means "set, but the value cannot be known here"
(an unresolved Terraform variable, a value known only after apply, a field the source does not
record). Rules must treat the two differently: unset is a fact, Unknown fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TypeVar, Union

T = TypeVar("T")


@dataclass(frozen=True)
class Unknown:
    reason: str

    def __bool__(self) -> bool:  # an Unknown must never be taken for a truthy value by accident
        raise TypeError(f"truth value of Unknown ({self.reason}) is undefined")


Maybe = Union[T, None, Unknown]


@dataclass(frozen=True)
class ExecutionRoleFacts:
    """The function's execution role, as far as the source can see it."""

    address: str
    permissions_boundary: Maybe[str]
    # How many functions in scope use this role (1 = dedicated).
    functions_using_role: int | Unknown


@dataclass(frozen=True)
class EnvironmentVariable:
    """One environment variable of a function. ``origin`` says where its value comes from:
    ``literal`` (written in the configuration, or deployed), ``reference`` (another resource's
    attribute, known at apply time: not a literal), ``secret_value`` (the value of a secret or
    SecureString parameter copied into the environment: the plaintext ends up in the function's
    configuration)."""

    name: str
    value: Maybe[str] = None
    origin: str = "literal"


@dataclass(frozen=True)
class LambdaFunction:
    address: str  # Terraform address, ARN or function name: whatever names it in the source
    package_type: Maybe[str] = "Zip"
    runtime: Maybe[str] = None
    tracing_mode: Maybe[str] = None
    reserved_concurrency: Maybe[int] = None  # -1 = unreserved (Terraform's default)
    timeout: Maybe[int] = None
    memory_size: Maybe[int] = None
    # True/False when the source knows whether any environment variables are set.
    has_environment_variables: bool | Unknown = False
    kms_key_arn: Maybe[str] = None
    code_signing_config_arn: Maybe[str] = None
    dead_letter_target_arn: Maybe[str] = None
    # The on-failure destination of the asynchronous invocation config, when one exists.
    on_failure_destination: Maybe[str] = None
    vpc_subnet_ids: Maybe[tuple[str, ...]] = None
    role: Maybe[ExecutionRoleFacts] = None
    # issue 13 (appended; every source fills them)
    environment: Maybe[tuple[EnvironmentVariable, ...]] = None
    architectures: Maybe[tuple[str, ...]] = None  # None: Lambda's default, x86_64
    layers: Maybe[tuple[str, ...]] = None
    log_format: Maybe[str] = None  # None: Lambda's default, Text
    application_log_level: Maybe[str] = None
    system_log_level: Maybe[str] = None
    log_group: Maybe[str] = None  # a custom log group from logging_config; None: /aws/lambda/<name>
    vpc_availability_zones: Maybe[tuple[str, ...]] = None  # of its subnets


@dataclass(frozen=True)
class FunctionUrl:
    address: str
    authorization_type: Maybe[str] = None


@dataclass(frozen=True)
class LambdaPermission:
    address: str
    principal: Maybe[str] = None
    action: Maybe[str] = None
    source_arn: Maybe[str] = None
    source_account: Maybe[str] = None
    principal_org_id: Maybe[str] = None


# ---- event sources, APIs, data stores and release facts (issue 5) -------------------------

@dataclass(frozen=True)
class ApiStage:
    """An API Gateway stage: REST (``AWS::ApiGateway::Stage``) or HTTP/WebSocket (V2)."""

    address: str
    api_kind: str  # "REST" | "V2"
    web_acl_arn: Maybe[str] = None
    xray_enabled: Maybe[bool] = None
    execution_logging_level: Maybe[str] = None  # OFF | ERROR | INFO, for every method (REST) or the default route
    access_log_destination: Maybe[str] = None
    throttling_rate_limit: Maybe[float] = None
    throttling_burst_limit: Maybe[int] = None
    # issue 13 (REST stages)
    client_certificate_id: Maybe[str] = None
    cache_enabled: Maybe[bool] = None
    cache_data_encrypted: Maybe[bool] = None


@dataclass(frozen=True)
class Queue:
    address: str
    kms_master_key_id: Maybe[str] = None
    sqs_managed_sse: Maybe[bool] = None
    redrive_target_arn: Maybe[str] = None
    max_receive_count: Maybe[int] = None
    # A queue other queues may use as their DLQ (a RedriveAllowPolicy, or a DLQ name suffix).
    is_dead_letter_queue: bool | Unknown = False
    visibility_timeout: Maybe[int] = None
    policy: Maybe[dict] = None  # the queue's access policy (issue 13); None: no policy


@dataclass(frozen=True)
class Topic:
    address: str
    kms_master_key_id: Maybe[str] = None
    policy: Maybe[dict] = None  # the topic's access policy (issue 13); None: no policy


@dataclass(frozen=True)
class Secret:
    address: str
    kms_key_id: Maybe[str] = None
    rotation_enabled: Maybe[bool] = None
    rotation_days: Maybe[int] = None  # AutomaticallyAfterDays (or hours / 24)
    # issue 13: whether scheduled rotation happens (None: rotation not enabled), days since last read
    rotation_on_schedule: Maybe[bool] = None
    days_since_last_access: Maybe[int] = None


@dataclass(frozen=True)
class KmsKey:
    address: str
    key_manager: Maybe[str] = None  # AWS | CUSTOMER
    key_spec: Maybe[str] = None
    key_state: Maybe[str] = None
    origin: Maybe[str] = None
    rotation_enabled: Maybe[bool] = None
    # issue 13: the waiting period before deletion (Terraform: configured or AWS's 30; live: DescribeKey
    # reports it only for a multi-Region primary pending replica deletion, else None)
    deletion_window_days: Maybe[int] = None
    # live, a key pending deletion: whole days left until its DeletionDate (the window is at least that)
    deletion_days_left: Maybe[int] = None


@dataclass(frozen=True)
class CodeSigningConfig:
    address: str
    untrusted_artifact_on_deployment: Maybe[str] = None  # Warn | Enforce
    signing_profile_version_arns: Maybe[tuple[str, ...]] = None


@dataclass(frozen=True)
class DeploymentGroup:
    address: str
    compute_platform: Maybe[str] = None  # Lambda | Server | ECS
    deployment_config_name: Maybe[str] = None
    # TimeBasedCanary | TimeBasedLinear | AllAtOnce, from the deployment config
    deployment_config_type: Maybe[str] = None
    alarms_enabled: Maybe[bool] = None
    alarm_names: Maybe[tuple[str, ...]] = None
    auto_rollback_enabled: Maybe[bool] = None
    auto_rollback_events: Maybe[tuple[str, ...]] = None


@dataclass(frozen=True)
class IamRole:
    address: str
    trusted_services: Maybe[tuple[str, ...]] = None  # service principals in the trust policy
    permissions_boundary: Maybe[str] = None


@dataclass(frozen=True)
class EventSourceMapping:
    address: str  # the mapping's UUID or ARN
    function: Maybe[str] = None
    source_arn: Maybe[str] = None
    source_kind: Maybe[str] = None  # sqs | kinesis | dynamodb | kafka | mq | docdb
    function_response_types: Maybe[tuple[str, ...]] = None
    maximum_retry_attempts: Maybe[int] = None  # -1 = infinite (streams)
    maximum_record_age_seconds: Maybe[int] = None  # -1 = infinite (streams)
    on_failure_destination: Maybe[str] = None
    queue_visibility_timeout: Maybe[int] = None  # the SQS source's, seconds
    function_timeout: Maybe[int] = None


@dataclass(frozen=True)
class FunctionLogGroup:
    """The log group a function writes to (``/aws/lambda/<name>`` or its LoggingConfig)."""

    address: str  # the function
    log_group: Maybe[str] = None  # its name, None when it does not exist
    retention_days: Maybe[int] = None  # None = never expire
    kms_key_id: Maybe[str] = None
    shared_with: Maybe[tuple[str, ...]] = None  # other functions writing to the same group


@dataclass(frozen=True)
class FunctionRelease:
    """How a function that serves traffic is released."""

    address: str
    serving_traffic: bool | Unknown = False  # has an event source, a resource-policy grant or a URL
    aliases: Maybe[tuple[str, ...]] = None
    provisioned_concurrency_qualifiers: Maybe[tuple[str, ...]] = None
    deployment_group: "DeploymentGroup | None | Unknown" = None


def unknown_facts(facts_type: type[T], address: str, why: Unknown) -> T:
    """Facts of ``facts_type`` whose every field but the address is ``why``: what a source
    reports for a resource (or a whole listing) it could not read, so each rule says UNKNOWN."""
    names = [f.name for f in fields(facts_type) if f.init and f.name != "address"]  # type: ignore[arg-type]
    return facts_type(address=address, **{n: why for n in names})  # type: ignore[call-arg]


# ---- issue 13: event delivery, observability, resilience and cost --------------------------------

@dataclass(frozen=True)
class EventTarget:
    """One target of an EventBridge rule. ``kind``: lambda | sqs | sns | other."""

    target_id: str
    arn: Maybe[str] = None
    kind: Maybe[str] = None
    dead_letter_arn: Maybe[str] = None
    maximum_retry_attempts: Maybe[int] = None  # None: EventBridge's default, 185
    maximum_event_age_seconds: Maybe[int] = None  # None: EventBridge's default, 86400


@dataclass(frozen=True)
class EventRuleTargets:
    """The targets of an EventBridge rule (Terraform: one aws_cloudwatch_event_target each)."""

    address: str
    event_bus: Maybe[str] = "default"
    targets: Maybe[tuple[EventTarget, ...]] = None


@dataclass(frozen=True)
class EventBus:
    """An EventBridge event bus and its resource-based policy (None: no policy)."""

    address: str
    policy: Maybe[dict] = None


@dataclass(frozen=True)
class Subscription:
    """One SNS subscription; ``redrive_target_arn`` is the DLQ of its redrive policy."""

    subscription: str  # its ARN, or its Terraform address
    protocol: Maybe[str] = None
    endpoint: Maybe[str] = None
    redrive_target_arn: Maybe[str] = None


@dataclass(frozen=True)
class TopicSubscriptions:
    """The subscriptions of a topic (Terraform: one aws_sns_topic_subscription each)."""

    address: str
    subscriptions: Maybe[tuple[Subscription, ...]] = None


@dataclass(frozen=True)
class NotifiedFunction:
    """A function an S3 bucket notifies, and the Lambda permission that lets S3 invoke it."""

    function: str
    permission_found: bool | Unknown = False
    source_arn: Maybe[str] = None
    source_account: Maybe[str] = None


@dataclass(frozen=True)
class Bucket:
    address: str
    name: Maybe[str] = None
    versioning: Maybe[str] = None  # Enabled | Suspended | None (never enabled)
    lambda_notifications: Maybe[tuple[NotifiedFunction, ...]] = None


@dataclass(frozen=True)
class Table:
    """A DynamoDB table and what protects its data."""

    address: str
    name: Maybe[str] = None
    point_in_time_recovery: Maybe[bool] = None
    backup_plan: bool | Unknown = False  # an AWS Backup selection covers it
    replica_regions: Maybe[tuple[str, ...]] = None  # global table replicas


@dataclass(frozen=True)
class MetricAlarm:
    """A CloudWatch metric alarm."""

    address: str
    name: Maybe[str] = None
    namespace: Maybe[str] = None
    metric: Maybe[str] = None
    threshold: Maybe[float] = None
    actions_enabled: Maybe[bool] = True
    alarm_actions: Maybe[tuple[str, ...]] = None


@dataclass(frozen=True)
class AlarmWatch:
    """An alarm that watches a resource (matched through its metric's dimensions)."""

    name: str
    namespace: Maybe[str] = None
    metric: Maybe[str] = None
    threshold: Maybe[float] = None
    has_action: bool | Unknown = False  # an enabled alarm action


@dataclass(frozen=True)
class WatchedResource:
    """A resource the PRR wants alarms on, in one role: ``function``, ``dlq`` (a dead-letter queue),
    ``event_source_queue`` (a queue a function consumes) or ``api_stage``; and the alarms on it."""

    address: str
    role: str
    alarms: Maybe[tuple[AlarmWatch, ...]] = None
    api_kind: Maybe[str] = None  # REST | V2, for api_stage
    # The alarms of the function's CodeDeploy deployment group (None: no group found), for function.
    deployment_group_alarms: Maybe[tuple[str, ...]] = None


@dataclass(frozen=True)
class UsagePlan:
    address: str
    throttle_rate_limit: Maybe[float] = None
    throttle_burst_limit: Maybe[int] = None
    quota_limit: Maybe[int] = None
    quota_period: Maybe[str] = None


@dataclass(frozen=True)
class ApiRoute:
    """A route of an HTTP or WebSocket API."""

    address: str
    route_key: Maybe[str] = None
    authorization_type: Maybe[str] = None  # NONE | AWS_IAM | JWT | CUSTOM


@dataclass(frozen=True)
class WebAcl:
    """A WAFv2 web ACL, what its rules contain, and whether it protects an API Gateway stage."""

    address: str
    rate_based_rule: Maybe[bool] = None
    managed_rule_groups: Maybe[tuple[str, ...]] = None
    protects_api_stage: bool | Unknown = False


@dataclass(frozen=True)
class ApiDomain:
    """A custom domain name of API Gateway (``api_kind``: REST | V2) and its TLS security policy."""

    address: str
    api_kind: Maybe[str] = None
    security_policy: Maybe[str] = None


@dataclass(frozen=True)
class ApiIntegration:
    """An HTTP API integration; a private one (VPC link) should verify its backend over TLS."""

    address: str
    connection_type: Maybe[str] = None  # INTERNET | VPC_LINK
    tls_server_name: Maybe[str] = None


@dataclass(frozen=True)
class IamPolicy:
    """A customer managed or inline IAM policy and its document."""

    address: str
    document: Maybe[dict] = None
    inline: bool = False
    # Used only as a permissions boundary (attached to no one): a boundary limits, it grants nothing.
    boundary_only: bool = False


@dataclass(frozen=True)
class FunctionIdempotency:
    """What delivers events to a function at least once, and how the function says it handles a
    repeated one. ``delivered_by``: ``sqs``, ``kinesis``, ``dynamodb``, ``kafka``, ``mq`` (event source
    mappings), ``async:<service>`` (a service that invokes asynchronously, e.g. ``async:s3``) or
    ``async`` (an asynchronous invocation config); () when only synchronous callers are seen."""

    address: str
    delivered_by: Maybe[tuple[str, ...]] = None
    tags: Maybe[tuple[tuple[str, str | Unknown], ...]] = None  # (key, value) pairs; a value may be Unknown in a plan
    environment_names: Maybe[tuple[str, ...]] = None


@dataclass(frozen=True)
class ProvisionedConcurrency:
    """One provisioned concurrency config of a function (on an alias or a version) and the
    reservation it must fit in: Lambda counts the configs of all the function's aliases and
    versions together against its reserved concurrency. ``qualifier_kind``: ``alias``, ``version``
    or ``latest`` ($LATEST); None when the function has no provisioned concurrency (the audit)."""

    address: str
    function: Maybe[str] = None  # the function it provisions: its address, name or ARN
    qualifier: Maybe[str] = None  # the alias name or version number, as written
    qualifier_kind: Maybe[str] = None
    amount: Maybe[int] = None  # provisioned concurrent executions of this config
    provisioned_total: Maybe[int] = None  # over every config of the function, this one included
    reserved: Maybe[int] = None  # the function's reserved concurrency; None: it reserves none


@dataclass(frozen=True)
class Budget:
    """An AWS Budgets budget: its type (COST, USAGE ...), limit, period and whether it notifies."""

    name: str
    budget_type: Maybe[str] = None
    limit_amount: Maybe[float] = None
    limit_unit: Maybe[str] = None  # USD for a cost budget
    time_unit: Maybe[str] = None  # DAILY | MONTHLY | QUARTERLY | ANNUALLY
    notified: Maybe[bool] = None  # has a notification (AWS requires a subscriber for each)


@dataclass(frozen=True)
class AccountBudgets:
    """The budgets that watch an account's spend. ``whole_account``: every budget of the account (the
    audit), so none means none; False for one Terraform budget, judged alone."""

    address: str
    budgets: Maybe[tuple[Budget, ...]] = None
    whole_account: bool = False


@dataclass(frozen=True)
class GuardDutyProtection:
    """GuardDuty Lambda Protection in one Region: whether the detector is enabled and the status of
    its ``LAMBDA_NETWORK_LOGS`` feature. ``feature``: the feature a Terraform
    ``aws_guardduty_detector_feature`` sets (None for a detector, or the account). ``whole_account``:
    what GuardDuty reports for the account in the Region (the audit), so no detector means none;
    False for one Terraform resource, judged with its partners."""

    address: str
    detector_enabled: Maybe[bool] = None  # None: no detector
    lambda_network_logs: Maybe[str] = None  # ENABLED | DISABLED; None: the feature is not set
    feature: Maybe[str] = None
    whole_account: bool = False


@dataclass(frozen=True)
class InspectorScanning:
    """Amazon Inspector's Lambda scans for the account in one Region: the status of standard
    scanning (``LAMBDA``: the packages a function and its layers bring) and of code scanning
    (``LAMBDA_CODE``: the function's own code), ENABLED, ENABLING, DISABLED ... ``whole_account``:
    what Inspector reports for the account (the audit); False for one Terraform enabler."""

    address: str
    lambda_standard: Maybe[str] = None
    lambda_code: Maybe[str] = None
    whole_account: bool = False
