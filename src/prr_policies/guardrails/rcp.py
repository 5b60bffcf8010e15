"""Resource control policies from ``prr.yaml``: the organization's data perimeter.

SCPs bind only the organization's own principals; a role trusted by another account (or by
``*``) hands that account access that no SCP can stop. RCPs are evaluated on the resource side,
for every caller, on the services that support them. These deny:

- ``PrrRcpAppRoleTrust``: assuming an application role (``<role_prefix>*``), tagging the session
  or setting its source identity, by anyone but the Lambda and CodeDeploy services (or, when
  ``perimeter.app_roles_assumable_in_organization`` is true, principals of the organization);
- ``PrrRcpDataPerimeter``: any action on the ``perimeter.services`` (S3, SQS, KMS, Secrets
  Manager... ) by a principal outside the organization, unless its account is in
  ``perimeter.trusted_accounts`` or it is a listed AWS service principal;
- ``PrrRcpServiceSources``: those services acting for a source (``aws:SourceAccount``) outside
  the organization and the trusted accounts: the confused-deputy half of the perimeter.

They are packed like SCPs (5,120 characters each) into at most
``rcp_max_policies_per_target - 1`` policies, leaving a slot for ``RCPFullAWSAccess``.
"""

from __future__ import annotations

from typing import Any

from prr_policies.guardrails.common import require
from prr_policies.guardrails.scp import minified, pack
from prr_policies.settings import Settings

# Service principals that assume application roles: Lambda (execution roles) and CodeDeploy (the
# generated per-application CodeDeploy role).
APP_ROLE_SERVICES = ["lambda.amazonaws.com", "codedeploy.amazonaws.com"]
STS_ROLE_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity", "sts:TagSession"]


def _deny(sid: str, actions: list[str], resource: Any, condition: dict) -> dict:
    return {"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": actions, "Resource": resource, "Condition": condition}


def statements(settings: Settings) -> list[dict]:
    g = require(settings)
    per = g.perimeter
    org = g.organization_id
    trust: dict[str, Any] = {"aws:PrincipalServiceName": APP_ROLE_SERVICES}
    if per.app_roles_assumable_in_organization:
        trust["aws:PrincipalOrgID"] = org
    out = [_deny("PrrRcpAppRoleTrust", STS_ROLE_ACTIONS, f"arn:aws:iam::*:role/{g.application.role_prefix}*",
                 {"StringNotEqualsIfExists": trust})]
    if per.services:
        actions = [f"{svc}:*" for svc in per.services]
        who: dict[str, Any] = {"aws:PrincipalOrgID": org}
        if per.trusted_accounts:
            who["aws:PrincipalAccount"] = list(per.trusted_accounts)
        identity: dict[str, Any] = {"StringNotEqualsIfExists": who}
        if per.trusted_service_principals:  # an unlisted service principal is outside the organization
            identity["StringNotLikeIfExists"] = {"aws:PrincipalServiceName": list(per.trusted_service_principals)}
        source: dict[str, Any] = {"aws:SourceOrgID": org}
        if per.trusted_accounts:
            source["aws:SourceAccount"] = list(per.trusted_accounts)
        out += [
            _deny("PrrRcpDataPerimeter", actions, "*", identity),
            _deny("PrrRcpServiceSources", actions, "*", {"StringNotEqualsIfExists": source, "Null": {"aws:SourceAccount": "false"},
                                                          "Bool": {"aws:PrincipalIsAWSService": "true"}}),
        ]
    return out


def generate(settings: Settings) -> dict[str, str]:
    """``rcp/prr-guardrails-<n>.json`` -> minified JSON text."""
    g = require(settings)
    docs = pack(statements(settings), g.rcp_max_policies_per_target - 1, kind="RCP",
                setting="guardrails.rcp_max_policies_per_target", full="RCPFullAWSAccess")
    return {f"rcp/prr-guardrails-{i + 1}.json": minified(d) for i, d in enumerate(docs)}
