"""Rules for the event sources, APIs, data stores and release path of a serverless stack."""

from __future__ import annotations

from typing import Any

from prr_policies.controls._common import is_aws_managed_key, result, unknown
from prr_policies.facts import (
    ApiStage, CodeSigningConfig, DeploymentGroup, EventSourceMapping, FunctionLogGroup, FunctionRelease, IamRole,
    KmsKey, Queue, Secret, Topic, Unknown,
)
from prr_policies.result import Result, Status
from prr_policies.settings import Settings

P, F, NA, U = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN


def _first_unknown(cid: str, address: str, **values: Any) -> Result | None:
    for what, value in values.items():
        if isinstance(value, Unknown):
            return unknown(cid, address, what.replace("_", " ").capitalize(), value)
    return None


def _cmk(cid: str, address: str, what: str, key: Any, required: bool, *, extra_fail: str | None = None) -> Result:
    """Encrypted with a customer-managed KMS key (not an alias/aws/... key, not service SSE)."""
    if not required:
        return result(cid, address, NA, f"Settings do not require a customer-managed key for {what}.")
    if isinstance(key, Unknown):
        return unknown(cid, address, f"The KMS key of the {what}", key)
    if not key:
        return result(cid, address, F, extra_fail or f"The {what} is not encrypted with a KMS key.")
    if is_aws_managed_key(key):
        return result(cid, address, F, f"The {what} uses the AWS managed key {key}, not a customer-managed key.")
    return result(cid, address, P, f"The {what} is encrypted with the customer-managed key {key}.")


# ---- API Gateway -----------------------------------------------------------------------------

def api_waf(stage: ApiStage, settings: Settings) -> Result:
    cid, s = "PRR-APIGW-001", settings.apigateway
    if not s.waf_required:
        return result(cid, stage.address, NA, "Settings do not require a WAF on API stages.")
    if isinstance(stage.api_kind, Unknown):
        return unknown(cid, stage.address, "The kind of API", stage.api_kind)
    if stage.api_kind == "V2":
        status = F if s.waf_required_for_http_apis else NA
        return result(cid, stage.address, status, "HTTP and WebSocket APIs cannot be associated with a WAF web ACL: "
                      "use a REST API or put CloudFront with a web ACL in front.")
    if isinstance(stage.web_acl_arn, Unknown):
        return unknown(cid, stage.address, "The stage's web ACL", stage.web_acl_arn)
    if not stage.web_acl_arn:
        return result(cid, stage.address, F, "No WAF web ACL is associated with the stage.")
    return result(cid, stage.address, P, f"The stage is protected by {stage.web_acl_arn}.")


def api_xray(stage: ApiStage, settings: Settings) -> Result:
    cid = "PRR-APIGW-002"
    if isinstance(stage.api_kind, Unknown):
        return unknown(cid, stage.address, "The kind of API", stage.api_kind)
    if stage.api_kind == "V2":
        return result(cid, stage.address, NA, "API Gateway does not trace HTTP or WebSocket APIs with X-Ray.")
    if isinstance(stage.xray_enabled, Unknown):
        return unknown(cid, stage.address, "X-Ray tracing of the stage", stage.xray_enabled)
    if stage.xray_enabled is True:
        return result(cid, stage.address, P, "X-Ray tracing is enabled on the stage.")
    return result(cid, stage.address, F, "X-Ray tracing is not enabled on the stage.")


def api_logging(stage: ApiStage, settings: Settings) -> Result:
    cid, s = "PRR-APIGW-003", settings.apigateway
    found = _first_unknown(cid, stage.address, api_kind=stage.api_kind, access_log_destination=stage.access_log_destination,
                           execution_logging_level=stage.execution_logging_level if stage.api_kind == "REST" else None)
    if found:
        return found
    problems = []
    if s.access_logs_required and not stage.access_log_destination:
        problems.append("no access log destination")
    if stage.api_kind == "REST" and stage.execution_logging_level not in s.logging_levels:
        problems.append(f"execution logging is {stage.execution_logging_level or 'OFF'}, not one of {', '.join(s.logging_levels)}")
    if problems:
        return result(cid, stage.address, F, "The stage has " + " and ".join(problems) + ".")
    return result(cid, stage.address, P, "The stage writes access logs" + (" and execution logs." if stage.api_kind == "REST" else "."))


