"""Permissions boundaries and roles from ``prr.yaml``. "The application's" means named with its
own prefix, ``<resource_prefix><name>-`` (functions, queues, tables, buckets, log groups...) or
``<role_prefix><name>-`` (roles and policies): one application's pipeline and functions never
reach another's.

- ``boundaries/<ci_boundary_policy>.json``: the CI/CD deploy role's boundary. Lambda deploy
  actions only on the application's functions (name prefix and the application tag, also for
  tags given on create); PassRole only of the application's roles to Lambda and of its
  CodeDeploy role to CodeDeploy; roles created and changed only with the application boundary;
  the VPC lookups and the grants on the application's KMS keys (through Lambda only) that a VPC
  function with a customer-managed environment key needs; no boundary removal or replacement,
  no edits of either boundary policy, no users, access keys or login profiles, no change to the
  deploy or signing roles or to any trust policy, no removal or change of the application tag.
  It grants nothing that could run code: no Invoke, no message sending, no AssumeRole.
- ``boundaries/<boundary_policy>.json``: the application boundary every execution role gets,
  built with policy_sentry's CRUD template over the application's resource prefix, plus the
  wildcard-only actions a function needs (X-Ray, VPC network interfaces), what the CodeDeploy
  role does, and explicit denies of IAM, STS role assumption, Organizations, Lambda deploy
  actions and the artifact buckets.
- ``roles/<function>.json``: each function's execution-role policy, built with policy_sentry's
  CRUD template from the function's declared access, plus its own log group and X-Ray.
- ``roles/<pipeline role>.json``: the deploy role's identity policy (the boundary's Allows).
- ``roles/<role_prefix><name>-codedeploy.json``: the application's CodeDeploy service role.
- ``roles/<signing_role>.json``: the separate signing role, when the settings name one.

policy_sentry adds each write action's "dependent actions" (``iam:PassRole`` among them) on
``Resource: "*"``; those statements are dropped: a dependent action needs its own grant on its
own resource. An account segment of ``*`` becomes ``${aws:PrincipalAccount}`` in the
application boundary, so it covers the account the role lives in and no other.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from prr_policies.iam.limits import POLICY_TYPES
from prr_policies.guardrails.common import GuardrailError, require
from prr_policies.settings import ApplicationGuardrails, FunctionAccess, Settings

ACCOUNT = "${aws:PrincipalAccount}"
MANAGED = POLICY_TYPES["managed"]  # 6,144 characters, whitespace not counted

LAMBDA_DEPLOY = ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PublishVersion",
                 "lambda:CreateAlias", "lambda:UpdateAlias", "lambda:Get*", "lambda:List*", "lambda:PutFunctionConcurrency",
                 "lambda:*FunctionEventInvokeConfig", "lambda:*ProvisionedConcurrencyConfig", "lambda:PutFunctionCodeSigningConfig",
                 "lambda:TagResource"]
TRIGGER_PRINCIPALS = ["apigateway.amazonaws.com", "events.amazonaws.com", "sns.amazonaws.com", "s3.amazonaws.com"]
# IAM users, groups and long-lived credentials: never the deploy role's business.
IDENTITY_WRITES = ["iam:*User*", "iam:*Group*", "iam:*AccessKey*", "iam:*LoginProfile*", "iam:*SSHPublicKey*",
                   "iam:*ServiceSpecificCredential*", "iam:*SigningCertificate*", "iam:*MFADevice*"]
POLICY_EDITS = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]
LOOKUPS = ["lambda:ListEventSourceMappings", "lambda:GetAccountSettings", "lambda:ListCodeSigningConfigs", "lambda:GetCodeSigningConfig",
           "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
SIGNING_LOOKUPS = ["signer:DescribeSigningJob", "signer:ListSigningJobs"]
# What CodeDeploy does for a Lambda deployment (AWS's AWSCodeDeployRoleForLambda, without its
# S3 and SNS grants): read and move aliases, read provisioned concurrency, run the hooks.
CODEDEPLOY_LAMBDA = ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"]


def _doc(*stmts: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(stmts)}


def _app_functions(app: ApplicationGuardrails) -> str:
    return f"arn:aws:lambda:*:{ACCOUNT}:function:{app.resources}*"


def ci_allows(settings: Settings) -> list[dict]:
    g = require(settings)
    app = g.application
    fn = _app_functions(app)
    mine = {"StringEquals": {f"aws:ResourceTag/{app.tag_key}": app.name}}
    tagged_mine = {"StringEquals": {f"aws:RequestTag/{app.tag_key}": app.name}}
    app_boundary = f"arn:aws:iam::{ACCOUNT}:policy/{app.boundary_policy}"
    # IAM acts only in the caller's own account, so IAM resource ARNs keep "*" for the account
    # (moto's policy validator also rejects a variable there); so do CloudWatch Logs log groups,
    # alarms and CodeDeploy, which have no resource-based policies that could grant another
    # account these actions.
    app_roles = f"arn:aws:iam::*:role/{app.roles}*"
    role_tags = [*g.tags.all_protected(), app.tag_key]
    signs = bool(app.signing_profiles and not app.signing_role)
    out = [
        # Lambda also authorizes lambda:TagResource for the tags given to CreateFunction (tag on
        # create); the function has no tags yet, so that grant keys on the tags requested too.
        {"Sid": "CreateAppFunctions", "Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:TagResource"], "Resource": fn,
         "Condition": tagged_mine},
        {"Sid": "DeployAppFunctions", "Effect": "Allow", "Action": LAMBDA_DEPLOY, "Resource": fn, "Condition": mine},
        {"Sid": "AppFunctionTriggers", "Effect": "Allow", "Action": ["lambda:AddPermission", "lambda:RemovePermission"],
         "Resource": fn, "Condition": {**mine, "StringEqualsIfExists": {"lambda:Principal": TRIGGER_PRINCIPALS}}},
        {"Sid": "AppEventSourceMappings", "Effect": "Allow",
         "Action": ["lambda:*EventSourceMapping"], "Resource": "*", "Condition": {"ArnLike": {"lambda:FunctionArn": fn}}},
        # Lookups on "*" (no resource-level permissions): Lambda's settings and code signing
        # configs, and the subnets, security groups and VPC Lambda checks the caller may see for a
        # VPC function. Not lambda:ListFunctions: it returns every function's configuration,
        # other applications' environment variables included.
        {"Sid": "Lookups", "Effect": "Allow", "Action": LOOKUPS + (SIGNING_LOOKUPS if signs else []), "Resource": "*"},
        # A customer-managed environment key: Lambda uses the caller's permissions to create a grant
        # and encrypt (kms:CreateGrant, kms:Encrypt), and to show the variables (kms:Decrypt): on
        # the application's keys, and only through Lambda (kms:ViaService).
        {"Sid": "AppKeysThroughLambda", "Effect": "Allow", "Action": ["kms:CreateGrant", "kms:Encrypt", "kms:Decrypt"],
         "Resource": f"arn:aws:kms:*:{ACCOUNT}:key/*", "Condition": {**mine, "StringLike": {"kms:ViaService": "lambda.*.amazonaws.com"}}},
        {"Sid": "PassAppRolesToLambda", "Effect": "Allow", "Action": ["iam:PassRole"], "Resource": app_roles,
         "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
        {"Sid": "PassCodeDeployRole", "Effect": "Allow", "Action": ["iam:PassRole"], "Resource": f"arn:aws:iam::*:role/{app.codedeploy_role}",
         "Condition": {"StringEquals": {"iam:PassedToService": "codedeploy.amazonaws.com"}}},
        # Every role-changing action that has the iam:PermissionsBoundary key is granted under it.
        {"Sid": "CreateAppRolesWithBoundary", "Effect": "Allow",
         "Action": ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
                    "iam:PutRolePolicy", "iam:DeleteRolePolicy"],
         "Resource": app_roles, "Condition": {"StringEquals": {"iam:PermissionsBoundary": app_boundary}}},
        # TagRole and UntagRole have no iam:PermissionsBoundary key: the role name (every role
        # there carries the boundary, which the SCPs keep) and the tag keys bound them.
        {"Sid": "AppRoleTags", "Effect": "Allow", "Action": ["iam:TagRole", "iam:UntagRole"], "Resource": app_roles,
         "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": role_tags}}},
        {"Sid": "AppRolesReadAndPolicies", "Effect": "Allow",
         "Action": ["iam:GetRole*", "iam:ListRole*", "iam:ListAttachedRolePolicies", "iam:CreatePolicy", "iam:CreatePolicyVersion",
                    "iam:DeletePolicyVersion", "iam:GetPolicy*", "iam:ListPolicyVersions"],
         "Resource": [app_roles, f"arn:aws:iam::*:policy/{app.roles}*"]},
        {"Sid": "AppLogsAndAlarms", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:TagResource",
                    "logs:TagLogGroup", "logs:DescribeLogGroups", "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms"],
         "Resource": [f"arn:aws:logs:*:*:log-group:/aws/lambda/{app.resources}*", f"arn:aws:cloudwatch:*:*:alarm:{app.resources}*"]},
        {"Sid": "AppDeployments", "Effect": "Allow",
         "Action": ["codedeploy:Create*", "codedeploy:Get*", "codedeploy:RegisterApplicationRevision", "codedeploy:StopDeployment",
                    "codedeploy:ContinueDeployment", "codedeploy:UpdateDeploymentGroup"],
         "Resource": [f"arn:aws:codedeploy:*:*:application:{app.resources}*", f"arn:aws:codedeploy:*:*:deploymentgroup:{app.resources}*",
                      "arn:aws:codedeploy:*:*:deploymentconfig:*"]},
    ]
    if signs:
        out.append(_signing(app))
    if app.artifact_buckets:
        out.append({"Sid": "Artifacts", "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:ListBucket", "s3:GetBucketVersioning"],
                    "Resource": _bucket_arns(app.artifact_buckets)})
    return out


def _bucket_arns(buckets: tuple[str, ...]) -> list[str]:
    return [r for b in buckets for r in (f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*")]


def _signing(app: ApplicationGuardrails) -> dict:
    return {"Sid": "SignArtifacts", "Effect": "Allow", "Action": ["signer:StartSigningJob", "signer:GetSigningProfile"],
            "Resource": [f"arn:aws:signer:*:{ACCOUNT}:/signing-profiles/{p}" for p in app.signing_profiles]}


def ci_boundary(settings: Settings) -> dict:
    g = require(settings)
    app = g.application
    app_boundary = f"arn:aws:iam::{ACCOUNT}:policy/{app.boundary_policy}"
    own_roles = [*g.pipeline_roles, *([app.signing_role] if app.signing_role else [])]
    return _doc(*ci_allows(settings),
                {"Sid": "DenyBoundaryRemoval", "Effect": "Deny",
                 "Action": ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"], "Resource": "*"},
                {"Sid": "DenyOtherBoundaries", "Effect": "Deny",
                 "Action": ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:PutRolePolicy"],
                 "Resource": "*", "Condition": {"StringNotEquals": {"iam:PermissionsBoundary": app_boundary}}},
                {"Sid": "DenyBoundaryPolicyEdits", "Effect": "Deny", "Action": POLICY_EDITS,
                 "Resource": [f"arn:aws:iam::*:policy/{app.boundary_policy}", f"arn:aws:iam::*:policy/{app.ci_boundary_policy}"]},
                {"Sid": "DenyUsersAndKeys", "Effect": "Deny", "Action": IDENTITY_WRITES, "Resource": "*"},
                {"Sid": "DenyDeployRoleChanges", "Effect": "Deny", "Action": ["iam:*"], "Resource": [f"arn:aws:iam::*:role/{r}" for r in own_roles]},
                {"Sid": "DenyTrustChanges", "Effect": "Deny", "Action": ["iam:UpdateAssumeRolePolicy"], "Resource": "*"},
                {"Sid": "DenyAppTagChanges", "Effect": "Deny", "Action": ["lambda:UntagResource", "iam:UntagRole"], "Resource": "*",
                 "Condition": {"ForAnyValue:StringEqualsIgnoreCase": {"aws:TagKeys": [app.tag_key]}}},
                {"Sid": "DenyOtherAppTags", "Effect": "Deny", "Action": ["lambda:TagResource", "iam:TagRole"], "Resource": "*",
                 "Condition": {"Null": {f"aws:RequestTag/{app.tag_key}": "false"}, "StringNotEquals": {f"aws:RequestTag/{app.tag_key}": app.name}}})


def ci_identity(settings: Settings) -> dict:
    return _doc(*ci_allows(settings))


def _crud(name: str, access: FunctionAccess, *, exclude: list[str], minimize: bool = False) -> list[dict]:
    """policy_sentry's CRUD template, without the dependent-actions statement. With
    ``minimize``, policy_sentry's wildcard compression, checked statement by statement against
    its IAM database to match exactly the actions it replaced (and renamed to unique Sids)."""
    from policy_sentry.command.write_policy import write_policy_with_template
    from policy_sentry.writing.template import get_crud_template_dict

    if not any((access.read, access.write, access.list, access.tagging, access.actions)):
        return []
    cfg = get_crud_template_dict()
    cfg.update({"name": name, "read": list(access.read), "write": list(access.write), "list": list(access.list),
                "tagging": list(access.tagging)})
    cfg["exclude-actions"] = exclude or [""]
    cfg["wildcard-only"]["single-actions"] = list(access.actions)

    def keep(policy: dict) -> list[dict]:
        return [st for st in policy.get("Statement", []) if not (st.get("Sid") == "MultMultNone" and st.get("Resource") in ("*", ["*"]))]

    full = keep(write_policy_with_template(cfg))
    if not minimize:
        return full
    small = keep(write_policy_with_template(cfg, 0))
    granted: dict[tuple, set] = {}
    for st in full:
        granted.setdefault(tuple(sorted(_list(st["Resource"]))), set()).update(a.lower() for a in st["Action"])
    for i, st in enumerate(small):
        wanted = granted.get(tuple(sorted(_list(st["Resource"]))), set())
        if not _expand(st["Action"]) <= wanted:
            raise GuardrailError("guardrails.application", f"policy_sentry's minimized statement {st.get('Sid')} grants more than its CRUD template")
        st["Sid"] = f"{name[:1].upper()}{name[1:]}{i + 1}"
    return small


def _list(v: Any) -> list:
    return v if isinstance(v, list) else [v]


def _expand(patterns: list[str]) -> set[str]:
    import fnmatch

    every = _all_actions_lower()
    return {a for p in patterns for a in every if fnmatch.fnmatchcase(a, p.lower())}


@lru_cache(maxsize=1)
def _all_actions_lower() -> frozenset[str]:
    """Every action in policy_sentry's database, lower-cased (read once per process)."""
    from policy_sentry.querying.all import get_all_actions

    return frozenset(a.lower() for a in get_all_actions())


