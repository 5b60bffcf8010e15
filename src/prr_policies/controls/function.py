"""Rules for AWS Lambda functions themselves: tracing, concurrency, failures, encryption, code
signing, limits, runtime, network, URLs, resource-based permissions and log groups."""

from __future__ import annotations

import datetime
import math
import re

from prr_policies.controls._common import (
    P, F, NA, U, W, Verdict, first_unknown, is_aws_managed_key, known_problems_first, rule, unknown, within,
)
from prr_policies.facts import CodeSigningConfig, FunctionLogGroup, FunctionUrl, LambdaFunction, LambdaPermission, Unknown
from prr_policies.settings import Settings


@rule("PRR-LAMBDA-001")
def tracing_active(fn: LambdaFunction, settings: Settings) -> Verdict:
    mode, want = fn.tracing_mode, settings.lambda_.tracing_mode
    if isinstance(mode, Unknown):
        return unknown("The X-Ray tracing mode", mode)
    if mode is None:
        return (F, "X-Ray tracing is not configured, so Lambda uses PassThrough.")
    if mode != want:
        return (F, f"X-Ray tracing mode is {mode}, not {want}.")
    return (P, f"X-Ray tracing mode is {want}.")


@rule("PRR-LAMBDA-002")
def reserved_concurrency(fn: LambdaFunction, settings: Settings) -> Verdict:
    value = fn.reserved_concurrency
    bounds = settings.lambda_.reserved_concurrency
    if value is None or value == -1:
        return (F, "No reserved concurrency: the function draws on the account's unreserved pool.")
    if value == 0:
        return (F, "Reserved concurrency is 0, which throttles every invocation.")
    return within("Reserved concurrency", value, bounds.min, bounds.max, "")


@rule("PRR-LAMBDA-003")
def async_failure_destination(fn: LambdaFunction, settings: Settings) -> Verdict:
    if not settings.lambda_.async_failure_destination_required:
        return (NA, "Settings do not require a DLQ or on-failure destination.")
    known = [v for v in (fn.dead_letter_target_arn, fn.on_failure_destination) if isinstance(v, str) and v]
    if known:
        return (P, f"Failed asynchronous events go to {known[0]}.")
    for what, value in (("The dead-letter queue", fn.dead_letter_target_arn),
                        ("The on-failure destination", fn.on_failure_destination)):
        if isinstance(value, Unknown):
            return unknown(what, value)
    return (F, "Neither a dead-letter queue nor an on-failure destination is configured for asynchronous invocations.")


@rule("PRR-LAMBDA-004")
def environment_cmk(fn: LambdaFunction, settings: Settings) -> Verdict:
    key, has_env = fn.kms_key_arn, fn.has_environment_variables
    if not settings.lambda_.environment_cmk_required:
        return (NA, "Settings do not require a customer-managed key for environment variables.")
    if isinstance(key, Unknown):
        return unknown("The KMS key for environment variables", key)
    if isinstance(key, str) and key:
        if is_aws_managed_key(key):
            return (F, f"Environment variables use the AWS managed key {key}, not a customer-managed key.")
        return (P, f"Environment variables are encrypted with the customer-managed key {key}.")
    if isinstance(has_env, Unknown):
        return unknown("Whether environment variables are set", has_env)
    if not has_env:
        return (NA, "The function sets no environment variables.")
    return (F, "Environment variables are set but encrypted only with the AWS managed key (no kms_key_arn).")


@rule("PRR-LAMBDA-005")
def code_signing(fn: LambdaFunction, settings: Settings) -> Verdict:
    policy = settings.lambda_.code_signing
    if not policy.required:
        return (NA, "Settings do not require code signing.")
    if isinstance(fn.package_type, Unknown):
        return unknown("The package type", fn.package_type)
    if fn.package_type in policy.exempt_package_types:
        return (NA, f"{fn.package_type} packages are exempt from code signing in the settings.")
    csc = fn.code_signing_config_arn
    if isinstance(csc, Unknown):
        return unknown("The code signing config", csc)
    if not csc:
        return (F, "No code signing config is attached, so unsigned code can be deployed.")
    return (P, f"Code signing config {csc} is attached.")


