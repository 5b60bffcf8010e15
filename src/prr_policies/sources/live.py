"""boto3 describe-call output -> facts, and a collector that makes those calls.

``lambda_function`` is pure: it takes the dicts that ``get_function``,
``get_function_code_signing_config``, ``get_function_event_invoke_config`` and ``iam.get_role``
return. ``collect_function`` makes the calls through clients it is given (no boto3 import
here) and turns a refused or failing call into Unknown naming the API and the error code.
"""

from __future__ import annotations

from typing import Any, Callable

from prr_policies.facts import ExecutionRoleFacts, LambdaFunction, Unknown

NOT_FOUND = {"ResourceNotFoundException", "NoSuchEntity"}


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def lambda_function(
    function: dict[str, Any],
    code_signing: dict[str, Any] | None | Unknown = None,
    invoke_config: dict[str, Any] | None | Unknown = None,
    role: dict[str, Any] | None | Unknown = None,
    functions_using_role: int | Unknown = 1,
) -> LambdaFunction:
    cfg = function.get("Configuration") or {}
    env = _get(cfg, "Environment", "Variables")
    subnets = _get(cfg, "VpcConfig", "SubnetIds")
    reserved = _get(function, "Concurrency", "ReservedConcurrentExecutions")
    role_arn = cfg.get("Role")

    if isinstance(code_signing, Unknown):
        csc: Any = code_signing
    else:
        csc = (code_signing or {}).get("CodeSigningConfigArn") or None

    if isinstance(invoke_config, Unknown):
        on_failure: Any = invoke_config
    else:
        on_failure = _get(invoke_config, "DestinationConfig", "OnFailure", "Destination") or None

    role_facts: Any
    if isinstance(role, Unknown):
        role_facts = role
    elif role is None:
        role_facts = None if not role_arn else Unknown(f"the role {role_arn} was not read")
    else:
        role_facts = ExecutionRoleFacts(
            address=_get(role, "Role", "Arn") or role_arn or "<role>",
            permissions_boundary=_get(role, "Role", "PermissionsBoundary", "PermissionsBoundaryArn"),
            functions_using_role=functions_using_role,
        )

    return LambdaFunction(
        address=cfg.get("FunctionArn") or cfg.get("FunctionName") or "<function>",
        package_type=cfg.get("PackageType") or "Zip",
        runtime=cfg.get("Runtime"),
        tracing_mode=_get(cfg, "TracingConfig", "Mode"),
        reserved_concurrency=reserved,
        timeout=cfg.get("Timeout"),
        memory_size=cfg.get("MemorySize"),
        has_environment_variables=bool(env),
        kms_key_arn=cfg.get("KMSKeyArn"),
        code_signing_config_arn=csc,
        dead_letter_target_arn=_get(cfg, "DeadLetterConfig", "TargetArn"),
        on_failure_destination=on_failure,
        vpc_subnet_ids=tuple(subnets) if subnets else None,
        role=role_facts,
    )


def _call(api: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
    """The response, None when the resource does not exist, Unknown on any other error."""
    try:
        return fn(**kwargs)
    except Exception as exc:  # noqa: BLE001 - botocore's ClientError, without importing botocore
        code = _get(getattr(exc, "response", None), "Error", "Code") or type(exc).__name__
        if code in NOT_FOUND:
            return None
        return Unknown(f"{api} failed ({code}: {exc})")


def collect_function(lambda_client: Any, iam_client: Any, name: str, role_usage: dict[str, int] | None = None) -> LambdaFunction:
    """Facts for one function through the given boto3 clients."""
    function = _call("lambda:GetFunction", lambda_client.get_function, FunctionName=name)
    if not isinstance(function, dict):
        reason = function.reason if isinstance(function, Unknown) else "the function does not exist"
        return LambdaFunction(address=name, runtime=Unknown(reason), tracing_mode=Unknown(reason),
                              reserved_concurrency=Unknown(reason), timeout=Unknown(reason),
                              memory_size=Unknown(reason), package_type=Unknown(reason),
                              has_environment_variables=Unknown(reason), kms_key_arn=Unknown(reason),
                              code_signing_config_arn=Unknown(reason), dead_letter_target_arn=Unknown(reason),
                              on_failure_destination=Unknown(reason), vpc_subnet_ids=Unknown(reason), role=Unknown(reason))
    csc = _call("lambda:GetFunctionCodeSigningConfig", lambda_client.get_function_code_signing_config, FunctionName=name)
    invoke = _call("lambda:GetFunctionEventInvokeConfig", lambda_client.get_function_event_invoke_config, FunctionName=name)
    role_arn = _get(function, "Configuration", "Role") or ""
    role_name = role_arn.rsplit("/", 1)[-1] if role_arn else None
    role = _call("iam:GetRole", iam_client.get_role, RoleName=role_name) if role_name else None
    users: int | Unknown = (role_usage or {}).get(role_arn, 1) if role_usage is not None else Unknown(
        "the other functions of the account were not listed")
    return lambda_function(function, csc, invoke, role, users)