# Destructive actions no execution role needs (policy_sentry's "write" level includes them).
EXCLUDED = ["dynamodb:DeleteTable", "dynamodb:DeleteBackup", "dynamodb:UpdateTable", "dynamodb:RestoreTableFromBackup",
            "dynamodb:RestoreTableToPointInTime", "dynamodb:RestoreTableFromAwsBackup", "dynamodb:ImportTable",
            "sqs:DeleteQueue", "sqs:CreateQueue", "sqs:SetQueueAttributes", "sqs:PurgeQueue", "sns:DeleteTopic", "sns:CreateTopic",
            "sns:SetTopicAttributes", "s3:DeleteBucket", "s3:CreateBucket", "secretsmanager:DeleteSecret", "secretsmanager:CreateSecret",
            "secretsmanager:RestoreSecret", "secretsmanager:UpdateSecret", "secretsmanager:RotateSecret", "events:DeleteEventBus",
            "events:CreateEventBus"]


def app_boundary(settings: Settings) -> dict:
    g = require(settings)
    app = g.application
    p = app.resources
    arns = [f"arn:aws:sqs:*:*:{p}*", f"arn:aws:sns:*:*:{p}*", f"arn:aws:dynamodb:*:*:table/{p}*", f"arn:aws:s3:::{p}*",
            f"arn:aws:s3:::{p}*/*", f"arn:aws:secretsmanager:*:*:secret:{p}*", f"arn:aws:events:*:*:event-bus/{p}*",
            f"arn:aws:ssm:*:*:parameter/{p}*"]
    stmts = _crud("appResources", FunctionAccess(read=tuple(arns), write=tuple(arns)), exclude=EXCLUDED, minimize=True)
    for s in stmts:
        s["Resource"] = [_own_account(r) for r in _list(s["Resource"])]
    fn = _app_functions(app)
    stmts += [
        {"Sid": "AppKeys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
         "Resource": f"arn:aws:kms:*:{ACCOUNT}:key/*", "Condition": {"StringEquals": {f"aws:ResourceTag/{app.tag_key}": app.name}}},
        {"Sid": "AppLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"arn:aws:logs:*:{ACCOUNT}:log-group:/aws/lambda/{p}*:*"},
        {"Sid": "AppInvoke", "Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": fn},
        # the application's CodeDeploy role (roles/<codedeploy role>.json) moves its aliases
        {"Sid": "AppReleases", "Effect": "Allow", "Action": CODEDEPLOY_LAMBDA, "Resource": fn},
        {"Sid": "Tracing", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                                                        "xray:GetSamplingTargets", "cloudwatch:DescribeAlarms"], "Resource": "*"},
        {"Sid": "VpcNetworkInterfaces", "Effect": "Allow",
         "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"], "Resource": "*"},
        {"Sid": "DenyIdentityAndOrganization", "Effect": "Deny",
         "Action": ["iam:*", "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:GetFederationToken",
                    "organizations:*", "account:*"], "Resource": "*"},
        {"Sid": "DenyDeploy", "Effect": "Deny", "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionCode",
                                                          "lambda:UpdateFunctionConfiguration", "lambda:AddPermission",
                                                          "lambda:CreateEventSourceMapping", "lambda:DeleteFunctionCodeSigningConfig"],
         "Resource": "*"},
    ]
    if app.artifact_buckets:
        # the pipeline's packages: no application role reads, overwrites, expires or unversions them
        stmts.append({"Sid": "DenyArtifactBuckets", "Effect": "Deny", "Action": ["s3:*"], "Resource": _bucket_arns(app.artifact_buckets)})
    return _doc(*stmts)


