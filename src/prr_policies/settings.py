"""``prr.yaml``: one typed settings model read by every layer, with defaults in the package."""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from prr_policies._model import parse_dataclass
from prr_policies.errors import InputError

_PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULTS_FILE = _PACKAGE_DIR / "defaults.yaml"
RUNTIMES_FILE = _PACKAGE_DIR / "runtimes.yaml"
ENV_VAR = "PRR_SETTINGS"


def _check_range(source: str, path: str, low: int, high: int, low_name: str, high_name: str) -> None:
    if low > high:
        raise InputError(source, f"{path}.{low_name}" if path else low_name, f"{low} is greater than {high_name} {high}")


@dataclass(frozen=True)
class ConcurrencyBounds:
    min: int
    max: int

    def validate(self, source: str, path: str) -> None:
        if self.min < 1:
            raise InputError(source, f"{path}.min", "must be at least 1 (0 throttles every invocation)")
        _check_range(source, path, self.min, self.max, "min", "max")


@dataclass(frozen=True)
class TimeoutBounds:
    min_seconds: int
    max_seconds: int

    def validate(self, source: str, path: str) -> None:
        if not 1 <= self.min_seconds <= 900 or not 1 <= self.max_seconds <= 900:
            raise InputError(source, path, "Lambda timeouts are between 1 and 900 seconds")
        _check_range(source, path, self.min_seconds, self.max_seconds, "min_seconds", "max_seconds")


@dataclass(frozen=True)
class MemoryBounds:
    min_mb: int
    max_mb: int

    def validate(self, source: str, path: str) -> None:
        if not 128 <= self.min_mb <= 10240 or not 128 <= self.max_mb <= 10240:
            raise InputError(source, path, "Lambda memory is between 128 and 10240 MB")
        _check_range(source, path, self.min_mb, self.max_mb, "min_mb", "max_mb")


@dataclass(frozen=True)
class CodeSigning:
    required: bool
    exempt_package_types: tuple[Literal["Zip", "Image"], ...]
    # reviewed environment variables that load code: VARIABLE or FUNCTION/VARIABLE (FUNCTION: the function's
    # name, in Terraform its resource name)
    environment_loaders_allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuntimePolicy:
    warn_days_before_deprecation: int  # FAIL this many days before the deprecation date
    as_of: datetime.date | None
    deprecation_dates: dict[str, datetime.date]
    # WARNING (not blocking) this many days before the FAIL date; 0 turns warnings off.
    warning_window_days: int = 180

    def validate(self, source: str, path: str) -> None:
        if self.warn_days_before_deprecation < 0:
            raise InputError(source, f"{path}.warn_days_before_deprecation", "must not be negative")
        if self.warning_window_days < 0:
            raise InputError(source, f"{path}.warning_window_days", "must not be negative")


@dataclass(frozen=True)
class ExecutionRole:
    require_permissions_boundary: bool
    one_role_per_function: bool


@dataclass(frozen=True)
class LambdaSettings:
    tracing_mode: Literal["Active"]
    reserved_concurrency: ConcurrencyBounds
    timeout: TimeoutBounds
    memory: MemoryBounds
    require_vpc: bool
    code_signing: CodeSigning
    runtime: RuntimePolicy
    async_failure_destination_required: bool
    environment_cmk_required: bool
    permission_scoping_exempt_principals: tuple[str, ...]
    execution_role: ExecutionRole


@dataclass(frozen=True)
class ApiGatewaySettings:
    waf_required: bool
    # HTTP APIs cannot be associated with a WAF web ACL; true makes that a FAIL, false NOT_APPLICABLE.
    waf_required_for_http_apis: bool
    logging_levels: tuple[Literal["ERROR", "INFO"], ...]
    access_logs_required: bool
    throttling_required: bool
    max_rate_limit: float | None
    # Issue 13 (defaults keep older prr.yaml files valid):
    # HTTP API routes that may be invoked without authorization ("GET /health"); "*" is not allowed.
    public_routes: tuple[str, ...] = ()
    # Usage plans must set both a throttle and a quota.
    usage_plan_limits_required: bool = True
    # REST stages present a client certificate to their backend (useful for HTTP backends only).
    client_certificate_required: bool = False
    cache_encryption_required: bool = True
    # TLS security policies custom domain names may use (REST); HTTP API domains support TLS_1_2 at most.
    # TLS_1_2 is the best the Terraform AWS provider 5.x accepts; Security Hub's APIGateway.11 accepts
    # only the enhanced SecurityPolicy_* ones: drop TLS_1_2 here to hold domains to that.
    allowed_security_policies: tuple[str, ...] = (
        "TLS_1_2", "SecurityPolicy_TLS13_1_3_2025_09", "SecurityPolicy_TLS13_1_3_FIPS_2025_09", "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
        "SecurityPolicy_TLS13_2025_EDGE", "SecurityPolicy_TLS12_PFS_2025_EDGE")
    # What a web ACL in front of a stage must contain.
    waf_rate_based_rule_required: bool = True
    waf_managed_rule_groups: tuple[str, ...] = ("AWSManagedRulesCommonRuleSet",)

    def validate(self, source: str, path: str) -> None:
        for i, route in enumerate(self.public_routes):
            if not re.match(r"^(\$default|(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /\S*)$", route):
                raise InputError(source, f"{path}.public_routes[{i}]", f"{route!r} is not a route key like 'GET /health'")