@rule("PRR-LAMBDA-006")
def timeout_bounds(fn: LambdaFunction, settings: Settings) -> Verdict:
    b = settings.lambda_.timeout
    return within("The timeout", fn.timeout, b.min_seconds, b.max_seconds, " s")


@rule("PRR-LAMBDA-007")
def memory_bounds(fn: LambdaFunction, settings: Settings) -> Verdict:
    b = settings.lambda_.memory
    return within("Memory", fn.memory_size, b.min_mb, b.max_mb, " MB")


@rule("PRR-LAMBDA-008")
def runtime_supported(fn: LambdaFunction, settings: Settings) -> Verdict:
    runtime = fn.runtime
    if isinstance(fn.package_type, Unknown):
        return unknown("The package type", fn.package_type)
    if fn.package_type == "Image":
        return (NA, "Container image functions bring their own runtime.")
    if isinstance(runtime, Unknown):
        return unknown("The runtime", runtime)
    if not runtime:
        return (F, "A .zip function without a runtime cannot be checked or deployed.")
    deprecated_on = settings.runtime_deprecation(runtime)
    if deprecated_on is None:
        return (U, f"Runtime {runtime} is not in the deprecation table; add its date to the settings.")
    today = settings.evaluation_date()
    policy = settings.lambda_.runtime
    deadline = deprecated_on - datetime.timedelta(days=policy.warn_days_before_deprecation)
    if today >= deadline:
        return (F, f"Runtime {runtime} is deprecated on {deprecated_on.isoformat()} (checked as of {today.isoformat()}).")
    if today >= deadline - datetime.timedelta(days=policy.warning_window_days):
        return (W, f"Runtime {runtime} is deprecated on {deprecated_on.isoformat()}, {(deprecated_on - today).days} days "
                   f"after {today.isoformat()}: plan the upgrade (this becomes a FAIL on {deadline.isoformat()}).")
    return (P, f"Runtime {runtime} is supported until {deprecated_on.isoformat()}.")


@rule("PRR-LAMBDA-009")
def inside_vpc(fn: LambdaFunction, settings: Settings) -> Verdict:
    subnets = fn.vpc_subnet_ids
    if not settings.lambda_.require_vpc:
        return (NA, "Settings do not require functions to run in a VPC.")
    if isinstance(subnets, Unknown):
        return unknown("The VPC subnets", subnets)
    if not subnets:
        return (F, "The function is not attached to any VPC subnet.")
    return (P, f"The function runs in {len(subnets)} VPC subnet(s).")


@rule("PRR-LAMBDA-010")
def function_url_iam_auth(url: FunctionUrl, settings: Settings) -> Verdict:
    auth = url.authorization_type
    if isinstance(auth, Unknown):
        return unknown("The function URL auth type", auth)
    if auth == "AWS_IAM":
        return (P, "The function URL requires IAM (SigV4) authentication.")
    return (F, f"The function URL auth type is {auth or 'not set'}, so anyone on the internet can invoke it.")


@rule("PRR-LAMBDA-011")
def permission_scoped(perm: LambdaPermission, settings: Settings) -> Verdict:
    principal = perm.principal
    if isinstance(principal, Unknown):
        return unknown("The principal", principal)
    if not principal or not principal.endswith(".amazonaws.com"):
        return (NA, f"The principal {principal or '(none)'} is not an AWS service principal.")
    if principal in settings.lambda_.permission_scoping_exempt_principals:
        return (NA, f"{principal} is exempt from source scoping in the settings.")
    scopes = [(n, v) for n, v in (("source_arn", perm.source_arn), ("source_account", perm.source_account)) if v is not None]
    for name, value in scopes:
        if isinstance(value, str) and value:
            return (P, f"The grant to {principal} is limited by {name}.")
    for name, value in scopes:
        if isinstance(value, Unknown):
            return unknown(name, value)
    return (F, f"{principal} may invoke the function on behalf of any account (no source_arn or source_account): a confused deputy.")


@rule("PRR-LAMBDA-013")
def signing_enforced(c: CodeSigningConfig, settings: Settings) -> Verdict:
    policy, arns = c.untrusted_artifact_on_deployment, c.signing_profile_version_arns
    if not isinstance(policy, Unknown) and policy != "Enforce":  # a known violation, whatever the publishers are
        return (F, f"Untrusted artifacts are {policy or 'Warn'}ed, not rejected (Enforce).")
    if not isinstance(arns, Unknown) and not arns:
        return (F, "The code signing config allows no signing profile.")
    found = first_unknown(untrusted_artifact_policy=policy, allowed_publishers=arns)
    if found:
        return found
    return (P, f"Unsigned or untrusted code is rejected; {len(c.signing_profile_version_arns)} signing profile(s) allowed.")


