"""The guarantees of the generated guardrails, as requests evaluated by the IAM engine.

``escalations(settings)`` lists known privilege-escalation and exfiltration methods (Rhino
Security Labs' list, boundary tampering, and the red-team review of issue 12), each with the
requests it needs. A step is made by an *actor* whose policies AWS would weigh:

- ``deploy``: the CI/CD deploy role session, with AdministratorAccess as its identity policy
  (the worst case) under the generated CI boundary, SCPs and RCPs;
- ``admin``: an account administrator (AdministratorAccess, SCPs, RCPs, no boundary);
- ``app``: an application execution role, with AdministratorAccess under the application
  boundary (whatever its own policy says);
- ``codedeploy``: the generated CodeDeploy role under the application boundary;
- ``signer``: the separate signing role, when the settings name one;
- ``outsider``: a principal of another organization (its own AdministratorAccess; our RCPs
  still apply to our resources);
- ``service``: an AWS service principal (``Step.request.principal``).

A method is blocked when at least one request it needs is denied. A method IAM cannot block
says why (``outside_iam``) and names the control that detects it (``detective``); the tests
check that such a method is indeed allowed, so the table never claims more than the policies
do. ``deploy_path(settings)`` is the legitimate release (sign, create the role and function
with tags on create, in a VPC, with a customer-managed environment key, the approved signing
config and approved layers, publish, deploy with CodeDeploy), which must stay allowed.

The tests assert both; ``python -m prr_policies.docs`` renders the table into the README.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from prr_policies.controls import function as function_rules
from prr_policies.controls._common import control_of
from prr_policies.iam import Decision, PolicySet, Request
from prr_policies.settings import Settings

ACCOUNT = "111122223333"
OUTSIDE_ACCOUNT = "444455556666"  # an account of another organization
REGION = "eu-west-1"
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Sid": "RCPFullAWSAccess", "Effect": "Allow", "Principal": "*",
                                                           "Action": "*", "Resource": "*"}]}
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# A KMS key's default policy: IAM policies of the account decide.
KEY_POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "EnableIamPolicies", "Effect": "Allow",
                                                      "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}]}
ACTORS = ("deploy", "admin", "app", "codedeploy", "signer", "outsider", "service")


def trust(principal: dict | str, actions: Any = "sts:AssumeRole") -> dict:
    """A role trust policy (or any resource policy) letting ``principal`` do ``actions``."""
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": actions}]}


def grant(principal: dict | str, actions: Any, resource: str = "*") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": actions, "Resource": resource}]}


@dataclass(frozen=True)
class Step:
    label: str
    request: Request
    actor: str = "deploy"
    resource_policy: dict | None = None


@dataclass(frozen=True)
class Method:
    name: str
    steps: tuple[Step, ...]
    note: str = ""
    outside_iam: str = ""  # why no IAM policy can block it (it is then expected to be allowed)
    detective: str = ""  # the catalog control that detects it


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


def _levels(docs: dict[str, dict], folder: str, full: dict) -> list[list[dict]]:
    ours = [d for p, d in sorted(docs.items()) if p.startswith(folder)]
    return [[full], [full, *ours], [full]]


def scp_levels(settings: Settings, docs: dict[str, dict] | None = None) -> list[list[dict]]:
    """Root, the workloads OU (with ours), the account."""
    return _levels(docs or artifacts(settings), "scp/", FULL_ACCESS)


def rcp_levels(settings: Settings, docs: dict[str, dict] | None = None) -> list[list[dict]]:
    return _levels(docs or artifacts(settings), "rcp/", RCP_FULL_ACCESS)


def _g(settings: Settings):
    g = settings.guardrails
    assert g is not None
    return g


def principal(settings: Settings, actor: str) -> str:
    """The principal ARN of an actor (``service`` steps carry their own)."""
    g = _g(settings)
    app = g.application
    return {
        "deploy": f"arn:aws:sts::{ACCOUNT}:assumed-role/{g.pipeline_roles[0]}/release-42",
        "admin": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice",
        "app": f"arn:aws:sts::{ACCOUNT}:assumed-role/{app.roles}api/{app.resources}api",
        "codedeploy": f"arn:aws:sts::{ACCOUNT}:assumed-role/{app.codedeploy_role}/AWSCodeDeploy",
        "signer": f"arn:aws:sts::{ACCOUNT}:assumed-role/{app.signing_role}/release-42",
        "outsider": f"arn:aws:sts::{OUTSIDE_ACCOUNT}:assumed-role/attacker/session",
    }[actor]


def policies(settings: Settings, actor: str, identity: str = "admin", docs: dict[str, dict] | None = None,
             resource_policy: dict | None = None) -> PolicySet:
    """Every policy AWS weighs for ``actor``. For the deploy role ``identity`` is ``admin``
    (AdministratorAccess, the worst case) or ``role`` (its generated role policy)."""
    docs = docs or artifacts(settings)
    g = _g(settings)
    app = g.application
    resource = [resource_policy] if resource_policy else []
    scps, rcps = scp_levels(settings, docs), rcp_levels(settings, docs)
    app_boundary = docs[f"boundaries/{app.boundary_policy}.json"]
    if actor == "deploy":
        ident = ADMIN if identity == "admin" else docs[f"roles/{g.pipeline_roles[0]}.json"]
        return PolicySet(identity=[ident], boundary=docs[f"boundaries/{app.ci_boundary_policy}.json"], resource=resource, scps=scps, rcps=rcps)
    if actor == "admin":
        return PolicySet(identity=[ADMIN], resource=resource, scps=scps, rcps=rcps)
    if actor == "app":
        return PolicySet(identity=[ADMIN], boundary=app_boundary, resource=resource, scps=scps, rcps=rcps)
    if actor == "codedeploy":
        return PolicySet(identity=[docs[f"roles/{app.codedeploy_role}.json"]], boundary=app_boundary, resource=resource, scps=scps, rcps=rcps)
    if actor == "signer":
        return PolicySet(identity=[docs[f"roles/{app.signing_role}.json"]], resource=resource, scps=scps, rcps=rcps)
    if actor == "outsider":  # another organization's SCPs are not ours to know; our RCPs apply to our resources
        return PolicySet(identity=[ADMIN], resource=resource, rcps=rcps)
    if actor == "service":
        return PolicySet(resource=resource, rcps=rcps)
    raise ValueError(f"unknown actor {actor!r} (expected one of {', '.join(ACTORS)})")


def ci_policies(settings: Settings, identity: str = "admin", docs: dict[str, dict] | None = None) -> PolicySet:
    """The deploy role's policy set (see :func:`policies`)."""
    return policies(settings, "deploy", identity, docs)