@dataclass(frozen=True)
class QueueSettings:
    cmk_required: bool
    dlq_required: bool
    max_receive_count: int
    dlq_name_suffixes: tuple[str, ...]


@dataclass(frozen=True)
class TopicSettings:
    cmk_required: bool
    subscription_dlq_required: bool = True  # lambda and sqs subscriptions have a redrive policy


@dataclass(frozen=True)
class SecretSettings:
    rotation_required: bool
    max_rotation_days: int
    cmk_required: bool
    # A secret not read for this many days is unused (SecretsManager.3); null turns the check off.
    max_unused_days: int | None = 90


@dataclass(frozen=True)
class LogSettings:
    min_retention_days: int
    kms_required: bool


@dataclass(frozen=True)
class EventSourceSettings:
    sqs_report_batch_item_failures: bool
    max_retry_attempts: int
    max_record_age_seconds: int
    on_failure_destination_required: bool
    visibility_timeout_multiplier: int


@dataclass(frozen=True)
class ReleaseSettings:
    alias_required: bool
    allowed_deployment_types: tuple[Literal["TimeBasedCanary", "TimeBasedLinear", "AllAtOnce"], ...]
    required_rollback_events: tuple[Literal["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"], ...]
    # How a function's CodeDeploy deployment group is found: {function} is the function name.
    deployment_group_name: str
    # Whether provisioned concurrency may sit on a version number (true) or only on an alias (false):
    # callers invoke the alias, and a version no alias serves keeps warm (and billed) capacity nobody uses.
    provisioned_concurrency_on_versions: bool = False


@dataclass(frozen=True)
class IamSettings:
    # The boundary every role Lambda can assume must have (policy name); null: any boundary.
    execution_role_boundary: str | None


# ---- issue 13: event delivery, observability, resilience and cost -------------------------------

@dataclass(frozen=True)
class EventSettings:
    """EventBridge rule targets. EventBridge's own defaults are 185 attempts over 24 h."""

    dlq_required: bool = True
    # Target kinds that must have a DLQ: lambda, sqs, sns (the asynchronous ones the PRR names).
    dlq_target_kinds: tuple[Literal["lambda", "sqs", "sns", "other"], ...] = ("lambda", "sqs", "sns")
    max_retry_attempts: int = 10
    max_event_age_seconds: int = 3600

    def validate(self, source: str, path: str) -> None:
        if not 0 <= self.max_retry_attempts <= 185:
            raise InputError(source, f"{path}.max_retry_attempts", "EventBridge allows 0 to 185 retry attempts")
        if not 60 <= self.max_event_age_seconds <= 86400:
            raise InputError(source, f"{path}.max_event_age_seconds", "EventBridge allows 60 to 86400 seconds")