def _own_account(arn: str) -> str:
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[4] == "*":
        parts[4] = ACCOUNT
    return ":".join(parts)


def execution_role(settings: Settings, function: str) -> dict:
    g = require(settings)
    access = g.application.functions[function]
    stmts = _crud(function.replace("-", ""), access, exclude=EXCLUDED)
    stmts += [
        {"Sid": "OwnLogGroup", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"arn:aws:logs:*:{ACCOUNT}:log-group:/aws/lambda/{function}:*"},
        {"Sid": "Tracing", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
    ]
    return _doc(*stmts)


def codedeploy_role(settings: Settings) -> dict:
    """The application's CodeDeploy service role: it moves the aliases of the application's
    functions and runs their hooks, nothing else (AWS's AWSCodeDeployRoleForLambda may update
    any alias in the account). Created with the application boundary; the deploy role may pass
    it, and only it, to CodeDeploy. The AppSpec goes inline (revision type AppSpecContent): the
    role reads no S3."""
    app = require(settings).application
    fn = _app_functions(app)
    return _doc({"Sid": "ShiftAppAliases", "Effect": "Allow", "Action": CODEDEPLOY_LAMBDA, "Resource": fn},
                {"Sid": "RunAppHooks", "Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": fn},
                {"Sid": "WatchAlarms", "Effect": "Allow", "Action": ["cloudwatch:DescribeAlarms"], "Resource": "*"})


def signing_role(settings: Settings) -> dict:
    """The separate signing role's policy: start signing jobs with the application's profiles,
    reading and writing the artifact buckets. The deploy role then cannot sign."""
    app = require(settings).application
    stmts = [_signing(app), {"Sid": "SigningJobs", "Effect": "Allow", "Action": SIGNING_LOOKUPS, "Resource": "*"}]
    if app.artifact_buckets:
        stmts.append({"Sid": "Artifacts", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:ListBucket"],
                      "Resource": _bucket_arns(app.artifact_buckets)})
    return _doc(*stmts)


def generate(settings: Settings) -> dict[str, str]:
    g = require(settings)
    app = g.application
    docs: dict[str, Any] = {
        f"boundaries/{app.ci_boundary_policy}.json": ci_boundary(settings),
        f"boundaries/{app.boundary_policy}.json": app_boundary(settings),
        f"roles/{app.codedeploy_role}.json": codedeploy_role(settings),
    }
    for role in g.pipeline_roles:
        docs[f"roles/{role}.json"] = ci_identity(settings)
    if app.signing_role:
        if not app.signing_profiles:
            raise GuardrailError("guardrails.application.signing_profiles", "set the signing profiles the signing role signs with")
        docs[f"roles/{app.signing_role}.json"] = signing_role(settings)
    for fn in sorted(app.functions):
        docs[f"roles/{fn}.json"] = execution_role(settings, fn)
    for path, doc in docs.items():
        size = MANAGED.measure(doc)
        if size > MANAGED.limit:
            hint = ("; name a signing_role (the signing grants move to its own policy), or fewer artifact buckets or signing profiles"
                    if path.startswith("boundaries/") else "")
            raise GuardrailError("guardrails.application", f"{path} is {size} characters without whitespace; a managed policy holds at most "
                                 f"{MANAGED.limit}{hint}")
    return {path: json.dumps(doc, indent=2) + "\n" for path, doc in dict(sorted(docs.items())).items()}