def ci_principal(settings: Settings) -> str:
    return principal(settings, "deploy")


def decide(settings: Settings, step: Step, identity: str = "admin", docs: dict[str, dict] | None = None,
           cache: dict | None = None) -> Decision:
    """The decision on one step, by its actor's policies (compiled once per actor in ``cache``)."""
    if step.resource_policy is not None:
        return policies(settings, step.actor, identity, docs, step.resource_policy).evaluate(step.request)
    cache = {} if cache is None else cache
    key = (step.actor, identity)
    if key not in cache:
        cache[key] = policies(settings, step.actor, identity, docs)
    return cache[key].evaluate(step.request)


def request(settings: Settings, action: str, resource: str = "*", actor: str = "deploy", **ctx: object) -> Request:
    """A request by ``actor`` in an allowed Region, with ``ctx`` added. Principals of the
    organization carry ``aws:PrincipalOrgID``, as AWS puts it in every request they sign."""
    g = _g(settings)
    base: dict = {"aws:RequestedRegion": REGION}
    if actor == "outsider":
        who, acct = principal(settings, actor), OUTSIDE_ACCOUNT
    else:
        who, acct = principal(settings, actor), ACCOUNT
        base["aws:PrincipalOrgID"] = g.organization_id
    return Request(who, action, resource, acct, ACCOUNT, {**base, **ctx})