def api_throttling(stage: ApiStage, settings: Settings) -> Result:
    cid, s = "PRR-APIGW-004", settings.apigateway
    if not s.throttling_required:
        return result(cid, stage.address, NA, "Settings do not require stage throttling.")
    found = _first_unknown(cid, stage.address, throttling_rate_limit=stage.throttling_rate_limit,
                           throttling_burst_limit=stage.throttling_burst_limit)
    if found:
        return found
    rate, burst = stage.throttling_rate_limit, stage.throttling_burst_limit
    if rate is None or burst is None or rate <= 0 or burst <= 0:
        return result(cid, stage.address, F, "The stage sets no throttling rate and burst limit of its own, so only the account limit applies.")
    if s.max_rate_limit is not None and rate > s.max_rate_limit:
        return result(cid, stage.address, F, f"The stage allows {rate:g} requests per second, above the agreed {s.max_rate_limit:g}.")
    return result(cid, stage.address, P, f"The stage throttles at {rate:g} requests per second, bursts of {burst}.")


# ---- SQS, SNS, Secrets Manager, KMS ----------------------------------------------------------

def queue_cmk(q: Queue, settings: Settings) -> Result:
    sse = q.sqs_managed_sse
    extra = "The queue uses SQS-managed encryption (SSE-SQS), not a customer-managed KMS key." if sse is True else None
    return _cmk("PRR-SQS-001", q.address, "queue", q.kms_master_key_id, settings.sqs.cmk_required, extra_fail=extra)


def queue_dlq(q: Queue, settings: Settings) -> Result:
    cid, s = "PRR-SQS-002", settings.sqs
    if not s.dlq_required:
        return result(cid, q.address, NA, "Settings do not require a dead-letter queue.")
    if isinstance(q.is_dead_letter_queue, Unknown):
        return unknown(cid, q.address, "Whether the queue is itself a dead-letter queue", q.is_dead_letter_queue)
    if q.is_dead_letter_queue is True:
        return result(cid, q.address, NA, "The queue is a dead-letter queue.")
    found = _first_unknown(cid, q.address, redrive_policy=q.redrive_target_arn, max_receive_count=q.max_receive_count)
    if found:
        return found
    if not q.redrive_target_arn:
        return result(cid, q.address, F, "The queue has no redrive policy: messages that keep failing are retried until they expire.")
    if q.max_receive_count is None or q.max_receive_count > s.max_receive_count:
        return result(cid, q.address, F, f"The redrive policy moves messages after {q.max_receive_count} receives, more than {s.max_receive_count}.")
    return result(cid, q.address, P, f"Messages move to {q.redrive_target_arn} after {q.max_receive_count} receives.")


def topic_cmk(t: Topic, settings: Settings) -> Result:
    return _cmk("PRR-SNS-001", t.address, "topic", t.kms_master_key_id, settings.sns.cmk_required)


def secret_rotation(sec: Secret, settings: Settings) -> Result:
    cid, s = "PRR-SECRETS-001", settings.secrets
    if not s.rotation_required:
        return result(cid, sec.address, NA, "Settings do not require secret rotation.")
    found = _first_unknown(cid, sec.address, rotation=sec.rotation_enabled, rotation_interval=sec.rotation_days)
    if found:
        return found
    if sec.rotation_enabled is not True:
        return result(cid, sec.address, F, "Automatic rotation is not enabled.")
    if sec.rotation_days is None or sec.rotation_days > s.max_rotation_days:
        return result(cid, sec.address, F, f"The secret rotates every {sec.rotation_days} days, less often than every {s.max_rotation_days}.")
    return result(cid, sec.address, P, f"The secret rotates every {sec.rotation_days} days.")


def secret_cmk(sec: Secret, settings: Settings) -> Result:
    return _cmk("PRR-SECRETS-002", sec.address, "secret", sec.kms_key_id, settings.secrets.cmk_required,
                extra_fail="The secret uses the default aws/secretsmanager key, not a customer-managed key.")


