"""AWS's document size limits, one row per policy type: the one table ``parse_policy`` and
``prr-policies lint-policy`` both read.

A row names the engine's policy kinds the type can be parsed as (the first is the one lint uses),
the limit, how AWS counts it, and the documentation sentence it encodes. Three ways of counting:

- ``no-whitespace``: characters, white space not counted (IAM identity policies: "IAM does not
  count white space when calculating the size of a policy against these quotas");
- ``characters``: characters as sent, white space included (SCPs, RCPs, session policies);
- ``bytes``: UTF-8 bytes of the document as sent (resource-based policies that state bytes or KB).

A document given as JSON text is measured as written; one given as a dict has no formatting of its
own and is measured minified (``json.dumps`` with no spaces, non-ASCII kept), as a generator
would send it.

Interpretations, stated:

- The inline quotas ("the total aggregate policy size (the sum size of all inline policies) per
  entity") are checked per document: a single inline policy over the aggregate is certainly
  refused; the sum over an entity's inline policies is the caller's to add up.
- ``aws-managed``: AWS managed policies are written by AWS, not held to the customer quotas
  (``ReadOnlyAccess`` is over 90,000 characters): no limit.
- A policy of a kind whose type is not named gets the loosest limit of that kind
  (:data:`DEFAULT_TYPE`), so no document AWS accepts is refused for its size.
- The role trust policy quota is adjustable ("Role trust policy length": 2,048 characters by
  default): ``trust`` enforces the default; the collector, which reads trust policies AWS
  already accepted, leaves them to the default resource limit.
- Session policies: the 2,048-character plaintext limit is checked; the packed binary limit
  (policies and session tags compressed together) cannot be computed here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

IAM_QUOTAS = "IAM and AWS STS quotas - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
ORG_QUOTAS = "Quotas for AWS Organizations - https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html"


@dataclass(frozen=True)
class SizeLimit:
    name: str
    kinds: tuple[str, ...]  # engine policy kinds this type can be parsed as; the first is lint's
    limit: int | None  # None: AWS sets no limit a customer document must meet
    unit: str  # "no-whitespace" | "characters" | "bytes"
    what: str  # "a managed policy", for messages
    doc: str  # the documentation sentence this row encodes
    source: str  # page title - URL

    def measure(self, doc: Any) -> int:
        text = doc if isinstance(doc, str) else json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        if self.unit == "bytes":
            return len(text.encode("utf-8"))
        if self.unit == "no-whitespace":
            return len("".join(text.split()))
        return len(text)

    def excess(self, doc: Any) -> str | None:
        """None when ``doc`` (JSON text or a dict) is within the limit, else the reason."""
        if self.limit is None:
            return None
        size = self.measure(doc)
        if size <= self.limit:
            return None
        unit = {"no-whitespace": "characters without whitespace", "characters": "characters", "bytes": "bytes"}[self.unit]
        return f"{size:,} {unit}; {self.what} holds at most {self.limit:,} ({self.source.split(' - ')[0]})"


_NO_WS = "IAM does not count white space when calculating the size of a policy against these quotas."

_ROWS = [
    SizeLimit("managed", ("identity", "boundary"), 6144, "no-whitespace", "a customer managed policy",
              "The size of each managed policy cannot exceed 6,144 characters. " + _NO_WS, IAM_QUOTAS),
    SizeLimit("role-inline", ("identity",), 10240, "no-whitespace", "a role's inline policy",
              "Role policy size cannot exceed 10,240 characters. " + _NO_WS, IAM_QUOTAS),
    SizeLimit("user-inline", ("identity",), 2048, "no-whitespace", "a user's inline policy",
              "User policy size cannot exceed 2,048 characters. " + _NO_WS, IAM_QUOTAS),
    SizeLimit("group-inline", ("identity",), 5120, "no-whitespace", "a group's inline policy",
              "Group policy size cannot exceed 5,120 characters. " + _NO_WS, IAM_QUOTAS),
    SizeLimit("aws-managed", ("identity", "boundary"), None, "no-whitespace", "an AWS managed policy",
              "AWS managed policies are created and administered by AWS; the customer quotas above do not bound them.",
              "AWS managed policies - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html"),
    SizeLimit("boundary", ("boundary",), 6144, "no-whitespace", "a permissions boundary (a managed policy)",
              "A permissions boundary is an advanced feature for using a managed policy to set the maximum permissions that "
              "an identity-based policy can grant to an IAM entity. The size of each managed policy cannot exceed 6,144 "
              "characters.", IAM_QUOTAS),
    SizeLimit("session", ("session",), 2048, "characters", "a session policy",
              "The plaintext that you use for both inline and managed session policies can't exceed 2,048 characters.",
              "AssumeRole - https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"),
    SizeLimit("trust", ("resource",), 2048, "no-whitespace", "a role trust policy (default quota)",
              "Role trust policy length: 2,048 characters (default quota, adjustable).", IAM_QUOTAS),
    SizeLimit("scp", ("scp",), 5120, "characters", "a service control policy",
              "Maximum size of a policy document: Service control policies: 5,120 characters", ORG_QUOTAS),
    SizeLimit("rcp", ("rcp",), 5120, "characters", "a resource control policy",
              "Maximum size of a policy document: Resource control policies: 5,120 characters", ORG_QUOTAS),
    SizeLimit("s3-bucket", ("resource",), 20480, "bytes", "an S3 bucket policy",
              "Bucket policies are limited to 20 KB in size.",
              "Bucket policies and user policies - https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html"),
    SizeLimit("sqs-queue", ("resource",), 8192, "bytes", "an SQS queue policy",
              "Amazon SQS policy quotas: Bytes 8,192",
              "Amazon SQS policy quotas - https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html"),
    SizeLimit("sns-topic", ("resource",), 30720, "bytes", "an SNS topic policy",
              "Policy quotas: Bytes 30 kb",
              "Amazon SNS API permissions: Actions and resources reference - "
              "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html"),
    SizeLimit("lambda-function", ("resource",), 20480, "bytes", "a Lambda function's resource-based policy",
              "Function resource-based policy: 20 KB",
              "Lambda quotas - https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"),
    SizeLimit("kms-key", ("resource",), 32768, "bytes", "a KMS key policy",
              "The maximum length of each key policy document is 32 KB (32,768 bytes).",
              "AWS KMS resource quotas - https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html"),
    SizeLimit("secretsmanager-secret", ("resource",), 20480, "characters", "a Secrets Manager secret policy",
              "ResourcePolicy: Length Constraints: Minimum length of 1. Maximum length of 20480.",
              "PutResourcePolicy - https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutResourcePolicy.html"),
    SizeLimit("resource", ("resource",), 32768, "bytes", "a resource-based policy of a service not named here",
              "The largest documented resource-based policy limit in this table (KMS key policies): "
              "The maximum length of each key policy document is 32 KB (32,768 bytes).",
              "AWS KMS resource quotas - https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html"),
]

POLICY_TYPES: dict[str, SizeLimit] = {row.name: row for row in _ROWS}

# The type a policy of a kind gets when none is named: the loosest limit of that kind.
DEFAULT_TYPE = {"identity": "role-inline", "boundary": "boundary", "session": "session", "scp": "scp", "rcp": "rcp",
                "resource": "resource"}


def size_limit(policy_type: str | None, kind: str) -> SizeLimit:
    """The row for ``policy_type`` (or the kind's default); ValueError when the type is unknown or
    cannot be parsed as ``kind``."""
    name = policy_type or DEFAULT_TYPE[kind]
    row = POLICY_TYPES.get(name)
    if row is None:
        raise ValueError(f"unknown policy type {name!r}; expected one of {', '.join(POLICY_TYPES)}")
    if kind not in row.kinds:
        raise ValueError(f"a {name} policy is parsed as {' or '.join(row.kinds)}, not {kind}")
    return row
