"""Rules for the roles functions run as."""

from __future__ import annotations

from prr_policies.controls._common import P, F, NA, Verdict, rule, unknown
from prr_policies.facts import ExecutionRoleFacts, IamRole, LambdaFunction, Unknown
from prr_policies.settings import Settings


@rule("PRR-LAMBDA-012")
def execution_role(fn: LambdaFunction, settings: Settings) -> Verdict:
    role, policy = fn.role, settings.lambda_.execution_role
    if isinstance(role, Unknown):
        return unknown("The execution role", role)
    if not isinstance(role, ExecutionRoleFacts):
        return (F, "The function has no execution role.")
    boundary, users = role.permissions_boundary, role.functions_using_role
    if policy.require_permissions_boundary and not isinstance(boundary, Unknown) and not boundary:
        return (F, f"The execution role {role.address} has no permissions boundary.")
    if policy.one_role_per_function and not isinstance(users, Unknown) and users > 1:  # known, whatever the boundary is
        return (F, f"The execution role {role.address} is shared by {users} functions.")
    if policy.require_permissions_boundary and isinstance(boundary, Unknown):
        return unknown(f"The permissions boundary of {role.address}", boundary)
    if policy.one_role_per_function and isinstance(users, Unknown):
        return unknown(f"Whether {role.address} is shared", users)
    return (P, f"The function has its own execution role {role.address} with a permissions boundary.")


@rule("PRR-IAM-002")
def execution_role_boundary(role: IamRole, settings: Settings) -> Verdict:
    want = settings.iam.execution_role_boundary
    if isinstance(role.trusted_services, Unknown):
        return unknown("The role's trust policy", role.trusted_services)
    if "lambda.amazonaws.com" not in (role.trusted_services or ()):
        return (NA, "Lambda cannot assume this role.")
    if isinstance(role.permissions_boundary, Unknown):
        return unknown("The role's permissions boundary", role.permissions_boundary)
    if not role.permissions_boundary:
        return (F, "Lambda can assume this role and it has no permissions boundary.")
    if want and not role.permissions_boundary.endswith(f":policy/{want}"):
        return (F, f"The role's boundary is {role.permissions_boundary}, not the {want} policy.")
    return (P, f"The role is bounded by {role.permissions_boundary}.")
