"""Rules for AWS Lambda functions, their URLs and their resource-based permissions."""

from __future__ import annotations

import datetime

from prr_policies.controls._common import is_aws_managed_key, result, unknown, within
from prr_policies.facts import ExecutionRoleFacts, FunctionUrl, LambdaFunction, LambdaPermission, Unknown
from prr_policies.result import Result, Status
from prr_policies.settings import Settings

P, F, NA, U = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.UNKNOWN


def tracing_active(fn: LambdaFunction, settings: Settings) -> Result:
    cid, mode, want = "PRR-LAMBDA-001", fn.tracing_mode, settings.lambda_.tracing_mode
    if isinstance(mode, Unknown):
        return unknown(cid, fn.address, "The X-Ray tracing mode", mode)
    if mode is None:
        return result(cid, fn.address, F, "X-Ray tracing is not configured, so Lambda uses PassThrough.")
    if mode != want:
        return result(cid, fn.address, F, f"X-Ray tracing mode is {mode}, not {want}.")
    return result(cid, fn.address, P, f"X-Ray tracing mode is {want}.")


def reserved_concurrency(fn: LambdaFunction, settings: Settings) -> Result:
    cid, value = "PRR-LAMBDA-002", fn.reserved_concurrency
    bounds = settings.lambda_.reserved_concurrency
    if value is None or value == -1:
        return result(cid, fn.address, F, "No reserved concurrency: the function draws on the account's unreserved pool.")
    if value == 0:
        return result(cid, fn.address, F, "Reserved concurrency is 0, which throttles every invocation.")
    return within(cid, fn.address, "Reserved concurrency", value, bounds.min, bounds.max, "")


def async_failure_destination(fn: LambdaFunction, settings: Settings) -> Result:
    cid = "PRR-LAMBDA-003"
    if not settings.lambda_.async_failure_destination_required:
        return result(cid, fn.address, NA, "Settings do not require a DLQ or on-failure destination.")
    known = [v for v in (fn.dead_letter_target_arn, fn.on_failure_destination) if isinstance(v, str) and v]
    if known:
        return result(cid, fn.address, P, f"Failed asynchronous events go to {known[0]}.")
    for what, value in (("The dead-letter queue", fn.dead_letter_target_arn),
                        ("The on-failure destination", fn.on_failure_destination)):
        if isinstance(value, Unknown):
            return unknown(cid, fn.address, what, value)
    return result(cid, fn.address, F, "Neither a dead-letter queue nor an on-failure destination is configured for asynchronous invocations.")


def environment_cmk(fn: LambdaFunction, settings: Settings) -> Result:
    cid, key, has_env = "PRR-LAMBDA-004", fn.kms_key_arn, fn.has_environment_variables
    if not settings.lambda_.environment_cmk_required:
        return result(cid, fn.address, NA, "Settings do not require a customer-managed key for environment variables.")
    if isinstance(key, Unknown):
        return unknown(cid, fn.address, "The KMS key for environment variables", key)
    if isinstance(key, str) and key:
        if is_aws_managed_key(key):
            return result(cid, fn.address, F, f"Environment variables use the AWS managed key {key}, not a customer-managed key.")
        return result(cid, fn.address, P, f"Environment variables are encrypted with the customer-managed key {key}.")
    if isinstance(has_env, Unknown):
        return unknown(cid, fn.address, "Whether environment variables are set", has_env)
    if not has_env:
        return result(cid, fn.address, NA, "The function sets no environment variables.")
    return result(cid, fn.address, F, "Environment variables are set but encrypted only with the AWS managed key (no kms_key_arn).")


def code_signing(fn: LambdaFunction, settings: Settings) -> Result:
    cid, policy = "PRR-LAMBDA-005", settings.lambda_.code_signing
    if not policy.required:
        return result(cid, fn.address, NA, "Settings do not require code signing.")
    if isinstance(fn.package_type, Unknown):
        return unknown(cid, fn.address, "The package type", fn.package_type)
    if fn.package_type in policy.exempt_package_types:
        return result(cid, fn.address, NA, f"{fn.package_type} packages are exempt from code signing in the settings.")
    csc = fn.code_signing_config_arn
    if isinstance(csc, Unknown):
        return unknown(cid, fn.address, "The code signing config", csc)
    if not csc:
        return result(cid, fn.address, F, "No code signing config is attached, so unsigned code can be deployed.")
    return result(cid, fn.address, P, f"Code signing config {csc} is attached.")


def timeout_bounds(fn: LambdaFunction, settings: Settings) -> Result:
    b = settings.lambda_.timeout
    return within("PRR-LAMBDA-006", fn.address, "The timeout", fn.timeout, b.min_seconds, b.max_seconds, " s")


