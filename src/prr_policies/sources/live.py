"""boto3 describe-call output -> Lambda function facts, and the calls that read them.

``lambda_function`` is pure: it takes the dicts that ``get_function``,
``get_function_code_signing_config``, ``get_function_event_invoke_config`` and ``iam.get_role``
return (or ``Unknown`` for a call that could not be made). ``read_function`` makes those calls
through :class:`~prr_policies.sources.aws_api.Api`, the one wrapper every live read goes
through, so a refused call is Unknown naming the IAM permission. ``collect_function`` does the
same with a Lambda and an IAM client (no boto3 import here).
"""

from __future__ import annotations

from typing import Any

from prr_policies.facts import ExecutionRoleFacts, LambdaFunction, Unknown, unknown_facts
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
) -> LambdaFunction:
    cfg = function.get("Configuration") or {}
    env = dig(cfg, "Environment", "Variables")
    subnets = dig(cfg, "VpcConfig", "SubnetIds")
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
    )


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
    return lambda_function(got, csc, invoke, role, users), role


def collect_function(lambda_client: Any, iam_client: Any, name: str, role_usage: dict[str, int] | None = None) -> LambdaFunction:
    """Facts for one function through the given boto3 clients."""
    clients = {"lambda": lambda_client, "iam": iam_client}
    return read_function(Api(clients.__getitem__), name, role_usage=role_usage)[0]