def key_rotation(k: KmsKey, settings: Settings) -> Result:
    cid = "PRR-KMS-001"
    found = _first_unknown(cid, k.address, key_manager=k.key_manager, key_state=k.key_state)
    if found:
        return found
    if k.key_manager == "AWS":
        return result(cid, k.address, NA, "AWS rotates AWS managed keys itself.")
    if k.key_state in ("PendingDeletion", "PendingReplicaDeletion"):
        return result(cid, k.address, NA, f"The key is {k.key_state}.")
    found = _first_unknown(cid, k.address, key_spec=k.key_spec, key_material_origin=k.origin)
    if found:
        return found
    if k.key_spec not in (None, "SYMMETRIC_DEFAULT") or k.origin not in (None, "AWS_KMS"):
        return result(cid, k.address, NA, f"Automatic rotation applies to symmetric keys with AWS_KMS key material, not {k.key_spec} / {k.origin}.")
    if isinstance(k.rotation_enabled, Unknown):
        return unknown(cid, k.address, "The key rotation status", k.rotation_enabled)
    if k.rotation_enabled is True:
        return result(cid, k.address, P, "Automatic key rotation is enabled.")
    return result(cid, k.address, F, "Automatic key rotation is not enabled.")


# ---- Lambda code signing, roles, logs, event sources, release ---------------------------------

def signing_enforced(c: CodeSigningConfig, settings: Settings) -> Result:
    cid = "PRR-LAMBDA-013"
    found = _first_unknown(cid, c.address, untrusted_artifact_policy=c.untrusted_artifact_on_deployment,
                           allowed_publishers=c.signing_profile_version_arns)
    if found:
        return found
    if c.untrusted_artifact_on_deployment != "Enforce":
        return result(cid, c.address, F, f"Untrusted artifacts are {c.untrusted_artifact_on_deployment or 'Warn'}ed, not rejected (Enforce).")
    if not c.signing_profile_version_arns:
        return result(cid, c.address, F, "The code signing config allows no signing profile.")
    return result(cid, c.address, P, f"Unsigned or untrusted code is rejected; {len(c.signing_profile_version_arns)} signing profile(s) allowed.")


def execution_role_boundary(role: IamRole, settings: Settings) -> Result:
    cid, want = "PRR-IAM-002", settings.iam.execution_role_boundary
    if isinstance(role.trusted_services, Unknown):
        return unknown(cid, role.address, "The role's trust policy", role.trusted_services)
    if "lambda.amazonaws.com" not in (role.trusted_services or ()):
        return result(cid, role.address, NA, "Lambda cannot assume this role.")
    if isinstance(role.permissions_boundary, Unknown):
        return unknown(cid, role.address, "The role's permissions boundary", role.permissions_boundary)
    if not role.permissions_boundary:
        return result(cid, role.address, F, "Lambda can assume this role and it has no permissions boundary.")
    if want and not role.permissions_boundary.endswith(f":policy/{want}"):
        return result(cid, role.address, F, f"The role's boundary is {role.permissions_boundary}, not the {want} policy.")
    return result(cid, role.address, P, f"The role is bounded by {role.permissions_boundary}.")


def function_log_group(lg: FunctionLogGroup, settings: Settings) -> Result:
    cid, s = "PRR-LAMBDA-015", settings.logs
    if isinstance(lg.log_group, Unknown):
        return unknown(cid, lg.address, "The function's log group", lg.log_group)
    if not lg.log_group:
        return result(cid, lg.address, F, "The function's log group does not exist yet: Lambda will create it without retention or encryption.")
    found = _first_unknown(cid, lg.address, retention=lg.retention_days, encryption_key=lg.kms_key_id, sharing=lg.shared_with)
    if found:
        return found
    problems = []
    if lg.shared_with:
        problems.append(f"is shared with {', '.join(lg.shared_with[:3])}")
    if lg.retention_days is None:
        problems.append("never expires")
    elif lg.retention_days < s.min_retention_days:
        problems.append(f"keeps logs {lg.retention_days} days, less than {s.min_retention_days}")
    if s.kms_required and not lg.kms_key_id:
        problems.append("is not encrypted with a KMS key")
    if problems:
        return result(cid, lg.address, F, f"The log group {lg.log_group} " + "; ".join(problems) + ".")
    return result(cid, lg.address, P, f"{lg.log_group} keeps logs {lg.retention_days} days, encrypted with {lg.kms_key_id or 'the default key'}.")