@rule("PRR-LAMBDA-015")
def function_log_group(lg: FunctionLogGroup, settings: Settings) -> Verdict:
    s = settings.logs
    if isinstance(lg.log_group, Unknown):
        return unknown("The function's log group", lg.log_group)
    if not lg.log_group:
        return (F, "The function's log group does not exist yet: Lambda will create it without retention or encryption.")
    problems = []  # from the fields that are known: a known violation is a FAIL whatever the others are
    if not isinstance(lg.shared_with, Unknown) and lg.shared_with:
        problems.append(f"is shared with {', '.join(lg.shared_with[:3])}")
    if lg.retention_days is None:
        problems.append("never expires")
    elif not isinstance(lg.retention_days, Unknown) and lg.retention_days < s.min_retention_days:
        problems.append(f"keeps logs {lg.retention_days} days, less than {s.min_retention_days}")
    if s.kms_required and not isinstance(lg.kms_key_id, Unknown) and not lg.kms_key_id:
        problems.append("is not encrypted with a KMS key")
    found = first_unknown(retention=lg.retention_days, encryption_key=lg.kms_key_id, sharing=lg.shared_with)
    return known_problems_first(f"The log group {lg.log_group}", problems, found,
                                lambda: f"{lg.log_group} keeps logs {lg.retention_days} days, encrypted with {lg.kms_key_id or 'the default key'}.")


# ---- issue 13 -----------------------------------------------------------------------------------

def _entropy(value: str) -> float:
    """Shannon entropy of a string, in bits per character."""
    counts = {c: value.count(c) for c in set(value)}
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


_NOT_A_SECRET = re.compile(
    r"^(arn:aws[\w-]*:(secretsmanager|ssm|kms|sqs|sns|dynamodb|s3|lambda|events|logs|iam):"  # a reference by ARN
    r"|\{\{resolve:(secretsmanager|ssm)"                                                         # a dynamic reference
    r"|/[\w./-]+$"                                                                               # a parameter name
    r"|(true|false|yes|no|on|off|none|null)$|-?\d+(\.\d+)?$"                                     # a flag or a number
    r"|https?://[^/@\s]+(/[^@\s]*)?$)",                                                          # a URL without credentials
    re.IGNORECASE)


def _secret_shaped(name: str, value: str, s: object) -> str | None:
    """Why a literal looks like a secret, or None (the written false-positive policy: see
    ``PlainSecretSettings``)."""
    if not value or _NOT_A_SECRET.match(value):
        return None
    named_reference = name.upper().endswith(tuple(x.upper() for x in s.reference_name_suffixes))  # type: ignore[attr-defined]
    if not named_reference and any(re.search(p, name, re.IGNORECASE) for p in s.name_patterns):  # type: ignore[attr-defined]
        return "its name says it holds a secret"
    if len(value) >= s.min_length and _entropy(value) >= s.min_entropy:  # type: ignore[attr-defined]
        return f"its value looks random ({_entropy(value):.1f} bits per character)"
    return None


@rule("PRR-LAMBDA-019")
def no_plaintext_secrets(fn: LambdaFunction, settings: Settings) -> Verdict:
    s = settings.plain_secrets
    if not s.enabled:
        return (NA, "Settings do not check environment variables for secrets.")
    env = fn.environment
    if isinstance(env, Unknown):
        return unknown("The environment variables", env)
    if not env:
        return (NA, "The function has no environment variables.")
    function = fn.address.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
    leaks, unknowns = [], []
    for var in env:
        if var.name in s.allowed or f"{function}/{var.name}" in s.allowed:
            continue
        if var.origin == "secret_value":
            leaks.append(f"{var.name} (the value of a secret is copied into it)")
        elif isinstance(var.value, Unknown):
            if var.origin != "reference":
                unknowns.append(var)
        elif var.origin == "literal":
            why = _secret_shaped(var.name, var.value or "", s)
            if why:
                leaks.append(f"{var.name} ({why})")
    if leaks:
        return (F, "Environment variables hold literal secrets, readable by anyone who may read the function's "
                   f"configuration: {'; '.join(leaks)}. Store them in Secrets Manager or Parameter Store and pass the "
                   "reference (or list a false positive in plain_secrets.allowed).")
    if unknowns:
        return unknown(f"The value of {unknowns[0].name}", unknowns[0].value)  # type: ignore[arg-type]
    return (P, f"None of the {len(env)} environment variable(s) holds a literal secret.")