def memory_bounds(fn: LambdaFunction, settings: Settings) -> Result:
    b = settings.lambda_.memory
    return within("PRR-LAMBDA-007", fn.address, "Memory", fn.memory_size, b.min_mb, b.max_mb, " MB")


def runtime_supported(fn: LambdaFunction, settings: Settings) -> Result:
    cid, runtime = "PRR-LAMBDA-008", fn.runtime
    if isinstance(fn.package_type, Unknown):
        return unknown(cid, fn.address, "The package type", fn.package_type)
    if fn.package_type == "Image":
        return result(cid, fn.address, NA, "Container image functions bring their own runtime.")
    if isinstance(runtime, Unknown):
        return unknown(cid, fn.address, "The runtime", runtime)
    if not runtime:
        return result(cid, fn.address, F, "A .zip function without a runtime cannot be checked or deployed.")
    deprecated_on = settings.runtime_deprecation(runtime)
    if deprecated_on is None:
        return result(cid, fn.address, U, f"Runtime {runtime} is not in the deprecation table; add its date to the settings.")
    today = settings.evaluation_date()
    deadline = deprecated_on - datetime.timedelta(days=settings.lambda_.runtime.warn_days_before_deprecation)
    if today >= deadline:
        return result(cid, fn.address, F, f"Runtime {runtime} is deprecated on {deprecated_on.isoformat()} (checked as of {today.isoformat()}).")
    return result(cid, fn.address, P, f"Runtime {runtime} is supported until {deprecated_on.isoformat()}.")


def inside_vpc(fn: LambdaFunction, settings: Settings) -> Result:
    cid, subnets = "PRR-LAMBDA-009", fn.vpc_subnet_ids
    if not settings.lambda_.require_vpc:
        return result(cid, fn.address, NA, "Settings do not require functions to run in a VPC.")
    if isinstance(subnets, Unknown):
        return unknown(cid, fn.address, "The VPC subnets", subnets)
    if not subnets:
        return result(cid, fn.address, F, "The function is not attached to any VPC subnet.")
    return result(cid, fn.address, P, f"The function runs in {len(subnets)} VPC subnet(s).")


def function_url_iam_auth(url: FunctionUrl, settings: Settings) -> Result:
    cid, auth = "PRR-LAMBDA-010", url.authorization_type
    if isinstance(auth, Unknown):
        return unknown(cid, url.address, "The function URL auth type", auth)
    if auth == "AWS_IAM":
        return result(cid, url.address, P, "The function URL requires IAM (SigV4) authentication.")
    return result(cid, url.address, F, f"The function URL auth type is {auth or 'not set'}, so anyone on the internet can invoke it.")


def permission_scoped(perm: LambdaPermission, settings: Settings) -> Result:
    cid, principal = "PRR-LAMBDA-011", perm.principal
    if isinstance(principal, Unknown):
        return unknown(cid, perm.address, "The principal", principal)
    if not principal or not principal.endswith(".amazonaws.com"):
        return result(cid, perm.address, NA, f"The principal {principal or '(none)'} is not an AWS service principal.")
    if principal in settings.lambda_.permission_scoping_exempt_principals:
        return result(cid, perm.address, NA, f"{principal} is exempt from source scoping in the settings.")
    scopes = [(n, v) for n, v in (("source_arn", perm.source_arn), ("source_account", perm.source_account)) if v is not None]
    for name, value in scopes:
        if isinstance(value, str) and value:
            return result(cid, perm.address, P, f"The grant to {principal} is limited by {name}.")
    for name, value in scopes:
        if isinstance(value, Unknown):
            return unknown(cid, perm.address, name, value)
    return result(cid, perm.address, F, f"{principal} may invoke the function on behalf of any account (no source_arn or source_account): a confused deputy.")


def execution_role(fn: LambdaFunction, settings: Settings) -> Result:
    cid, role, policy = "PRR-LAMBDA-012", fn.role, settings.lambda_.execution_role
    if isinstance(role, Unknown):
        return unknown(cid, fn.address, "The execution role", role)
    if not isinstance(role, ExecutionRoleFacts):
        return result(cid, fn.address, F, "The function has no execution role.")
    if policy.require_permissions_boundary:
        if isinstance(role.permissions_boundary, Unknown):
            return unknown(cid, fn.address, f"The permissions boundary of {role.address}", role.permissions_boundary)
        if not role.permissions_boundary:
            return result(cid, fn.address, F, f"The execution role {role.address} has no permissions boundary.")
    if policy.one_role_per_function:
        if isinstance(role.functions_using_role, Unknown):
            return unknown(cid, fn.address, f"Whether {role.address} is shared", role.functions_using_role)
        if role.functions_using_role > 1:
            return result(cid, fn.address, F, f"The execution role {role.address} is shared by {role.functions_using_role} functions.")
    return result(cid, fn.address, P, f"The function has its own execution role {role.address} with a permissions boundary.")
