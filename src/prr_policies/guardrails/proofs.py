"""The guarantees of the generated guardrails, as requests evaluated by the IAM engine.

``escalations(settings)`` lists known IAM privilege-escalation methods (Rhino Security Labs'
list, plus boundary tampering), each with the requests it needs, made by a CI/CD deploy role
session that has AdministratorAccess as its identity policy (the worst case) under the
generated CI boundary and SCPs. A method is blocked when at least one request it needs is
denied. ``deploy_path(settings)`` is the legitimate release (sign, create the function with the
approved signing config, publish, move the alias, deploy with CodeDeploy, tag), which must stay
allowed under the SCPs, the boundary and the generated deploy-role policy together.

The tests assert both; ``python -m prr_policies.docs`` renders the table into the README.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from prr_policies.iam import Decision, PolicySet, Request
from prr_policies.settings import Settings

ACCOUNT = "111122223333"
REGION = "eu-west-1"
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass(frozen=True)
class Step:
    label: str
    request: Request


@dataclass(frozen=True)
class Method:
    name: str
    steps: tuple[Step, ...]
    note: str = ""


@dataclass
class Verdict:
    method: Method
    decisions: list[Decision] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(not d.allowed for d in self.decisions)


def artifacts(settings: Settings) -> dict[str, dict]:
    from prr_policies.guardrails import generate

    return {path: json.loads(text) for path, text in generate(settings).items() if path.endswith(".json")}


def scp_levels(settings: Settings, docs: dict[str, dict] | None = None) -> list[list[dict]]:
    docs = docs or artifacts(settings)
    scps = [d for p, d in sorted(docs.items()) if p.startswith("scp/")]
    return [[FULL_ACCESS], [FULL_ACCESS, *scps], [FULL_ACCESS]]


def ci_policies(settings: Settings, identity: str = "admin", docs: dict[str, dict] | None = None) -> PolicySet:
    """The deploy role's policy set: SCPs (root, workloads OU with ours, account), the CI
    boundary, and AdministratorAccess (``identity="admin"``) or the generated role policy."""
    docs = docs or artifacts(settings)
    g = settings.guardrails
    assert g is not None
    ident = ADMIN if identity == "admin" else docs[f"roles/{g.pipeline_roles[0]}.json"]
    return PolicySet(identity=[ident], boundary=docs[f"boundaries/{g.application.ci_boundary_policy}.json"],
                     scps=scp_levels(settings, docs))


def ci_principal(settings: Settings) -> str:
    g = settings.guardrails
    assert g is not None
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{g.pipeline_roles[0]}/release-42"


def _req(settings: Settings, action: str, resource: str = "*", **ctx: object) -> Request:
    """A request by the deploy role session, in an allowed Region, with ``ctx`` added."""
    return Request(ci_principal(settings), action, resource, ACCOUNT, ACCOUNT, {"aws:RequestedRegion": REGION, **ctx})


def required_tags(settings: Settings, service: str) -> dict[str, str]:
    """Tags a create call carries to satisfy the tag SCPs (the first allowed value of each)."""
    g = settings.guardrails
    assert g is not None
    tags = {k: (v[0] if v else "team-orders") for k, v in g.tags.required.items()}
    tags.update({k: (v[0] if v else "yes") for k, v in g.tags.required_by_service.get(service, {}).items()})
    tags[g.application.tag_key] = g.application.name or ""
    return tags


def _tag_context(tags: dict[str, str]) -> dict:
    ctx: dict = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    ctx["aws:TagKeys"] = list(tags)
    return ctx


def deploy_path(settings: Settings) -> list[Step]:
    g = settings.guardrails
    assert g is not None
    app = g.application
    fn_name = next(iter(sorted(app.functions)), f"{app.resource_prefix}{app.name}-api")
    fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn_name}"
    role = f"arn:aws:iam::{ACCOUNT}:role/{app.role_prefix}{app.name}-api"
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/{app.boundary_policy}"
    csc = g.code_signing.allowed_configs[0].replace(":*:*:", f":{REGION}:{ACCOUNT}:")
    mine = {f"aws:ResourceTag/{app.tag_key}": app.name}
    bucket = app.artifact_buckets[0] if app.artifact_buckets else None
    steps = []
    if bucket:
        steps.append(Step("upload the package", _req(settings, "s3:PutObject", f"arn:aws:s3:::{bucket}/{fn_name}/build-42.zip")))
    if app.signing_profiles:
        steps.append(Step("sign it with AWS Signer", _req(settings, "signer:StartSigningJob",
                                                          f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/{app.signing_profiles[0]}")))
    steps += [
        Step("create the execution role with the application boundary",
             _req(settings, "iam:CreateRole", role, **{"iam:PermissionsBoundary": boundary})),
        Step("pass it to Lambda", _req(settings, "iam:PassRole", role, **{"iam:PassedToService": "lambda.amazonaws.com"})),
        Step("create the log group, tagged", _req(settings, "logs:CreateLogGroup",
                                                 f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{fn_name}",
                                                 **_tag_context(required_tags(settings, "logs")))),
        Step("create the function with the approved signing config, tagged",
             _req(settings, "lambda:CreateFunction", fn, **{"lambda:CodeSigningConfigArn": csc},
                  **_tag_context(required_tags(settings, "lambda")))),
        Step("update its code (signed)", _req(settings, "lambda:UpdateFunctionCode", fn, **mine)),
        Step("publish a version", _req(settings, "lambda:PublishVersion", fn, **mine)),
        Step("point the alias at it", _req(settings, "lambda:UpdateAlias", f"{fn}:live", **mine)),
        Step("start the CodeDeploy canary", _req(settings, "codedeploy:CreateDeployment",
                                                 f"arn:aws:codedeploy:{REGION}:{ACCOUNT}:deploymentgroup:{fn_name}/{fn_name}-live")),
        Step("tag the function", _req(settings, "lambda:TagResource", fn, **mine, **_tag_context({"release": "42"}))),
    ]
    return steps


def escalations(settings: Settings) -> list[Method]:
    g = settings.guardrails
    assert g is not None
    app = g.application
    me = f"arn:aws:iam::{ACCOUNT}:role/{g.pipeline_roles[0]}"
    my_boundary = f"arn:aws:iam::{ACCOUNT}:policy/{app.ci_boundary_policy}"
    app_boundary = f"arn:aws:iam::{ACCOUNT}:policy/{app.boundary_policy}"
    admin_role = f"arn:aws:iam::{ACCOUNT}:role/Admin"
    admin_policy = "arn:aws:iam::aws:policy/AdministratorAccess"
    own_policy = f"arn:aws:iam::{ACCOUNT}:policy/{g.pipeline_roles[0]}-policy"
    app_role = f"arn:aws:iam::{ACCOUNT}:role/{app.role_prefix}{app.name}-api"
    user = f"arn:aws:iam::{ACCOUNT}:user/admin"
    app_fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{app.resource_prefix}{app.name}-api"
    other_fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:billing-admin-tools"
    csc = g.code_signing.allowed_configs[0].replace(":*:*:", f":{REGION}:{ACCOUNT}:") if g.code_signing.allowed_configs else ""
    create_fn = {"lambda:CodeSigningConfigArn": csc, **_tag_context(required_tags(settings, "lambda"))}
    r = lambda action, resource="*", **ctx: _req(settings, action, resource, **ctx)  # noqa: E731
    pass_admin = lambda svc: Step(f"pass the Admin role to {svc}", r("iam:PassRole", admin_role, **{"iam:PassedToService": svc}))  # noqa: E731
    return [
        Method("iam:CreatePolicyVersion", (Step("new default version of its own policy", r("iam:CreatePolicyVersion", own_policy)),)),
        Method("iam:SetDefaultPolicyVersion", (Step("roll its own policy to another version", r("iam:SetDefaultPolicyVersion", own_policy)),)),
        Method("iam:PassRole + ec2:RunInstances", (pass_admin("ec2.amazonaws.com"), Step("run an instance", r("ec2:RunInstances", f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/*")))),
        Method("iam:CreateAccessKey", (Step("key for an admin user", r("iam:CreateAccessKey", user)),)),
        Method("iam:CreateLoginProfile", (Step("console password for an admin user", r("iam:CreateLoginProfile", user)),)),
        Method("iam:UpdateLoginProfile", (Step("reset an admin user's password", r("iam:UpdateLoginProfile", user)),)),
        Method("iam:AttachUserPolicy", (Step("AdministratorAccess on a user", r("iam:AttachUserPolicy", user, **{"iam:PolicyARN": admin_policy})),)),
        Method("iam:AttachGroupPolicy", (Step("AdministratorAccess on a group", r("iam:AttachGroupPolicy", f"arn:aws:iam::{ACCOUNT}:group/devs", **{"iam:PolicyARN": admin_policy})),)),
        Method("iam:AttachRolePolicy", (Step("AdministratorAccess on itself", r("iam:AttachRolePolicy", me, **{"iam:PolicyARN": admin_policy, "iam:PermissionsBoundary": my_boundary})),
                                        Step("... or on an unbounded role", r("iam:AttachRolePolicy", admin_role, **{"iam:PolicyARN": admin_policy})))),
        Method("iam:PutUserPolicy", (Step("inline admin policy on a user", r("iam:PutUserPolicy", user)),)),
        Method("iam:PutGroupPolicy", (Step("inline admin policy on a group", r("iam:PutGroupPolicy", f"arn:aws:iam::{ACCOUNT}:group/devs")),)),
        Method("iam:PutRolePolicy", (Step("inline admin policy on itself", r("iam:PutRolePolicy", me, **{"iam:PermissionsBoundary": my_boundary})),
                                     Step("... or on an unbounded role", r("iam:PutRolePolicy", admin_role)))),
        Method("iam:AddUserToGroup", (Step("join the admins group", r("iam:AddUserToGroup", f"arn:aws:iam::{ACCOUNT}:group/admins")),)),
        Method("iam:UpdateAssumeRolePolicy + sts:AssumeRole", (Step("trust itself on the Admin role", r("iam:UpdateAssumeRolePolicy", admin_role)),
                                                                 Step("assume it", r("sts:AssumeRole", admin_role)))),
        Method("iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction",
               (pass_admin("lambda.amazonaws.com"), Step("create a function with it", r("lambda:CreateFunction", app_fn, **create_fn)),
                Step("invoke it", r("lambda:InvokeFunction", app_fn)))),
        Method("... the same with an application role", (Step("pass an application role", r("iam:PassRole", app_role, **{"iam:PassedToService": "lambda.amazonaws.com"})),
                                                         Step("create a function with it", r("lambda:CreateFunction", app_fn, **create_fn)),
                                                         Step("invoke it", r("lambda:InvokeFunction", app_fn))),
               "the role stays under the application boundary, and the deploy role cannot invoke"),
        Method("iam:PassRole + lambda:CreateFunction + lambda:CreateEventSourceMapping",
               (pass_admin("lambda.amazonaws.com"), Step("create a function with it", r("lambda:CreateFunction", app_fn, **create_fn)),
                Step("map a queue to it", r("lambda:CreateEventSourceMapping", "*", **{"lambda:FunctionArn": app_fn})),
                Step("feed the queue", r("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:{app.resource_prefix}{app.name}-events")))),
        Method("lambda:UpdateFunctionCode", (Step("replace a privileged function's code", r("lambda:UpdateFunctionCode", other_fn, **{f"aws:ResourceTag/{app.tag_key}": "billing"})),)),
        Method("iam:PassRole + glue:CreateDevEndpoint", (pass_admin("glue.amazonaws.com"), Step("create a dev endpoint", r("glue:CreateDevEndpoint", f"arn:aws:glue:{REGION}:{ACCOUNT}:devEndpoint/x")))),
        Method("glue:UpdateDevEndpoint", (Step("add an SSH key to a dev endpoint", r("glue:UpdateDevEndpoint", f"arn:aws:glue:{REGION}:{ACCOUNT}:devEndpoint/x")),)),
        Method("iam:PassRole + cloudformation:CreateStack", (pass_admin("cloudformation.amazonaws.com"), Step("create a stack", r("cloudformation:CreateStack", f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/x/*")))),
        Method("iam:PassRole + datapipeline:CreatePipeline", (pass_admin("datapipeline.amazonaws.com"), Step("create a pipeline", r("datapipeline:CreatePipeline")),
                                                              Step("define it", r("datapipeline:PutPipelineDefinition")))),
        Method("iam:PassRole + sagemaker:CreateNotebookInstance", (pass_admin("sagemaker.amazonaws.com"), Step("create a notebook", r("sagemaker:CreateNotebookInstance", f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/x")))),
        Method("iam:PassRole + codebuild:CreateProject", (pass_admin("codebuild.amazonaws.com"), Step("create a build project", r("codebuild:CreateProject", f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/x")))),
        Method("sts:AssumeRole", (Step("assume the Admin role", r("sts:AssumeRole", admin_role)),)),
        Method("iam:DeleteRolePermissionsBoundary", (Step("remove its own boundary", r("iam:DeleteRolePermissionsBoundary", me)),)),
        Method("iam:PutRolePermissionsBoundary", (Step("replace its boundary with AdministratorAccess", r("iam:PutRolePermissionsBoundary", me, **{"iam:PermissionsBoundary": admin_policy})),)),
        Method("iam:CreateRole without the boundary", (Step("an unbounded application role", r("iam:CreateRole", app_role)),)),
        Method("iam:CreateRole with another boundary", (Step("an application role bounded by AdministratorAccess", r("iam:CreateRole", app_role, **{"iam:PermissionsBoundary": admin_policy})),)),
        Method("edit the application boundary", (Step("new version of it", r("iam:CreatePolicyVersion", app_boundary)),
                                                 Step("... or make another version default", r("iam:SetDefaultPolicyVersion", app_boundary)))),
        Method("edit or delete its own boundary", (Step("new version of it", r("iam:CreatePolicyVersion", my_boundary)),
                                                   Step("... or delete it", r("iam:DeletePolicy", my_boundary)))),
        Method("create a policy named like a boundary", (Step("in an account that lacks it", r("iam:CreatePolicy", app_boundary)),)),
        Method("iam:CreateUser", (Step("a new user", r("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/backdoor")),)),
        Method("lambda:AddPermission to another account", (Step("let account 444455556666 invoke an application function",
                                                                  r("lambda:AddPermission", app_fn, **{"lambda:Principal": "444455556666", f"aws:ResourceTag/{app.tag_key}": app.name})),)),
        Method("retag a function into the application", (Step("set the application tag on another function",
                                                                r("lambda:TagResource", other_fn, **{f"aws:ResourceTag/{app.tag_key}": app.name, f"aws:RequestTag/{app.tag_key}": app.name, "aws:TagKeys": [app.tag_key]})),)),
    ]


def evaluate_escalations(settings: Settings, docs: dict[str, dict] | None = None) -> list[Verdict]:
    policies = ci_policies(settings, "admin", docs)
    out = []
    for m in escalations(settings):
        out.append(Verdict(m, [policies.evaluate(s.request) for s in m.steps]))
    return out


def escalation_table(settings: Settings) -> str:
    rows = ["| method | requests it needs (deploy role session, AdministratorAccess, CI boundary, SCPs) | decisions | blocked |",
            "|---|---|---|---|"]
    docs = artifacts(settings)
    for v in evaluate_escalations(settings, docs):
        reqs = "<br>".join(f"{s.label}: `{s.request.action}`" for s in v.method.steps)
        decisions = "<br>".join(d.effect + (f" ({', '.join(d.blocked_by)})" if d.blocked_by else "") for d in v.decisions)
        note = f" ({v.method.note})" if v.method.note else ""
        rows.append(f"| {v.method.name}{note} | {reqs} | {decisions} | {'yes' if v.blocked else '**NO**'} |")
    policies = ci_policies(settings, "role", docs)
    rows.append("")
    rows.append("| deploy step (deploy role session, generated role policy, CI boundary, SCPs) | request | decision |")
    rows.append("|---|---|---|")
    for s in deploy_path(settings):
        d = policies.evaluate(s.request)
        rows.append(f"| {s.label} | `{s.request.action}` on `{s.request.resource}` | {d.effect} |")
    return "\n".join(rows)