def esm_batch_failures(m: EventSourceMapping, settings: Settings) -> Result:
    cid, s = "PRR-ESM-001", settings.event_sources
    if isinstance(m.source_kind, Unknown):
        return unknown(cid, m.address, "The event source", m.source_kind)
    if m.source_kind not in ("sqs", "kinesis", "dynamodb"):
        return result(cid, m.address, NA, f"Partial batch responses do not apply to {m.source_kind or 'this'} sources.")
    if not s.sqs_report_batch_item_failures:
        return result(cid, m.address, NA, "Settings do not require partial batch responses.")
    if isinstance(m.function_response_types, Unknown):
        return unknown(cid, m.address, "The mapping's function response types", m.function_response_types)
    if "ReportBatchItemFailures" in (m.function_response_types or ()):
        return result(cid, m.address, P, "The function reports batch item failures, so one bad record does not fail the batch.")
    return result(cid, m.address, F, "The mapping does not enable ReportBatchItemFailures: one failing record retries the whole batch.")


def esm_bounded_retries(m: EventSourceMapping, settings: Settings) -> Result:
    cid, s = "PRR-ESM-002", settings.event_sources
    if isinstance(m.source_kind, Unknown):
        return unknown(cid, m.address, "The event source", m.source_kind)
    if m.source_kind not in ("kinesis", "dynamodb", "kafka", "docdb"):
        return result(cid, m.address, NA, "Retries of queue sources are bounded by the queue's redrive policy (PRR-SQS-002).")
    found = _first_unknown(cid, m.address, maximum_retry_attempts=m.maximum_retry_attempts,
                           maximum_record_age=m.maximum_record_age_seconds, on_failure_destination=m.on_failure_destination)
    if found:
        return found
    problems = []
    retries, age = m.maximum_retry_attempts, m.maximum_record_age_seconds
    if retries is None or retries < 0 or retries > s.max_retry_attempts:
        problems.append(f"retries {'forever' if retries in (None, -1) else retries} (at most {s.max_retry_attempts})")
    if age is None or age < 0 or age > s.max_record_age_seconds:
        problems.append(f"keeps records {'forever' if age in (None, -1) else f'{age} s'} (at most {s.max_record_age_seconds} s)")
    if s.on_failure_destination_required and not m.on_failure_destination:
        problems.append("has no on-failure destination")
    if problems:
        return result(cid, m.address, F, "The mapping " + ", ".join(problems) + ".")
    return result(cid, m.address, P, f"At most {retries} retries and {age} s, then {m.on_failure_destination}.")


def esm_visibility_timeout(m: EventSourceMapping, settings: Settings) -> Result:
    cid, k = "PRR-ESM-003", settings.event_sources.visibility_timeout_multiplier
    if isinstance(m.source_kind, Unknown):
        return unknown(cid, m.address, "The event source", m.source_kind)
    if m.source_kind != "sqs":
        return result(cid, m.address, NA, "Only SQS sources have a visibility timeout.")
    found = _first_unknown(cid, m.address, queue_visibility_timeout=m.queue_visibility_timeout, function_timeout=m.function_timeout)
    if found:
        return found
    if m.queue_visibility_timeout is None or m.function_timeout is None:
        return result(cid, m.address, U, "The queue's visibility timeout or the function's timeout is not known.")
    if m.queue_visibility_timeout < k * m.function_timeout:
        return result(cid, m.address, F, f"The queue's visibility timeout is {m.queue_visibility_timeout} s, less than {k} x the "
                      f"function timeout of {m.function_timeout} s: messages reappear while still being processed.")
    return result(cid, m.address, P, f"Visibility timeout {m.queue_visibility_timeout} s >= {k} x {m.function_timeout} s.")