def service_request(settings: Settings, service: str, action: str, resource: str, source_account: str = ACCOUNT, **ctx: object) -> Request:
    """A request by an AWS service principal acting for a resource of ``source_account``."""
    g = _g(settings)
    base: dict = {"aws:RequestedRegion": REGION, "aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": service,
                  "aws:SourceAccount": source_account}
    if source_account == ACCOUNT:
        base["aws:SourceOrgID"] = g.organization_id
    return Request(service, action, resource, None, ACCOUNT, {**base, **ctx})


def required_tags(settings: Settings, service: str) -> dict[str, str]:
    """Tags a create call carries to satisfy the tag SCPs (the first allowed value of each)."""
    g = _g(settings)
    tags = {k: (v[0] if v else "team-orders") for k, v in g.tags.required.items()}
    tags.update({k: (v[0] if v else "yes") for k, v in g.tags.required_by_service.get(service, {}).items()})
    tags[g.application.tag_key] = g.application.name or ""
    return tags


def tag_context(tags: dict[str, str]) -> dict:
    ctx: dict = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    ctx["aws:TagKeys"] = list(tags)
    return ctx


def resource_tags(tags: dict[str, str]) -> dict:
    return {f"aws:ResourceTag/{k}": v for k, v in tags.items()}


def _names(settings: Settings) -> dict[str, str]:
    """The example resources the proofs name."""
    g = _g(settings)
    app = g.application
    fn_name = next(iter(sorted(app.functions)), f"{app.resources}api")
    out = {
        "fn_name": fn_name,
        "fn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn_name}",
        "role": f"arn:aws:iam::{ACCOUNT}:role/{app.roles}api",
        "codedeploy_role": f"arn:aws:iam::{ACCOUNT}:role/{app.codedeploy_role}",
        "boundary": f"arn:aws:iam::{ACCOUNT}:policy/{app.boundary_policy}",
        "key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
        "queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{app.resources}events",
        "secret": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{app.resources}db-AbCdEf",
        "data_bucket": f"{app.resources}data",
        "group": f"arn:aws:codedeploy:{REGION}:{ACCOUNT}:deploymentgroup:{fn_name}/{fn_name}-live",
        "own_layer": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{app.resources}shared:3",
        "csc": next((c for c in g.code_signing.allowed_configs if f":{REGION}:" in c), g.code_signing.allowed_configs[0]
                    if g.code_signing.allowed_configs else ""),
    }
    return out


def _vpc() -> dict:
    return {"lambda:VpcIds": "vpc-0a1b2c3d", "lambda:SubnetIds": ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
            "lambda:SecurityGroupIds": ["sg-0a1b2c3d"]}