@rule("PRR-LAMBDA-020")
def multi_az(fn: LambdaFunction, settings: Settings) -> Verdict:
    if isinstance(fn.vpc_subnet_ids, Unknown):
        return unknown("The VPC subnets", fn.vpc_subnet_ids)
    if not fn.vpc_subnet_ids:
        return (NA, "The function is not attached to a VPC; Lambda runs it in several Availability Zones.")
    if isinstance(fn.vpc_availability_zones, Unknown):
        return unknown("The Availability Zones of its subnets", fn.vpc_availability_zones)
    zones = tuple(dict.fromkeys(fn.vpc_availability_zones or ()))
    if len(zones) < 2:
        return (F, f"The function's subnets are all in {zones[0] if zones else 'one Availability Zone'}: "
                   "an outage of that zone stops it.")
    return (P, f"The function's subnets span {len(zones)} Availability Zones ({', '.join(zones)}).")


# Environment variables through which a runtime loads or runs code from outside the signed package
# and layers: any value (None), or a value matching the pattern (an option that loads code).
_JAVA_AGENT = re.compile(r"-javaagent:|-agentpath:|-agentlib:|-Xbootclasspath")
_CODE_LOADERS: dict[str, re.Pattern[str] | None] = {
    "AWS_LAMBDA_EXEC_WRAPPER": None,  # a wrapper script that runs the runtime
    "NODE_OPTIONS": re.compile(r"(^|\s)(--require|-r|--import|--loader|--experimental-loader)(=|\s|$)"),
    "JAVA_TOOL_OPTIONS": _JAVA_AGENT, "_JAVA_OPTIONS": _JAVA_AGENT, "JDK_JAVA_OPTIONS": _JAVA_AGENT,
    "PYTHONPATH": None, "PYTHONSTARTUP": None, "PYTHONHOME": None,
    "PERL5OPT": None, "PERL5LIB": None, "RUBYOPT": None, "RUBYLIB": None,
    "LD_PRELOAD": None, "DOTNET_STARTUP_HOOKS": None,
}


@rule("PRR-LAMBDA-024")
def no_code_loading_environment(fn: LambdaFunction, settings: Settings) -> Verdict:
    signing = settings.lambda_.code_signing
    if not signing.required:
        return (NA, "Settings do not require code signing.")
    if isinstance(fn.package_type, Unknown):
        return unknown("The package type", fn.package_type)
    if (fn.package_type or "Zip") in signing.exempt_package_types:
        return (NA, f"{fn.package_type} functions are exempt from code signing.")
    env = fn.environment
    if isinstance(env, Unknown):
        return unknown("The environment variables", env)
    if not env:
        return (NA, "The function has no environment variables.")
    function = fn.address.rsplit(":", 1)[-1].rsplit(".", 1)[-1]
    loaders, doubts = [], []
    for var in env:
        if var.name not in _CODE_LOADERS or var.name in signing.environment_loaders_allowed \
                or f"{function}/{var.name}" in signing.environment_loaders_allowed:
            continue
        pattern = _CODE_LOADERS[var.name]
        if pattern is None:
            loaders.append(var.name)
        elif isinstance(var.value, Unknown):
            doubts.append(var)
        elif pattern.search(var.value or ""):
            loaders.append(var.name)
    if loaders:
        return (F, f"{', '.join(loaders)} make{'s' if len(loaders) == 1 else ''} the runtime load or run code that code "
                   "signing does not check (it covers the package and layers only). Remove it, or review it and list it "
                   "in lambda.code_signing.environment_loaders_allowed.")
    if doubts:
        return unknown(f"The value of {doubts[0].name}", doubts[0].value)  # type: ignore[arg-type]
    return (P, "No environment variable makes the runtime load code outside the signed package and layers.")