@dataclass(frozen=True)
class LoggingSettings:
    """Structured logging of functions (their logging_config)."""

    json_required: bool = True
    application_log_levels: tuple[Literal["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], ...] = ("INFO", "WARN", "ERROR")
    system_log_levels: tuple[Literal["DEBUG", "INFO", "WARN"], ...] = ("INFO", "WARN")


@dataclass(frozen=True)
class PowertoolsSettings:
    """AWS Lambda Powertools, as every source can see it: its published layer, or the
    environment variable Powertools reads its service name from."""

    required: bool = True
    layer_name_contains: tuple[str, ...] = ("AWSLambdaPowertools",)
    environment_variables: tuple[str, ...] = ("POWERTOOLS_SERVICE_NAME",)


@dataclass(frozen=True)
class PlainSecretSettings:
    """Literal secrets in environment variables. The false-positive policy: a
    value is judged a secret by its variable name (name_patterns, case-insensitive regular
    expressions) or by its shape (at least min_length characters of at least min_entropy bits
    per character); a reference to Secrets Manager or Parameter Store, an ARN, a parameter name,
    a URL without credentials, a flag or a number is not a secret, nor is a variable whose name
    says it holds a reference (reference_name_suffixes: DB_SECRET_ARN). A known false positive is
    suppressed by listing it in ``allowed`` as VARIABLE or FUNCTION_NAME/VARIABLE, in prr.yaml,
    where the suppression is reviewed like any other change."""

    enabled: bool = True
    name_patterns: tuple[str, ...] = (r"pass(word|wd)?", r"secret", r"token", r"api[_-]?key", r"private[_-]?key",
                                      r"credential", r"auth", r"access[_-]?key")
    min_length: int = 20
    min_entropy: float = 4.0
    allowed: tuple[str, ...] = ()
    reference_name_suffixes: tuple[str, ...] = ("_ARN", "_NAME", "_ID", "_PARAM", "_PARAMETER", "_PATH", "_REF", "_URL",
                                                "_TTL", "_MODE", "_TYPE", "_REGION")

    def validate(self, source: str, path: str) -> None:
        for i, pattern in enumerate(self.name_patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise InputError(source, f"{path}.name_patterns[{i}]", f"not a regular expression: {exc}") from None


DEFAULT_LATENCY_BUDGET_MS = 1000.0


@dataclass(frozen=True)
class AlarmSettings:
    """CloudWatch alarms the PRR asks for; metrics by the namespace AWS publishes them in."""

    required: bool = True
    function_metrics: tuple[str, ...] = ("Errors", "Throttles")
    dlq_metric: str = "ApproximateNumberOfMessagesVisible"
    event_source_metric: str = "ApproximateAgeOfOldestMessage"
    # REST stages publish 5XXError/Latency (AWS/ApiGateway, ApiName+Stage); HTTP APIs 5xx/Latency (ApiId+Stage).
    api_error_metrics: tuple[str, ...] = ("5XXError", "5xx")
    api_latency_metric: str = "Latency"
    # The p99 latency budget a latency alarm's threshold must not exceed; None: readiness.latency.p99_ms,
    # or DEFAULT_LATENCY_BUDGET_MS without a readiness section (Settings.latency_budget_ms()).
    latency_budget_ms: float | None = None
    action_required: bool = True


@dataclass(frozen=True)
class IdempotencySettings:
    """How a function fed by SQS, streams or asynchronous invocation declares its idempotency:
    a tag naming the mechanism, or Powertools idempotency with its table."""

    required: bool = True
    tag_key: str = "prr:idempotency"
    table_environment_variables: tuple[str, ...] = ("POWERTOOLS_IDEMPOTENCY_TABLE", "IDEMPOTENCY_TABLE")


@dataclass(frozen=True)
class KeySettings:
    min_deletion_window_days: int = 30

    def validate(self, source: str, path: str) -> None:
        if not 7 <= self.min_deletion_window_days <= 30:
            raise InputError(source, f"{path}.min_deletion_window_days", "KMS allows waiting periods of 7 to 30 days")


@dataclass(frozen=True)
class ResilienceSettings:
    """Disaster recovery (requirement 1.1); the RTO and RPO themselves are readiness.rto_minutes and
    readiness.rpo_minutes."""

    pitr_required: bool = True  # point-in-time recovery keeps an RPO of about five minutes
    # Tables covered by an AWS Backup plan or replicated to another Region (global table replicas).
    table_backup_required: bool = False
    bucket_versioning_required: bool = True
    # Buckets the versioning rule applies to (names, * wildcards); [] means every bucket.
    buckets: tuple[str, ...] = ()


@dataclass(frozen=True)
class CostSettings:
    budget_required: bool = True
    prefer_arm64: bool = True  # LOW: Graviton is cheaper per GB-second


@dataclass(frozen=True)
class AccountSettings:
    """Region-wide detection services that watch the functions (Security Hub GuardDuty.6,
    Inspector.3 and Inspector.4). Inspector's Lambda code scanning is not required by default: it
    runs in fewer Regions than standard scanning (as does AWS's managed Config rule for it) and is
    billed on its own; set it where the Regions you deploy to offer it."""

    guardduty_lambda_protection_required: bool = True
    inspector_lambda_scanning_required: bool = True  # standard scanning (LAMBDA)
    inspector_lambda_code_scanning_required: bool = False  # code scanning (LAMBDA_CODE) too


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_ROLE_PATTERN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|\*):role/[\w+=,.@/*?-]+$")
_NAME = re.compile(r"^[\w+=,.@-]+$")
_TAG_KEY = re.compile(r"^[\w.:/=+@ -]{1,128}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_APP_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def _check_role_patterns(source: str, path: str, arns: tuple[str, ...]) -> None:
    """Role ARN patterns that exempt or protect roles: a path is allowed (Identity Center roles
    live under ``aws-reserved/sso.amazonaws.com/``), a role part that is only a wildcard is not
    (it would name every role under it)."""
    for i, arn in enumerate(arns):
        if not _ROLE_PATTERN.match(arn):
            raise InputError(source, f"{path}[{i}]", f"{arn!r} is not a role ARN (pattern) like arn:aws:iam::*:role/BreakGlass "
                             "or arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Security_*")
        if not arn.split(":role/", 1)[1].rsplit("/", 1)[-1].strip("*?"):
            raise InputError(source, f"{path}[{i}]", f"{arn!r} names every role (under its path); name the roles themselves")


@dataclass(frozen=True)
class TagGuardrails:
    # tag key -> allowed values ([] = any value, but the tag must be there)
    required: dict[str, tuple[str, ...]]
    # service prefix (lambda, sqs, sns, logs, kms, secretsmanager) -> extra required tags
    required_by_service: dict[str, dict[str, tuple[str, ...]]]
    protected: tuple[str, ...]
    # Log group name patterns AWS services create through your roles without tags (API Gateway
    # execution logs, CodeBuild, ECS awslogs-create-group): exempt from tags on create.
    service_log_groups: tuple[str, ...] = ()

    def validate(self, source: str, path: str) -> None:
        for where, keys in [("required", self.required), *((f"required_by_service.{k}", v) for k, v in self.required_by_service.items())]:
            for key in keys:
                if not _TAG_KEY.match(key) or key.startswith("aws:"):
                    raise InputError(source, f"{path}.{where}.{key}", "not a tag key you can require (1-128 characters, not aws:)")
        unknown = set(self.required_by_service) - set(TAGGABLE_SERVICES)
        if unknown:
            raise InputError(source, f"{path}.required_by_service.{sorted(unknown)[0]}",
                             f"tags on create are enforced for {', '.join(TAGGABLE_SERVICES)}")
        for i, name in enumerate(self.service_log_groups):
            if not re.match(r"^[\w.\-/#*?]{1,512}$", name):
                raise InputError(source, f"{path}.service_log_groups[{i}]", f"{name!r} is not a log group name pattern")
            if not name.strip("*?/"):
                raise InputError(source, f"{path}.service_log_groups[{i}]", f"{name!r} would exempt every log group; name the groups services create")

    def all_protected(self) -> tuple[str, ...]:
        """Every tag kept against removal and change: the required ones and the protected ones."""
        keys = [*self.required, *(k for svc in self.required_by_service.values() for k in svc), *self.protected]
        return tuple(dict.fromkeys(keys))


TAGGABLE_SERVICES = ("lambda", "sqs", "sns", "logs", "kms", "secretsmanager")


@dataclass(frozen=True)
class CodeSigningGuardrails:
    # code signing config ARNs, each pinned to its account and Region (no wildcards)
    allowed_configs: tuple[str, ...]
    # exact names of the container-image functions exempt from the signing SCP (Lambda has no
    # package-type condition key, so a name pattern would exempt .zip functions too)
    exempt_function_names: tuple[str, ...]
    # accounts whose Lambda layers functions may use, besides the function's own account
    layer_publishers: tuple[str, ...] = ()

    def validate(self, source: str, path: str) -> None:
        for i, arn in enumerate(self.allowed_configs):
            if not re.match(r"^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:code-signing-config:csc-[a-z0-9]{17}$", arn):
                raise InputError(source, f"{path}.allowed_configs[{i}]", f"{arn!r} is not a code signing config ARN pinned to its Region "
                                 "and account (arn:aws:lambda:eu-west-1:111122223333:code-signing-config:csc-..., no wildcards)")
        for i, name in enumerate(self.exempt_function_names):
            if not _FUNCTION_NAME.match(name):
                raise InputError(source, f"{path}.exempt_function_names[{i}]", f"{name!r} is not an exact function name (no wildcards: "
                                 "Lambda has no package-type condition key, so a pattern would exempt .zip functions too)")
        for i, acct in enumerate(self.layer_publishers):
            if not _ACCOUNT.match(acct):
                raise InputError(source, f"{path}.layer_publishers[{i}]", f"{acct!r} is not a 12-digit account id")


@dataclass(frozen=True)
class FunctionAccess:
    """What one function's execution role may touch, by access level (ARNs, wildcards allowed),
    as policy_sentry's CRUD template takes it; ``actions`` are extra single actions."""

    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    list: tuple[str, ...] = ()
    tagging: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplicationGuardrails:
    name: str | None
    tag_key: str
    role_prefix: str
    resource_prefix: str
    boundary_policy: str
    ci_boundary_policy: str
    artifact_buckets: tuple[str, ...]
    signing_profiles: tuple[str, ...]
    functions: dict[str, FunctionAccess]
    # A role of its own that signs packages (its policy is generated); null: the deploy role signs.
    signing_role: str | None = None

    def validate(self, source: str, path: str) -> None:
        if self.name is not None and not _APP_NAME.match(self.name):
            raise InputError(source, f"{path}.name", f"{self.name!r}: lower-case letters, digits and _ (no -: the application's "
                             "resources are named <prefix><name>-..., and a - would let one name be the prefix of another)")
        for key in ("role_prefix", "resource_prefix", "boundary_policy", "ci_boundary_policy"):
            if not _NAME.match(getattr(self, key)):
                raise InputError(source, f"{path}.{key}", "must be a non-empty IAM name (letters, digits, +=,.@_-)")
        for key in ("boundary_policy", "ci_boundary_policy"):
            if getattr(self, key).startswith((self.role_prefix, self.resource_prefix)):
                raise InputError(source, f"{path}.{key}", "must not start with role_prefix or resource_prefix: "
                                 "the deploy role may edit policies with those prefixes")
        if self.signing_role is not None:
            if not _NAME.match(self.signing_role):
                raise InputError(source, f"{path}.signing_role", f"{self.signing_role!r} is not a role name")
            if self.signing_role.startswith(self.role_prefix):
                raise InputError(source, f"{path}.signing_role", "must not start with role_prefix: the deploy role may change those roles")
        own = f"{self.resource_prefix}{self.name}-" if self.name else self.resource_prefix
        for name in self.functions:
            if not name.startswith(own):
                raise InputError(source, f"{path}.functions.{name}", f"function names start with {own!r} (resource_prefix, name, -)")

    @property
    def resources(self) -> str:
        """The prefix of every resource of this application: ``<resource_prefix><name>-``."""
        return f"{self.resource_prefix}{self.name}-"

    @property
    def roles(self) -> str:
        """The prefix of this application's roles and policies: ``<role_prefix><name>-``."""
        return f"{self.role_prefix}{self.name}-"

    @property
    def codedeploy_role(self) -> str:
        """The generated CodeDeploy service role of this application."""
        return f"{self.roles}codedeploy"


# Services whose resources an RCP data perimeter can keep inside the organization (AWS
# Organizations, "List of AWS services that support RCPs"; STS has its own statement).
PERIMETER_SERVICES = ("s3", "sqs", "kms", "secretsmanager", "dynamodb", "logs", "ecr", "cognito-identity", "aoss")


@dataclass(frozen=True)
class PerimeterGuardrails:
    # RCP services whose resources no principal outside the organization may use
    services: tuple[str, ...]
    # accounts outside the organization that may use them anyway (partners, vendors)
    trusted_accounts: tuple[str, ...]
    # AWS service principals that may act on them (with their source inside the organization)
    trusted_service_principals: tuple[str, ...]
    # false: only the Lambda and CodeDeploy services assume application roles;
    # true: principals inside the organization may too (when a role's trust policy lets them)
    app_roles_assumable_in_organization: bool

    def validate(self, source: str, path: str) -> None:
        for i, svc in enumerate(self.services):
            if svc not in PERIMETER_SERVICES:
                raise InputError(source, f"{path}.services[{i}]", f"{svc!r}: RCPs govern {', '.join(PERIMETER_SERVICES)}")
        for i, acct in enumerate(self.trusted_accounts):
            if not _ACCOUNT.match(acct):
                raise InputError(source, f"{path}.trusted_accounts[{i}]", f"{acct!r} is not a 12-digit account id")
        for i, sp in enumerate(self.trusted_service_principals):
            if not re.match(r"^[a-z0-9-]+(\.[a-z0-9*-]+)*\.amazonaws\.com$", sp) or sp.startswith("*"):
                raise InputError(source, f"{path}.trusted_service_principals[{i}]", f"{sp!r} is not a service principal like sns.amazonaws.com")


@dataclass(frozen=True)
class SelfProtection:
    """The detective layer's own resources, kept from everyone but the security roles."""

    config_rule_functions: tuple[str, ...]  # the custom-rule function names
    config_rule_roles: tuple[str, ...]  # their roles (ARN patterns): the only callers of config:PutEvaluations
    cloudtrail_buckets: tuple[str, ...]  # the CloudTrail bucket names
    cloudtrail_keys: tuple[str, ...]  # the trail's KMS key ARNs

    def validate(self, source: str, path: str) -> None:
        for i, name in enumerate(self.config_rule_functions):
            if not _FUNCTION_NAME.match(name):
                raise InputError(source, f"{path}.config_rule_functions[{i}]", f"{name!r} is not a function name")
        _check_role_patterns(source, f"{path}.config_rule_roles", self.config_rule_roles)
        for i, b in enumerate(self.cloudtrail_buckets):
            if not re.match(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", b):
                raise InputError(source, f"{path}.cloudtrail_buckets[{i}]", f"{b!r} is not an S3 bucket name")
        for i, k in enumerate(self.cloudtrail_keys):
            if not re.match(r"^arn:aws[a-z-]*:kms:([a-z]{2}(-[a-z]+)+-\d|\*):(\d{12}|\*):key/[A-Za-z0-9-]+$", k):
                raise InputError(source, f"{path}.cloudtrail_keys[{i}]", f"{k!r} is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)")


@dataclass(frozen=True)
class GithubOidc:
    """GitHub Actions OIDC for the deploy role's trust policy (prr_policies.guardrails.oidc)."""

    repository: str | None  # "Owner/repo", exactly as GitHub spells it: the sub claim compares case-sensitively
    environments: dict[str, str]  # GitHub environment -> the AWS account id whose deploy role it may assume
    audience: str

    def validate(self, source: str, path: str) -> None:
        if self.repository is not None and not re.match(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*)/[A-Za-z0-9._-]+$", self.repository):
            raise InputError(source, f"{path}.repository", f"{self.repository!r} is not a GitHub repository like Owner/name")
        for env, account in self.environments.items():
            if not re.match(r"^[^*?\s:][^*?:]*$", env) or env != env.strip():
                raise InputError(source, f"{path}.environments.{env}", "not a GitHub environment name (no wildcards, colons or surrounding blanks)")
            if not re.match(r"^\d{12}$", str(account)):
                raise InputError(source, f"{path}.environments.{env}", f"{account!r} is not a 12-digit AWS account id")


@dataclass(frozen=True)
class Guardrails:
    allowed_regions: tuple[str, ...]
    break_glass_principals: tuple[str, ...]  # role ARN patterns never denied by our SCPs
    security_roles: tuple[str, ...]  # role ARN patterns that run the security tooling
    pipeline_roles: tuple[str, ...]  # names of the CI/CD deploy roles (in every account)
    tags: TagGuardrails
    code_signing: CodeSigningGuardrails
    application: ApplicationGuardrails
    scp_max_policies_per_target: int
    perimeter: PerimeterGuardrails
    self_protection: SelfProtection
    organization_id: str | None = None  # o-..., for the RCPs' organization perimeter
    rcp_max_policies_per_target: int = 5
    github_oidc: GithubOidc | None = None

    def validate(self, source: str, path: str) -> None:
        for i, r in enumerate(self.allowed_regions):
            if not _REGION.match(r):
                raise InputError(source, f"{path}.allowed_regions[{i}]", f"{r!r} is not a Region name like eu-west-1")
        for key in ("break_glass_principals", "security_roles"):
            _check_role_patterns(source, f"{path}.{key}", getattr(self, key))
        for i, name in enumerate(self.pipeline_roles):
            if not _NAME.match(name):
                raise InputError(source, f"{path}.pipeline_roles[{i}]", f"{name!r} is not a role name")
        if self.application.signing_role in self.pipeline_roles:
            raise InputError(source, f"{path}.application.signing_role", "must be a role of its own, not a deploy role")
        prefix = self.application.role_prefix
        named = [(f"pipeline_roles[{i}]", n) for i, n in enumerate(self.pipeline_roles)]
        named += [(f"{key}[{i}]", arn.split(":role/", 1)[1]) for key in ("break_glass_principals", "security_roles")
                  for i, arn in enumerate(getattr(self, key))]
        for where, name in named:
            if name.startswith(prefix):
                raise InputError(source, f"{path}.{where}", f"{name!r} starts with application.role_prefix {prefix!r}: the RCPs let only "
                                 "Lambda and CodeDeploy assume those roles, and the deploy role may change them")
        if self.organization_id is not None and not re.match(r"^o-[a-z0-9]{10,32}$", self.organization_id):
            raise InputError(source, f"{path}.organization_id", f"{self.organization_id!r} is not an organization id like o-a1b2c3d4e5")
        for key in ("scp_max_policies_per_target", "rcp_max_policies_per_target"):
            if not 2 <= getattr(self, key) <= 5:
                kind = "SCPs" if key.startswith("scp") else "RCPs"
                full = "FullAWSAccess" if key.startswith("scp") else "RCPFullAWSAccess"
                raise InputError(source, f"{path}.{key}", f"AWS allows 1 to 5 {kind} per target, {full} included (so 2 to 5 here)")


@dataclass(frozen=True)
class LatencyBudget:
    p50_ms: int
    p99_ms: int

    def validate(self, source: str, path: str) -> None:
        if self.p50_ms < 1:
            raise InputError(source, f"{path}.p50_ms", "must be at least 1 ms")
        _check_range(source, path, self.p50_ms, self.p99_ms, "p50_ms", "p99_ms")


@dataclass(frozen=True)
class Throughput:
    sustained_rps: float
    burst_rps: float

    def validate(self, source: str, path: str) -> None:
        if self.sustained_rps <= 0:
            raise InputError(source, f"{path}.sustained_rps", "must be more than 0 requests per second")
        if self.burst_rps < self.sustained_rps:
            raise InputError(source, f"{path}.burst_rps", f"{self.burst_rps} is less than sustained_rps {self.sustained_rps}")


@dataclass(frozen=True)
class CostKpis:
    monthly_budget_usd: float
    max_usd_per_million_requests: float

    def validate(self, source: str, path: str) -> None:
        for key in ("monthly_budget_usd", "max_usd_per_million_requests"):
            if getattr(self, key) <= 0:
                raise InputError(source, f"{path}.{key}", "must be more than 0")


@dataclass(frozen=True)
class Contact:
    name: str
    role: str
    reach: str  # how to page them: a pager service, phone number, e-mail or channel


@dataclass(frozen=True)
class EscalationStep:
    after_minutes: int
    contact: str  # a contact's name


@dataclass(frozen=True)
class OnCall:
    contacts: tuple[Contact, ...]
    escalation: tuple[EscalationStep, ...]

    def validate(self, source: str, path: str) -> None:
        names: set[str] = set()
        for i, c in enumerate(self.contacts):
            for key in ("name", "role", "reach"):
                if not getattr(c, key).strip():
                    raise InputError(source, f"{path}.contacts[{i}].{key}", "must not be empty")
            if c.name in names:
                raise InputError(source, f"{path}.contacts[{i}].name", f"duplicate contact {c.name!r}")
            names.add(c.name)
        last = -1
        for i, step in enumerate(self.escalation):
            where = f"{path}.escalation[{i}]"
            if step.contact not in names:
                raise InputError(source, f"{where}.contact", f"{step.contact!r} is not one of the contacts")
            if i == 0 and step.after_minutes != 0:
                raise InputError(source, f"{where}.after_minutes", "the first step pages at 0 minutes")
            if step.after_minutes <= last:
                raise InputError(source, f"{where}.after_minutes", f"{step.after_minutes} is not after the previous step ({last})")
            last = step.after_minutes
        if self.contacts and not self.escalation:
            raise InputError(source, f"{path}.escalation", "contacts are set but no escalation step pages them")


@dataclass(frozen=True)
class Readiness:
    """The PRR's own numbers: what the service promises and who answers for it."""

    service: str | None  # the service's name in the documents (null: the application's name)
    region: str | None  # where the console links point (null: the first allowed Region)
    stack: str | None  # the Terraform plan JSON the diagrams and dashboard are drawn from, relative to this file
    availability_slo_percent: float
    slo_window_days: int
    latency: LatencyBudget
    throughput: Throughput
    rto_minutes: int
    rpo_minutes: int
    data_retention_days: int
    cost: CostKpis
    on_call: OnCall

    def validate(self, source: str, path: str) -> None:
        if not 0 < self.availability_slo_percent < 100:
            raise InputError(source, f"{path}.availability_slo_percent", "must be between 0 and 100 (exclusive)")
        if not 1 <= self.slo_window_days <= 366:
            raise InputError(source, f"{path}.slo_window_days", "must be between 1 and 366 days")
        for key in ("rto_minutes", "rpo_minutes", "data_retention_days"):
            if getattr(self, key) < 1:
                raise InputError(source, f"{path}.{key}", "must be at least 1")
        if self.region is not None and not _REGION.match(self.region):
            raise InputError(source, f"{path}.region", f"{self.region!r} is not a Region name like eu-west-1")
        steps = self.on_call.escalation
        if steps and steps[-1].after_minutes >= self.rto_minutes:
            raise InputError(source, f"{path}.on_call.escalation[{len(steps) - 1}].after_minutes",
                             f"the last escalation ({steps[-1].after_minutes} min) must start before the RTO ({self.rto_minutes} min)")

    def error_budget_minutes(self) -> float:
        return self.slo_window_days * 24 * 60 * (100 - self.availability_slo_percent) / 100


@dataclass(frozen=True)
class Settings:
    version: Literal[1]
    lambda_: LambdaSettings = field(metadata={"key": "lambda"})
    apigateway: ApiGatewaySettings | None = None
    sqs: QueueSettings | None = None
    sns: TopicSettings | None = None
    secrets: SecretSettings | None = None
    logs: LogSettings | None = None
    event_sources: EventSourceSettings | None = None
    release: ReleaseSettings | None = None
    iam: IamSettings | None = None
    guardrails: Guardrails | None = None
    readiness: Readiness | None = None
    # issue 13 sections: each has every default in its dataclass, so a prr.yaml without them is valid
    events: EventSettings = field(default_factory=EventSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    powertools: PowertoolsSettings = field(default_factory=PowertoolsSettings)
    plain_secrets: PlainSecretSettings = field(default_factory=PlainSecretSettings)
    alarms: AlarmSettings = field(default_factory=AlarmSettings)
    idempotency: IdempotencySettings = field(default_factory=IdempotencySettings)
    keys: KeySettings = field(default_factory=KeySettings)
    resilience: ResilienceSettings = field(default_factory=ResilienceSettings)
    cost: CostSettings = field(default_factory=CostSettings)
    account: AccountSettings = field(default_factory=AccountSettings)
    source: str = field(default="<defaults>", compare=False, metadata={"internal": True})

    def runtime_deprecation(self, runtime: str) -> datetime.date | None:
        """Deprecation date of a runtime: prr.yaml overrides, then the packaged table."""
        own = self.lambda_.runtime.deprecation_dates.get(runtime)
        return own if own is not None else _runtime_table().get(runtime)

    def evaluation_date(self) -> datetime.date:
        return self.lambda_.runtime.as_of or datetime.date.today()

    def latency_budget_ms(self) -> float:
        """The p99 budget latency alarms are held to: alarms.latency_budget_ms when set, else the
        readiness section's p99, else DEFAULT_LATENCY_BUDGET_MS (one number, whichever states it)."""
        if self.alarms.latency_budget_ms is not None:
            return float(self.alarms.latency_budget_ms)
        if self.readiness is not None:
            return float(self.readiness.latency.p99_ms)
        return DEFAULT_LATENCY_BUDGET_MS


def _read_yaml(path: Path) -> Any:
    from prr_policies import _yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), "", f"cannot read settings file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "", "cannot read settings file: not UTF-8 text") from None
    return _yaml.load(text, str(path))


@lru_cache(maxsize=1)
def _runtime_table() -> dict[str, datetime.date]:
    data = _read_yaml(RUNTIMES_FILE)
    return {str(k): v for k, v in data["deprecation_dates"].items()}


# Mappings a prr.yaml replaces rather than merges into the defaults (so a default entry can be dropped).
_REPLACED_WHOLE = {"deprecation_dates", "required", "required_by_service", "functions"}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and key not in _REPLACED_WHOLE:
            out[key] = _merge(base[key], value)
        else:
            out[key] = value
    return out


def merged_settings_data(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The packaged defaults merged with ``path`` (a prr.yaml), before validation."""
    data = _read_yaml(DEFAULTS_FILE)
    if path is not None:
        own = _read_yaml(Path(path))
        if own is None:
            own = {}
        if not isinstance(own, dict):
            raise InputError(str(path), "", f"expected a mapping at the top level, got {type(own).__name__}")
        data = _merge(data, own)
    return data


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Defaults merged with ``path`` (a prr.yaml); errors name the file and the key path."""
    source = "<defaults>" if path is None else str(path)
    return dataclasses.replace(parse_dataclass(Settings, merged_settings_data(path), source), source=source)


def settings_path_from_env(cwd: str | os.PathLike[str] | None = None) -> Path | None:
    """``$PRR_SETTINGS`` if set (it must exist), else ``./prr.yaml`` if present, else None."""
    env = os.environ.get(ENV_VAR)
    if env:
        p = Path(env)
        if not p.is_file():
            raise InputError(env, "", f"{ENV_VAR} names a file that does not exist")
        return p
    local = Path(cwd or os.getcwd()) / "prr.yaml"
    return local if local.is_file() else None


def settings_from_env() -> Settings:
    return load_settings(settings_path_from_env())