def deployment_group(g: DeploymentGroup, settings: Settings) -> Result:
    cid, s = "PRR-CODEDEPLOY-001", settings.release
    if isinstance(g.compute_platform, Unknown):
        return unknown(cid, g.address, "The compute platform", g.compute_platform)
    if g.compute_platform not in (None, "Lambda"):
        return result(cid, g.address, NA, f"The deployment group deploys to {g.compute_platform}, not Lambda.")
    found = _first_unknown(cid, g.address, deployment_type=g.deployment_config_type, alarms=g.alarms_enabled,
                           alarm_list=g.alarm_names, automatic_rollback=g.auto_rollback_enabled, rollback_events=g.auto_rollback_events)
    if found:
        return found
    problems = []
    if g.deployment_config_type not in s.allowed_deployment_types:
        problems.append(f"deploys {g.deployment_config_name} ({g.deployment_config_type}), not {' or '.join(s.allowed_deployment_types)}")
    if g.alarms_enabled is not True or not g.alarm_names:
        problems.append("watches no alarms")
    missing = [e for e in s.required_rollback_events if e not in (g.auto_rollback_events or ())]
    if g.auto_rollback_enabled is not True or missing:
        problems.append("does not roll back automatically on " + ", ".join(missing or s.required_rollback_events))
    if problems:
        return result(cid, g.address, F, "The deployment group " + "; ".join(problems) + ".")
    return result(cid, g.address, P, f"{g.deployment_config_name} with {len(g.alarm_names)} alarm(s) and automatic rollback.")


def release_path(r: FunctionRelease, settings: Settings) -> Result:
    cid, s = "PRR-LAMBDA-014", settings.release
    if isinstance(r.serving_traffic, Unknown):
        return unknown(cid, r.address, "Whether the function serves traffic", r.serving_traffic)
    if r.serving_traffic is False:
        return result(cid, r.address, NA, "The function has no event source, resource-policy grant or URL.")
    found = _first_unknown(cid, r.address, aliases=r.aliases, provisioned_concurrency=r.provisioned_concurrency_qualifiers)
    if found:
        return found
    if s.alias_required and not r.aliases:
        return result(cid, r.address, F, "The function serves traffic without an alias, so a release cannot be shifted or rolled back.")
    on_versions = [q for q in (r.provisioned_concurrency_qualifiers or ()) if q not in (r.aliases or ()) and q != "$LATEST"]
    if on_versions:
        return result(cid, r.address, F, f"Provisioned concurrency is on version(s) {', '.join(on_versions)}, not on an alias: a release leaves it behind.")
    return result(cid, r.address, P, f"Traffic goes through the alias(es) {', '.join(r.aliases or ())}.")


def release_deployments(r: FunctionRelease, settings: Settings) -> Result:
    """PRR-LAMBDA-016: a function that serves traffic is released by a CodeDeploy deployment
    group that passes PRR-CODEDEPLOY-001 (the same rule, on the group found for it)."""
    cid = "PRR-LAMBDA-016"
    if isinstance(r.serving_traffic, Unknown):
        return unknown(cid, r.address, "Whether the function serves traffic", r.serving_traffic)
    if r.serving_traffic is False:
        return result(cid, r.address, NA, "The function has no event source, resource-policy grant or URL.")
    if isinstance(r.deployment_group, Unknown):
        return unknown(cid, r.address, "The function's CodeDeploy deployment group", r.deployment_group)
    if r.deployment_group is None:
        return result(cid, r.address, F, "No CodeDeploy deployment group releases this function (looked for "
                      f"{settings.release.deployment_group_name.format(function=r.address.rsplit(':', 1)[-1])!r}).")
    inner = deployment_group(r.deployment_group, settings)
    if inner.status is NA:
        return result(cid, r.address, F, f"{r.deployment_group.address} does not deploy to Lambda.")
    return result(cid, r.address, inner.status, f"{r.deployment_group.address}: {inner.reason}")
