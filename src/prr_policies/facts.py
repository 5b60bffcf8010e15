"""Facts: what every source (Terraform, Config, boto3) says about a resource, in one shape.

``None`` means "not set". ``Unknown(reason)`` means "set, but the value cannot be known here"
(an unresolved Terraform variable, a value known only after apply, a field the source does not
record). Rules must treat the two differently: unset is a fact, Unknown fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar, Union

T = TypeVar("T")


@dataclass(frozen=True)
class Unknown:
    reason: str

    def __bool__(self) -> bool:  # an Unknown must never be taken for a truthy value by accident
        raise TypeError(f"truth value of Unknown ({self.reason}) is undefined")


Maybe = Union[T, None, Unknown]


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


@dataclass(frozen=True)
class ExecutionRoleFacts:
    """The function's execution role, as far as the source can see it."""

    address: str
    permissions_boundary: Maybe[str]
    # How many functions in scope use this role (1 = dedicated).
    functions_using_role: int | Unknown


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