def deploy_path(settings: Settings) -> list[Step]:
    g = _g(settings)
    app = g.application
    n = _names(settings)
    fn, fn_name = n["fn"], n["fn_name"]
    mine = {f"aws:ResourceTag/{app.tag_key}": app.name}
    key_mine = dict(mine)
    fn_tags = tag_context(required_tags(settings, "lambda"))
    via_lambda = {"kms:ViaService": f"lambda.{REGION}.amazonaws.com", "kms:GrantIsForAWSResource": "true", **key_mine}
    r = lambda action, resource="*", actor="deploy", **ctx: request(settings, action, resource, actor, **ctx)  # noqa: E731
    bucket = app.artifact_buckets[0] if app.artifact_buckets else None
    steps = []
    if bucket:
        steps.append(Step("upload the package", r("s3:PutObject", f"arn:aws:s3:::{bucket}/{fn_name}/build-42.zip")))
    if app.signing_profiles:
        signer = "signer" if app.signing_role else "deploy"
        steps.append(Step("sign it with AWS Signer",
                          r("signer:StartSigningJob", f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/{app.signing_profiles[0]}", signer),
                          signer))
    role_tags = {k: v for k, v in required_tags(settings, "lambda").items() if k in (*g.tags.all_protected(), app.tag_key)}
    steps += [
        Step("create the execution role with the application boundary",
             r("iam:CreateRole", n["role"], **{"iam:PermissionsBoundary": n["boundary"]}, **tag_context(role_tags))),
        Step("... tagged on create (IAM checks iam:TagRole)", r("iam:TagRole", n["role"], **tag_context(role_tags))),
        Step("pass it to Lambda", r("iam:PassRole", n["role"], **{"iam:PassedToService": "lambda.amazonaws.com"})),
        Step("create the log group, tagged", r("logs:CreateLogGroup", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{fn_name}",
                                               **tag_context(required_tags(settings, "logs")))),
        Step("create the function: approved signing config, own layer, tagged, in a VPC, with a customer-managed key",
             r("lambda:CreateFunction", fn, **{"lambda:CodeSigningConfigArn": n["csc"], "lambda:Layer": [n["own_layer"]]}, **fn_tags, **_vpc())),
        Step("... Lambda checks the tags given on create", r("lambda:TagResource", fn, **fn_tags)),
        Step("... the security groups", r("ec2:DescribeSecurityGroups")),
        Step("... the subnets", r("ec2:DescribeSubnets")),
        Step("... the VPC", r("ec2:DescribeVpcs")),
        Step("... creates a grant on the environment key for the caller", r("kms:CreateGrant", n["key"], **via_lambda), resource_policy=KEY_POLICY),
        Step("... and encrypts the variables", r("kms:Encrypt", n["key"], **via_lambda), resource_policy=KEY_POLICY),
        Step("Lambda assumes the execution role", service_request(settings, "lambda.amazonaws.com", "sts:AssumeRole", n["role"]),
             "service", trust({"Service": "lambda.amazonaws.com"})),
        Step("update its code (signed)", r("lambda:UpdateFunctionCode", fn, **mine)),
        Step("publish a version", r("lambda:PublishVersion", fn, **mine)),
        Step("point the alias at it", r("lambda:UpdateAlias", f"{fn}:live", **mine)),
        Step("create the deployment group with the application's CodeDeploy role",
             r("iam:PassRole", n["codedeploy_role"], **{"iam:PassedToService": "codedeploy.amazonaws.com"})),
        Step("... the deployment group", r("codedeploy:CreateDeploymentGroup", n["group"])),
        Step("start the CodeDeploy canary", r("codedeploy:CreateDeployment", n["group"])),
        Step("CodeDeploy assumes the application's CodeDeploy role",
             service_request(settings, "codedeploy.amazonaws.com", "sts:AssumeRole", n["codedeploy_role"]), "service",
             trust({"Service": "codedeploy.amazonaws.com"})),
        Step("... and shifts the alias", r("lambda:UpdateAlias", f"{fn}:live", "codedeploy"), "codedeploy"),
        Step("tag the function", r("lambda:TagResource", fn, **mine, **tag_context({"release": "42"}))),
    ]
    return steps


def escalations(settings: Settings) -> list[Method]:
    g = _g(settings)
    app = g.application
    sp = g.self_protection
    n = _names(settings)
    me = f"arn:aws:iam::{ACCOUNT}:role/{g.pipeline_roles[0]}"
    my_boundary = f"arn:aws:iam::{ACCOUNT}:policy/{app.ci_boundary_policy}"
    app_boundary = n["boundary"]
    admin_role = f"arn:aws:iam::{ACCOUNT}:role/Admin"
    admin_policy = "arn:aws:iam::aws:policy/AdministratorAccess"
    own_policy = f"arn:aws:iam::{ACCOUNT}:policy/{g.pipeline_roles[0]}-policy"
    app_role = n["role"]
    user = f"arn:aws:iam::{ACCOUNT}:user/admin"
    app_fn = n["fn"]
    other_fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:billing-admin-tools"
    other = f"{app.resource_prefix}payments-"  # another application's resources
    other_role = f"arn:aws:iam::{ACCOUNT}:role/{app.role_prefix}payments-api"
    csc = n["csc"]
    create_fn = {"lambda:CodeSigningConfigArn": csc, **tag_context(required_tags(settings, "lambda"))}
    mine = {f"aws:ResourceTag/{app.tag_key}": app.name}
    tagged = resource_tags(required_tags(settings, "lambda"))
    r = lambda action, resource="*", actor="deploy", **ctx: request(settings, action, resource, actor, **ctx)  # noqa: E731
    pass_admin = lambda svc: Step(f"pass the Admin role to {svc}", r("iam:PassRole", admin_role, **{"iam:PassedToService": svc}))  # noqa: E731
    backdoor = f"arn:aws:iam::{ACCOUNT}:role/{app.roles}backdoor"
    bucket_obj = f"arn:aws:s3:::{n['data_bucket']}/orders/2024.csv"
    artifacts_obj = f"arn:aws:s3:::{app.artifact_buckets[0]}/{n['fn_name']}/build-42.zip" if app.artifact_buckets else ""
    # a security role name anyone could create (Identity Center's path is AWS's own)
    named = [a for a in g.security_roles if "*" in a.split(":role/", 1)[1] and "/aws-reserved/" not in a] or list(g.security_roles)
    security_name = named[0].split(":role/", 1)[1].replace("*", "anything")
    glass_name = g.break_glass_principals[0].split(":role/", 1)[1].replace("*", "x")
    exempt_image = g.code_signing.exempt_function_names[0] if g.code_signing.exempt_function_names else None
    rule_fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{sp.config_rule_functions[0]}" if sp.config_rule_functions else ""
    rule_role = sp.config_rule_roles[0].replace("*", ACCOUNT, 1).replace("*", "x") if sp.config_rule_roles else ""
    trail = sp.cloudtrail_buckets[0]
    trail_key = sp.cloudtrail_keys[0].replace("*", ACCOUNT) if sp.cloudtrail_keys else ""
    outside_layer = f"arn:aws:lambda:{REGION}:{OUTSIDE_ACCOUNT}:layer:helpers:1"
    methods = [
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
                Step("feed the queue", r("sqs:SendMessage", n["queue"])))),
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
        Method("lambda:AddPermission to another account", (Step(f"let account {OUTSIDE_ACCOUNT} invoke an application function",
                                                                  r("lambda:AddPermission", app_fn, **{"lambda:Principal": OUTSIDE_ACCOUNT, **mine})),)),
        Method("retag a function into the application", (Step("set the application tag on another function",
                                                                r("lambda:TagResource", other_fn, **{f"aws:ResourceTag/{app.tag_key}": "billing", f"aws:RequestTag/{app.tag_key}": app.name, "aws:TagKeys": [app.tag_key]})),)),
        # ---- issue 12, 1: a backdoor application role, and the data perimeter
        Method("a backdoor application role trusted by another account",
               (Step("create it with the application boundary (no condition key sees its trust policy)",
                     r("iam:CreateRole", backdoor, **{"iam:PermissionsBoundary": app_boundary})),
                Step("attach AdministratorAccess (capped by the boundary)", r("iam:AttachRolePolicy", backdoor, **{"iam:PolicyARN": admin_policy, "iam:PermissionsBoundary": app_boundary})),
                Step(f"account {OUTSIDE_ACCOUNT} assumes it", r("sts:AssumeRole", backdoor, "outsider"), "outsider", trust({"AWS": OUTSIDE_ACCOUNT})),
                Step("... or tags a session of it", r("sts:TagSession", backdoor, "outsider"), "outsider", trust({"AWS": OUTSIDE_ACCOUNT}, ["sts:AssumeRole", "sts:TagSession"])))),
        Method("... the same trusted by \"*\"", (Step("anyone assumes it", r("sts:AssumeRole", backdoor, "outsider"), "outsider", trust({"AWS": "*"})),
                                                 Step("... through web identity federation", r("sts:AssumeRoleWithWebIdentity", backdoor, "outsider"), "outsider",
                                                      trust("*", "sts:AssumeRoleWithWebIdentity")))),
        Method("reach application data from outside through a resource policy",
               (Step("read a bucket whose policy allows everyone", r("s3:GetObject", bucket_obj, "outsider"), "outsider", grant("*", "s3:GetObject", bucket_obj)),
                Step("... a secret shared with another account", r("secretsmanager:GetSecretValue", n["secret"], "outsider"), "outsider",
                     grant({"AWS": OUTSIDE_ACCOUNT}, "secretsmanager:GetSecretValue")),
                Step("... a queue shared with another account", r("sqs:ReceiveMessage", n["queue"], "outsider"), "outsider",
                     grant({"AWS": OUTSIDE_ACCOUNT}, "sqs:ReceiveMessage", n["queue"])),
                Step("... a key shared with another account", r("kms:Decrypt", n["key"], "outsider"), "outsider", grant({"AWS": OUTSIDE_ACCOUNT}, "kms:Decrypt")))),
        Method("an AWS service as confused deputy for another account",
               (Step(f"an SNS topic of account {OUTSIDE_ACCOUNT} sends to an application queue (the queue policy names the service only)",
                     service_request(settings, "sns.amazonaws.com", "sqs:SendMessage", n["queue"], OUTSIDE_ACCOUNT), "service",
                     grant({"Service": "sns.amazonaws.com"}, "sqs:SendMessage", n["queue"])),)),
        # ---- 2: becoming a guardrail exemption
        Method("create a role named like a security role (an account admin)",
               (Step(f"create role/{security_name}", r("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/{security_name}", "admin"), "admin"),)),
        Method("create the break-glass role where it does not exist yet",
               (Step(f"create role/{glass_name}", r("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/{glass_name}", "admin"), "admin"),)),
        Method("trust itself on an exempt role", (Step("change the trust policy of a security role",
                                                       r("iam:UpdateAssumeRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/{security_name}", "admin"), "admin"),
                                                  Step("... or attach a policy to it", r("iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/{security_name}", "admin",
                                                                                           **{"iam:PolicyARN": admin_policy}), "admin"))),
        # ---- 3: one application's pipeline and functions, another application's resources
        Method("pass another application's role to an own function",
               (Step("pass it to Lambda", r("iam:PassRole", other_role, **{"iam:PassedToService": "lambda.amazonaws.com"})),)),
        Method("deploy another application's function", (Step("update its code", r("lambda:UpdateFunctionCode", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{other}api",
                                                                                   **{f"aws:ResourceTag/{app.tag_key}": "payments"})),)),
        Method("an application function reads another application's data",
               (Step("read its secret", r("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{other}db-AbCdEf", "app"), "app"),
                Step("... its table", r("dynamodb:Scan", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{other}ledger", "app"), "app"))),
        Method("tag roles for access that other policies grant by tag (iam:TagRole has no boundary key)",
               (Step("tag another application's role", r("iam:TagRole", other_role, **tag_context({"owner": "x"}))),
                Step("give an own role a tag key other policies may trust", r("iam:TagRole", app_role, **tag_context({"team": "payments"}))))),
    ]
    if app.artifact_buckets:
        methods.append(Method("an application function tampers with the pipeline's artifacts",
                              (Step("overwrite a package", r("s3:PutObject", artifacts_obj, "app"), "app"),
                               Step("... suspend versioning", r("s3:PutBucketVersioning", f"arn:aws:s3:::{app.artifact_buckets[0]}", "app"), "app"),
                               Step("... expire them", r("s3:PutLifecycleConfiguration", f"arn:aws:s3:::{app.artifact_buckets[0]}", "app"), "app"))))
    # ---- 4: code signing
    methods += [
        Method("an unsigned .zip function named like an image function",
               (Step("create app-img-backdoor without a signing config", r("lambda:CreateFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{app.resources}img-backdoor",
                                                                          **tag_context(required_tags(settings, "lambda")))),)),
        Method("a signing config of another account", (Step("create a function with it", r("lambda:CreateFunction", app_fn, **{
            **create_fn, "lambda:CodeSigningConfigArn": csc.replace(f":{ACCOUNT}:", f":{OUTSIDE_ACCOUNT}:")})),)),
        Method("a layer from outside", (Step("create a function with another account's layer", r("lambda:CreateFunction", app_fn, **{**create_fn, "lambda:Layer": [outside_layer]})),
                                        Step("... or add it later", r("lambda:UpdateFunctionConfiguration", app_fn, **mine, **{"lambda:Layer": [n["own_layer"], outside_layer]})))),
        Method("sign an arbitrary package", (Step("start a signing job with the application's profile",
                                                 r("signer:StartSigningJob", f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/{app.signing_profiles[0]}")),),
               outside_iam="" if app.signing_role else "the deploy role holds the signing profile; set guardrails.application.signing_role")
        if app.signing_profiles else None,
        Method("run unsigned code through the environment", (Step("set NODE_OPTIONS or AWS_LAMBDA_EXEC_WRAPPER", r("lambda:UpdateFunctionConfiguration", app_fn, **mine)),),
               outside_iam="no condition key carries environment variables, and code signing covers only the package and layers",
               detective=control_of(function_rules.no_code_loading_environment)),
        # ---- 5: CodeDeploy as a confused deputy
        Method("CodeDeploy with a broad service role", (Step("pass a role with AWSCodeDeployRoleForLambda to CodeDeploy",
                                                             r("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/CodeDeployServiceRole", **{"iam:PassedToService": "codedeploy.amazonaws.com"})),
                                                        Step("point the application's deployment group at it", r("codedeploy:UpdateDeploymentGroup", n["group"])))),
        Method("CodeDeploy moves another application's alias", (Step("the application's CodeDeploy role updates it",
                                                                     r("lambda:UpdateAlias", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{other}api:live", "codedeploy"), "codedeploy"),)),
        # ---- 6: the detective layer's own resources (an account admin)
        Method("switch off what watches", (Step("rescope a Config rule", r("config:PutConfigRule", "*", "admin"), "admin"),
                                           Step("... forge a COMPLIANT evaluation", r("config:PutEvaluations", "*", "admin"), "admin"),
                                           Step("... delete evaluation results", r("config:DeleteEvaluationResults", "*", "admin"), "admin"))),
        Method("tamper with the custom-rule function", (Step("replace its code", r("lambda:UpdateFunctionCode", rule_fn, "admin"), "admin"),
                                                        Step("... throttle it to zero", r("lambda:PutFunctionConcurrency", rule_fn, "admin"), "admin"),
                                                        Step("... pass its role to an own function", r("iam:PassRole", rule_role, "admin",
                                                                                                        **{"iam:PassedToService": "lambda.amazonaws.com"}), "admin"))),
        Method("erase the trail", (Step("expire the CloudTrail logs", r("s3:PutLifecycleConfiguration", f"arn:aws:s3:::{trail}", "admin"), "admin"),
                                   Step("... rewrite the bucket policy", r("s3:PutBucketPolicy", f"arn:aws:s3:::{trail}", "admin"), "admin"),
                                   Step("... delete log files", r("s3:DeleteObject", f"arn:aws:s3:::{trail}/AWSLogs/{ACCOUNT}/x.json.gz", "admin"), "admin"),
                                   *([Step("... schedule deletion of its key", r("kms:ScheduleKeyDeletion", trail_key, "admin"), "admin", KEY_POLICY),
                                      Step("... disable its key", r("kms:DisableKey", trail_key, "admin"), "admin", KEY_POLICY)] if trail_key else []))),
        Method("empty the web ACL while it stays associated", (Step("remove its rules", r("wafv2:UpdateWebACL", f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/api/1a2b", "admin"), "admin"),)),
        # ---- 7: tags
        Method("remove or change a required tag", (Step("remove env", r("lambda:UntagResource", app_fn, "admin", **tagged, **{"aws:TagKeys": ["env"]}), "admin"),
                                                   Step("... or Owner, spelled another way", r("lambda:UntagResource", app_fn, "admin", **tagged, **{"aws:TagKeys": ["OWNER"]}), "admin"),
                                                   Step("... change the value of data-classification", r("lambda:TagResource", app_fn, "admin", **tagged,
                                                                                                         **tag_context({"data-classification": "public"})), "admin"))),
        # ---- 8: limits, stated
        Method("lambda:AddPermission for a service without a source", (Step("let s3.amazonaws.com invoke an application function, no source ARN or account",
                                                                            r("lambda:AddPermission", app_fn, **{"lambda:Principal": "s3.amazonaws.com", **mine})),),
               outside_iam="lambda:AddPermission has no condition key for the source ARN or account", detective=control_of(function_rules.permission_scoped)),
    ]
    if exempt_image:
        methods.append(Method("an unsigned .zip function with exactly an exempt image function's name",
                              (Step(f"create {exempt_image} as a .zip function without a signing config",
                                    r("lambda:CreateFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{exempt_image}", **tag_context(required_tags(settings, "lambda")))),),
                              outside_iam="Lambda has no condition key for the package type", detective=control_of(function_rules.code_signing)))
    return [m for m in methods if m is not None]


def evaluate_escalations(settings: Settings, docs: dict[str, dict] | None = None) -> list[Verdict]:
    docs = docs or artifacts(settings)
    cache: dict = {}
    return [Verdict(m, [decide(settings, s, "admin", docs, cache) for s in m.steps]) for m in escalations(settings)]


def _outcome(v: Verdict) -> str:
    m = v.method
    if v.blocked:
        return "yes"
    if m.outside_iam:
        detect = f"; detected by {m.detective}" if m.detective else "; no detective control yet"
        return f"no: outside IAM's reach ({m.outside_iam}){detect}"
    return "**NO**"


def _who(step: Step) -> str:
    return "" if step.actor == "deploy" else f" ({step.actor})"


def escalation_table(settings: Settings) -> str:
    rows = ["| method | requests it needs (by the deploy role unless a step names another actor) | decisions | blocked |",
            "|---|---|---|---|"]
    docs = artifacts(settings)
    for v in evaluate_escalations(settings, docs):
        reqs = "<br>".join(f"{s.label}{_who(s)}: `{s.request.action}`" for s in v.method.steps)
        decisions = "<br>".join(d.effect + (f" ({', '.join(d.blocked_by)})" if d.blocked_by else "") for d in v.decisions)
        note = f" ({v.method.note})" if v.method.note else ""
        rows.append(f"| {v.method.name}{note} | {reqs} | {decisions} | {_outcome(v)} |")
    rows.append("")
    rows.append("| deploy step (by the deploy role with its generated role policy unless it names another actor) | request | decision |")
    rows.append("|---|---|---|")
    cache: dict = {}
    for s in deploy_path(settings):
        d = decide(settings, s, "role", docs, cache)
        rows.append(f"| {s.label}{_who(s)} | `{s.request.action}` on `{s.request.resource}` | {d.effect} |")
    return "\n".join(rows)
