"""The deploy role's trust policy for GitHub Actions OIDC, from ``guardrails.github_oidc``.

``trust/<pipeline role>.<environment>.json`` for each deploy role and each GitHub environment:
the role in that environment's account may be assumed with ``sts:AssumeRoleWithWebIdentity``
only by a workflow job of ``repository`` that runs in that environment, with the audience
``configure-aws-credentials`` requests. Facts it encodes (GitHub's and IAM's documentation):

- a job with ``environment:`` gets ``sub = repo:<Owner>/<repo>:environment:<name>``; the
  repository and environment are spelled as GitHub spells them and IAM's ``StringEquals``
  compares case-sensitively, so the settings keep their exact case and no wildcard is used
  (``StringLike`` on ``repo:org/*`` is the classic over-broad trust);
- ``aud`` is checked too (``sts.amazonaws.com`` for configure-aws-credentials);
- one file per environment: the production role trusts only production jobs.

Nothing is generated while ``repository`` is null.
"""

from __future__ import annotations

import json

from prr_policies.errors import GuardrailError
from prr_policies.settings import Settings

PROVIDER = "token.actions.githubusercontent.com"


def subject(repository: str, environment: str) -> str:
    return f"repo:{repository}:environment:{environment}"


def trust_policy(settings: Settings, environment: str) -> dict:
    g = settings.guardrails
    oidc = g.github_oidc if g else None
    if oidc is None or oidc.repository is None:
        raise GuardrailError("guardrails.github_oidc.repository", "set the GitHub repository (Owner/name) to generate a trust policy",
                             settings.source)
    account = oidc.environments[environment]
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "GitHubActionsDeploy",
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/{PROVIDER}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{PROVIDER}:aud": oidc.audience, f"{PROVIDER}:sub": subject(oidc.repository, environment)}},
    }]}


def generate(settings: Settings) -> dict[str, str]:
    g = settings.guardrails
    oidc = g.github_oidc if g else None
    if oidc is None or oidc.repository is None:
        return {}
    if not oidc.environments:
        raise GuardrailError("guardrails.github_oidc.environments", "name the GitHub environments that deploy, with their account ids",
                             settings.source)
    if not g.pipeline_roles:
        raise GuardrailError("guardrails.pipeline_roles", "set the CI/CD deploy role names to generate their trust policies", settings.source)
    return {f"trust/{role}.{env}.json": json.dumps(trust_policy(settings, env), indent=2) + "\n"
            for role in g.pipeline_roles for env in sorted(oidc.environments)}
