"""Build the policy set AWS weighs for a principal, from an account, through boto3.

The functions take boto3 clients (so this module imports no boto3): an IAM client for the
identity side, an Organizations client (of the management or a delegated account) for SCPs and
RCPs, and a ``client(service)`` factory for resource-based policies. The result has the
case-file shape, so it can be saved as a case, inspected, or compiled with ``policy_set()``.

Collected for a principal:

- identity: the user's or role's inline policies, attached managed policies (their default
  version) and, for a user, the inline and attached policies of every group it is in;
- boundary: the permissions boundary's default version;
- scps / rcps: for the account, the policies attached to the root, to each OU on the path down
  to the account, and to the account (one list per level, root first);
- resource: the resource-based policy of the target, for Lambda functions, SQS queues, SNS
  topics, S3 buckets and objects, KMS keys, Secrets Manager secrets and IAM role trust.

A call that fails raises :class:`CollectError` naming the call and the entity; nothing is
silently left out of the set (a missing policy would read as a wider permission).

``Collected.types`` records what each document is (``user-inline``, ``managed``,
``aws-managed``, ``scp``, ``s3-bucket``...), so ``policy_set()`` holds each to its own size
limit (:mod:`prr_policies.iam.limits`); AWS managed policies, which AWS writes beyond the
customer quotas, are not held to one. Trust policies keep the default resource limit: their
quota is adjustable per account.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable

from prr_policies.iam.engine import PolicySet, policy_set


class CollectError(RuntimeError):
    def __init__(self, call: str, entity: str, reason: str):
        self.call, self.entity, self.reason = call, entity, reason
        super().__init__(f"{call} for {entity}: {reason}")


@dataclass
class Collected:
    policies: dict
    sources: list[str] = field(default_factory=list)  # where each policy came from, in order
    types: dict = field(default_factory=dict)  # the policy type of each document, in the shape of ``policies``

    def policy_set(self) -> PolicySet:
        return policy_set(self.policies, source="collected", types=self.types)


_AWS_MANAGED = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/")
# The size-limit row of each service's resource-based policy (None: the default resource limit).
_RESOURCE_TYPES = {"lambda": "lambda-function", "sqs": "sqs-queue", "sns": "sns-topic", "s3": "s3-bucket",
                   "kms": "kms-key", "secretsmanager": "secretsmanager-secret"}


def _managed_type(arn: str) -> str:
    return "aws-managed" if _AWS_MANAGED.match(arn) else "managed"


def _call(client: Any, method: str, entity: str, **kwargs: Any) -> dict:
    try:
        return getattr(client, method)(**kwargs)
    except Exception as exc:  # botocore ClientError and friends
        raise CollectError(method, entity, _reason(exc)) from None


def _reason(exc: Exception) -> str:
    resp = getattr(exc, "response", None)
    if isinstance(resp, dict) and "Error" in resp:
        return f"{resp['Error'].get('Code')}: {resp['Error'].get('Message')}"
    return f"{type(exc).__name__}: {exc}"


def _pages(client: Any, method: str, key: str, entity: str, **kwargs: Any) -> list:
    try:
        paginator = client.get_paginator(method)
        return [item for page in paginator.paginate(**kwargs) for item in page.get(key, [])]
    except Exception as exc:
        raise CollectError(method, entity, _reason(exc)) from None


def _doc(raw: Any, where: str) -> dict:
    """IAM returns documents URL-encoded on the wire; boto3 usually decodes them to a dict."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        text = raw if raw.lstrip().startswith("{") else urllib.parse.unquote(raw)
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CollectError("parse", where, f"policy document is not JSON: {exc.msg}") from None
        if isinstance(doc, dict):
            return doc
    raise CollectError("parse", where, "policy document is not a JSON object")


def _managed(iam: Any, arn: str) -> dict:
    pol = _call(iam, "get_policy", arn, PolicyArn=arn)["Policy"]
    ver = _call(iam, "get_policy_version", arn, PolicyArn=arn, VersionId=pol["DefaultVersionId"])["PolicyVersion"]
    return _doc(ver["Document"], f"{arn} {pol['DefaultVersionId']}")


def _entity_policies(iam: Any, kind: str, name: str, out: list, sources: list, types: list) -> None:
    cap = kind.capitalize()
    for pname in _pages(iam, f"list_{kind}_policies", "PolicyNames", f"{kind} {name}", **{f"{cap}Name": name}):
        got = _call(iam, f"get_{kind}_policy", f"{kind} {name} inline {pname}", **{f"{cap}Name": name, "PolicyName": pname})
        out.append(_doc(got["PolicyDocument"], f"{kind} {name} inline {pname}"))
        sources.append(f"identity: {kind} {name} inline policy {pname}")
        types.append(f"{kind}-inline")
    for att in _pages(iam, f"list_attached_{kind}_policies", "AttachedPolicies", f"{kind} {name}", **{f"{cap}Name": name}):
        out.append(_managed(iam, att["PolicyArn"]))
        sources.append(f"identity: {kind} {name} managed policy {att['PolicyArn']}")
        types.append(_managed_type(att["PolicyArn"]))


def collect_identity(iam: Any, principal_arn: str) -> Collected:
    """Identity policies and the permissions boundary of an IAM user, a role, or a role
    session (``arn:aws:sts::...:assumed-role/Name/session``: its role's policies)."""
    from prr_policies.iam.engine import parse_principal

    p = parse_principal(principal_arn)
    identity: list = []
    sources: list[str] = []
    types: list[str] = []
    if p.kind == "user":
        name = p.user_name
        entity = _call(iam, "get_user", f"user {name}", UserName=name)["User"]
        _entity_policies(iam, "user", name, identity, sources, types)
        for g in _pages(iam, "list_groups_for_user", "Groups", f"user {name}", UserName=name):
            _entity_policies(iam, "group", g["GroupName"], identity, sources, types)
    elif p.kind in ("role", "session"):
        name = p.role_name
        entity = _call(iam, "get_role", f"role {name}", RoleName=name)["Role"]
        _entity_policies(iam, "role", name, identity, sources, types)
    else:
        raise CollectError("collect_identity", principal_arn, f"a {p.kind} principal has no IAM identity policies to collect")
    boundary = b_type = None
    b_arn = (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if b_arn:
        boundary = _managed(iam, b_arn)
        sources.append(f"boundary: {b_arn}")
        b_type = _managed_type(b_arn)
    return Collected({"identity": identity, "resource": [], "boundary": boundary, "session": [], "scps": [], "rcps": []}, sources,
                     {"identity": types, "boundary": b_type})


def organization_levels(org: Any, account_id: str) -> list[str]:
    """Target ids from the root down to the account: [root, ou..., account]."""
    chain = [account_id]
    child = account_id
    for _ in range(10):  # Organizations nests OUs at most five deep
        parents = _call(org, "list_parents", child, ChildId=child)["Parents"]
        if not parents:
            raise CollectError("list_parents", child, "no parent")
        parent = parents[0]
        chain.append(parent["Id"])
        if parent["Type"] == "ROOT":
            return list(reversed(chain))
        child = parent["Id"]
    raise CollectError("list_parents", account_id, "no root within ten levels")


def collect_org_policies(org: Any, account_id: str, policy_type: str = "SERVICE_CONTROL_POLICY") -> tuple[list[list[dict]], list[str]]:
    """The policies of ``policy_type`` attached at each level above and at the account."""
    levels, sources = [], []
    for target in organization_levels(org, account_id):
        docs = []
        for summary in _pages(org, "list_policies_for_target", "Policies", target, TargetId=target, Filter=policy_type):
            content = _call(org, "describe_policy", summary["Id"], PolicyId=summary["Id"])["Policy"]["Content"]
            docs.append(_doc(content, f"{policy_type} {summary['Id']}"))
            sources.append(f"{'scps' if policy_type == 'SERVICE_CONTROL_POLICY' else 'rcps'}[{len(levels)}]: {summary['Id']} ({summary.get('Name', '')}) on {target}")
        levels.append(docs)
    return levels, sources


def resource_policy(client: Callable[[str], Any], resource_arn: str) -> dict | None:
    """The resource-based policy on ``resource_arn``, or None when the resource has none."""
    parts = resource_arn.split(":", 5)
    if len(parts) != 6:
        raise CollectError("resource_policy", resource_arn, "not an ARN")
    service, account, rest = parts[2], parts[4], parts[5]
    try:
        if service == "lambda":
            raw = client("lambda").get_policy(FunctionName=resource_arn)["Policy"]
        elif service == "sqs":
            sqs = client("sqs")
            url = sqs.get_queue_url(QueueName=rest, QueueOwnerAWSAccountId=account)["QueueUrl"]
            raw = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {}).get("Policy")
        elif service == "sns":
            raw = client("sns").get_topic_attributes(TopicArn=resource_arn)["Attributes"].get("Policy")
        elif service == "s3":
            raw = client("s3").get_bucket_policy(Bucket=rest.split("/", 1)[0])["Policy"]
        elif service == "kms":
            raw = client("kms").get_key_policy(KeyId=resource_arn, PolicyName="default")["Policy"]
        elif service == "secretsmanager":
            raw = client("secretsmanager").get_resource_policy(SecretId=resource_arn).get("ResourcePolicy")
        elif service == "iam" and rest.startswith("role/"):
            raw = client("iam").get_role(RoleName=rest.rsplit("/", 1)[-1])["Role"]["AssumeRolePolicyDocument"]
        else:
            raise CollectError("resource_policy", resource_arn, f"no resource-policy reader for {service}")
    except CollectError:
        raise
    except Exception as exc:
        code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code", "")
        if code in ("ResourceNotFoundException", "NoSuchBucketPolicy") and service in ("lambda", "s3"):
            return None  # the resource exists without a policy
        raise CollectError(f"{service} resource policy", resource_arn, _reason(exc)) from None
    return None if raw in (None, "") else _doc(raw, resource_arn)


def collect(iam: Any, principal_arn: str, *, organizations: Any = None, account_id: str | None = None,
            resource_arn: str | None = None, client: Callable[[str], Any] | None = None, rcps: bool = True) -> Collected:
    """Everything at once: identity + boundary, SCPs (and RCPs) when an Organizations client is
    given, and the resource policy of ``resource_arn`` when a client factory is given."""
    got = collect_identity(iam, principal_arn)
    account = account_id or principal_arn.split(":")[4]
    if organizations is not None:
        got.policies["scps"], src = collect_org_policies(organizations, account, "SERVICE_CONTROL_POLICY")
        got.sources += src
        got.types["scps"] = [["scp"] * len(level) for level in got.policies["scps"]]
        if rcps:
            got.policies["rcps"], src = collect_org_policies(organizations, resource_arn.split(":")[4] if resource_arn and resource_arn.split(":")[4] else account,
                                                             "RESOURCE_CONTROL_POLICY")
            got.sources += src
            got.types["rcps"] = [["rcp"] * len(level) for level in got.policies["rcps"]]
    if resource_arn and client is not None:
        doc = resource_policy(client, resource_arn)
        if doc is not None:
            got.policies["resource"] = [doc]
            got.sources.append(f"resource: {resource_arn}")
            got.types["resource"] = [_RESOURCE_TYPES.get(resource_arn.split(":")[2])]
    return got
