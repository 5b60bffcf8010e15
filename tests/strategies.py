"""Shared hypothesis strategies: Lambda facts that every source can express, and renderers."""

from __future__ import annotations

import json

from hypothesis import strategies as st

from prr_policies.facts import ExecutionRoleFacts, LambdaFunction

ACCOUNT = "123456789012"
KMS_CMK = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/6f1a2b3c-1111-2222-3333-444455556666"
KMS_AWS = f"arn:aws:kms:eu-west-1:{ACCOUNT}:alias/aws/lambda"
DLQ = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:failures"
CSC = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:code-signing-config:csc-0123456789abcdef0"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/app-boundary"
RUNTIMES = ["python3.13", "python3.12", "python3.8", "nodejs22.x", "nodejs16.x", "java21", "ruby3.2"]


@st.composite
def lambda_facts(draw, index: int = 0, dead_letter: bool = True, code_signing: bool = True) -> LambdaFunction:
    name = f"fn{index}"
    boundary = draw(st.sampled_from([BOUNDARY, None]))
    return LambdaFunction(
        address=name,
        package_type="Zip",
        runtime=draw(st.sampled_from(RUNTIMES)),
        tracing_mode=draw(st.sampled_from(["Active", "PassThrough", None])),
        reserved_concurrency=draw(st.one_of(st.none(), st.sampled_from([0, 1, 1000, 1001]), st.integers(2, 3000))),
        timeout=draw(st.integers(1, 900)),
        memory_size=draw(st.integers(128, 10240)),
        has_environment_variables=draw(st.booleans()),
        kms_key_arn=draw(st.sampled_from([None, KMS_CMK, KMS_AWS])),
        code_signing_config_arn=draw(st.sampled_from([None, CSC])) if code_signing else None,
        dead_letter_target_arn=draw(st.sampled_from([None, DLQ])) if dead_letter else None,
        on_failure_destination=draw(st.sampled_from([None, DLQ])),
        vpc_subnet_ids=draw(st.sampled_from([None, ("subnet-0a1b2c3d",)])),
        role=ExecutionRoleFacts(f"aws_iam_role.{name}", boundary, 1),
    )


def to_hcl(fn: LambdaFunction) -> str:
    """Terraform HCL for one function, its own role and (optionally) its invoke config."""
    name = fn.address
    lines = [f'resource "aws_lambda_function" "{name}" {{', f'  function_name = "{name}"',
             f"  role          = aws_iam_role.{name}.arn", '  handler       = "app.handler"',
             '  filename      = "app.zip"', f'  runtime       = "{fn.runtime}"',
             f"  timeout       = {fn.timeout}", f"  memory_size   = {fn.memory_size}"]
    if fn.reserved_concurrency is not None:
        lines.append(f"  reserved_concurrent_executions = {fn.reserved_concurrency}")
    if fn.kms_key_arn:
        lines.append(f'  kms_key_arn = "{fn.kms_key_arn}"')
    if fn.code_signing_config_arn:
        lines.append(f'  code_signing_config_arn = "{fn.code_signing_config_arn}"')
    if fn.tracing_mode:
        lines += ["  tracing_config {", f'    mode = "{fn.tracing_mode}"', "  }"]
    if fn.has_environment_variables:
        lines += ["  environment {", '    variables = { STAGE = "prod" }', "  }"]
    if fn.dead_letter_target_arn:
        lines += ["  dead_letter_config {", f'    target_arn = "{fn.dead_letter_target_arn}"', "  }"]
    if fn.vpc_subnet_ids:
        subnets = ", ".join(f'"{s}"' for s in fn.vpc_subnet_ids)
        lines += ["  vpc_config {", f"    subnet_ids = [{subnets}]", '    security_group_ids = ["sg-0123abcd"]', "  }"]
    lines.append("}")
    boundary = f'\n  permissions_boundary = "{fn.role.permissions_boundary}"' if fn.role.permissions_boundary else ""
    lines.append(f'resource "aws_iam_role" "{name}" {{\n  name = "{name}"\n  assume_role_policy = "{{}}"{boundary}\n}}')
    if fn.on_failure_destination:
        lines.append(f'resource "aws_lambda_function_event_invoke_config" "{name}" {{\n'
                     f"  function_name = aws_lambda_function.{name}.function_name\n"
                     f'  destination_config {{\n    on_failure {{\n      destination = "{fn.on_failure_destination}"\n    }}\n  }}\n}}')
    return "\n".join(lines) + "\n"


def to_config_item(fn: LambdaFunction) -> dict:
    arn = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:{fn.address}"
    # The shape Config records: unset fields are omitted (no deadLetterConfig without a DLQ, no
    # kmskeyArn without a key), and numbers may arrive as floats (advanced queries return them so).
    config = {
        "functionName": fn.address, "functionArn": arn, "runtime": fn.runtime, "timeout": float(fn.timeout),
        "memorySize": float(fn.memory_size), "packageType": fn.package_type, "role": f"arn:aws:iam::{ACCOUNT}:role/{fn.address}",
        "tracingConfig": {"mode": fn.tracing_mode or "PassThrough"},
    }
    if fn.kms_key_arn:
        config["kmskeyArn"] = fn.kms_key_arn
    if fn.dead_letter_target_arn:
        config["deadLetterConfig"] = {"targetArn": fn.dead_letter_target_arn}
    if fn.vpc_subnet_ids:
        config["vpcConfig"] = {"subnetIds": list(fn.vpc_subnet_ids), "securityGroupIds": ["sg-0123abcd"]}
    supplementary = {"Tags": {}}
    if fn.reserved_concurrency is not None:
        supplementary["Concurrency"] = {"reservedConcurrentExecutions": fn.reserved_concurrency}
    return {"resourceType": "AWS::Lambda::Function", "resourceId": fn.address, "ARN": arn,
            "configurationItemStatus": "OK", "configuration": json.dumps(config),
            "supplementaryConfiguration": supplementary}


def create_in_moto(fn: LambdaFunction, lam, iam, subnet: str, name: str | None = None) -> str:
    """Create ``fn`` (its own role, its settings) in a moto account; returns the role ARN."""
    name = name or fn.address
    kwargs = {"PermissionsBoundary": fn.role.permissions_boundary} if fn.role and fn.role.permissions_boundary else {}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}", **kwargs)["Role"]["Arn"]
    create = dict(FunctionName=name, Runtime=fn.runtime, Role=role, Handler="app.handler", Code={"ZipFile": _zip()},
                  Timeout=fn.timeout, MemorySize=fn.memory_size)
    if fn.tracing_mode:
        create["TracingConfig"] = {"Mode": fn.tracing_mode}
    if fn.has_environment_variables:
        create["Environment"] = {"Variables": {"STAGE": "prod"}}
    if fn.kms_key_arn:
        create["KMSKeyArn"] = fn.kms_key_arn
    if fn.vpc_subnet_ids:
        create["VpcConfig"] = {"SubnetIds": [subnet], "SecurityGroupIds": []}
    lam.create_function(**create)
    if fn.reserved_concurrency is not None:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=fn.reserved_concurrency)
    if fn.on_failure_destination:
        lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnFailure": {"Destination": fn.on_failure_destination}})
    return role


def _zip() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return 1\n")
    return buf.getvalue()


# ---- IAM policies and requests -------------------------------------------------------------
# A small vocabulary so that generated statements often match generated requests.

IAM_ACCOUNT, IAM_OTHER = "111122223333", "444455556666"
IAM_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "lambda:CreateFunction", "lambda:InvokeFunction",
               "lambda:UpdateFunctionCode", "sqs:SendMessage", "kms:Decrypt", "iam:PassRole", "iam:CreateRole"]
IAM_ACTION_PATTERNS = IAM_ACTIONS + ["s3:*", "lambda:*", "*", "s3:Get*", "lambda:*Function", "iam:*Role", "sqs:Send*"]
IAM_RESOURCES = ["arn:aws:s3:::bucket-a/key.csv", "arn:aws:s3:::bucket-b/other.csv",
                 f"arn:aws:lambda:eu-west-1:{IAM_ACCOUNT}:function:orders", f"arn:aws:lambda:us-east-1:{IAM_ACCOUNT}:function:billing",
                 f"arn:aws:sqs:eu-west-1:{IAM_ACCOUNT}:queue", f"arn:aws:kms:eu-west-1:{IAM_ACCOUNT}:key/k1",
                 f"arn:aws:iam::{IAM_ACCOUNT}:role/app-orders"]
IAM_RESOURCE_PATTERNS = IAM_RESOURCES + ["*", "arn:aws:s3:::bucket-a/*", f"arn:aws:lambda:*:{IAM_ACCOUNT}:function:*",
                                         f"arn:aws:sqs:*:{IAM_ACCOUNT}:queue", f"arn:aws:iam::{IAM_ACCOUNT}:role/app-*"]
IAM_PRINCIPALS = [f"arn:aws:sts::{IAM_ACCOUNT}:assumed-role/AppRole/s1", f"arn:aws:sts::{IAM_ACCOUNT}:assumed-role/CiRole/run",
                  f"arn:aws:iam::{IAM_ACCOUNT}:user/alice", f"arn:aws:sts::{IAM_OTHER}:assumed-role/Partner/p"]
IAM_RBP_PRINCIPALS = ["*", {"AWS": IAM_ACCOUNT}, {"AWS": IAM_OTHER}, {"AWS": f"arn:aws:iam::{IAM_ACCOUNT}:role/AppRole"},
                      {"AWS": IAM_PRINCIPALS[0]}, {"AWS": IAM_PRINCIPALS[2]}, {"Service": "lambda.amazonaws.com"}]
_REGIONS = ["eu-west-1", "us-east-1"]
_TEAMS = ["web", "data"]


@st.composite
def iam_condition(draw):
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return {draw(st.sampled_from(["StringEquals", "StringNotEquals", "StringEqualsIfExists"])): {"aws:RequestedRegion": draw(st.sampled_from(_REGIONS))}}
    if choice == 1:
        return {draw(st.sampled_from(["StringLike", "StringNotLike"])): {"aws:PrincipalTag/team": draw(st.sampled_from(["w*", "data", "*"]))}}
    if choice == 2:
        return {draw(st.sampled_from(["ForAllValues:StringEquals", "ForAnyValue:StringEquals"])): {"aws:TagKeys": draw(st.lists(st.sampled_from(["env", "owner"]), min_size=1, max_size=2))}}
    if choice == 3:
        return {"Null": {"aws:PrincipalTag/team": draw(st.sampled_from(["true", "false"]))}}
    if choice == 4:
        return {draw(st.sampled_from(["ArnLike", "ArnNotLike"])): {"aws:PrincipalArn": draw(st.sampled_from(["arn:aws:iam::*:role/App*", "arn:aws:iam::*:role/Ci*"]))}}
    return {"NumericLessThan": {"s3:max-keys": draw(st.sampled_from(["10", "100"]))}}


@st.composite
def iam_statement(draw, kind="identity", effect=None):
    s: dict = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    if kind == "rcp" and s["Effect"] == "Allow":
        return {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    key = draw(st.sampled_from(["Action", "Action", "NotAction"]))
    acts = draw(st.lists(st.sampled_from(IAM_ACTION_PATTERNS), min_size=1, max_size=3))
    s[key] = acts[0] if len(acts) == 1 and draw(st.booleans()) else acts
    rkey = draw(st.sampled_from(["Resource", "Resource", "Resource", "NotResource"]))
    s[rkey] = draw(st.lists(st.sampled_from(IAM_RESOURCE_PATTERNS), min_size=1, max_size=2))
    if draw(st.integers(0, 2)) == 0:
        s["Condition"] = draw(iam_condition())
    if kind == "resource":
        s["Principal"] = draw(st.sampled_from(IAM_RBP_PRINCIPALS))
    elif kind == "rcp":
        s["Principal"] = "*"
    if draw(st.booleans()):
        s["Sid"] = f"S{draw(st.integers(0, 99))}"
    return s


def iam_policy(kind="identity", effect=None, max_statements=4):
    return st.lists(iam_statement(kind, effect), min_size=1, max_size=max_statements).map(
        lambda stmts: {"Version": "2012-10-17", "Statement": stmts})


FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@st.composite
def iam_policy_set(draw, effect=None):
    """A case-file ``policies`` mapping: identity, resource, boundary, session, scps, rcps."""
    maybe_full = lambda s: st.one_of(st.just(FULL_ACCESS), s) if effect != "Deny" else s  # noqa: E731
    return {
        "identity": draw(st.lists(iam_policy("identity", effect), max_size=3)),
        "resource": draw(st.lists(iam_policy("resource", effect), max_size=2)),
        "boundary": draw(st.none() | maybe_full(iam_policy("boundary", effect))),
        "session": draw(st.lists(maybe_full(iam_policy("session", effect)), max_size=2)),
        "scps": draw(st.one_of(st.just([]), st.lists(st.lists(maybe_full(iam_policy("scp", effect)), min_size=1, max_size=2), min_size=1, max_size=3))),
        "rcps": draw(st.one_of(st.just([]), st.lists(st.lists(iam_policy("rcp", effect), min_size=1, max_size=2), min_size=1, max_size=3))),
    }


@st.composite
def iam_request(draw):
    from prr_policies.iam import Request

    ctx: dict = {}
    if draw(st.booleans()):
        ctx["aws:RequestedRegion"] = draw(st.sampled_from(_REGIONS))
    if draw(st.booleans()):
        ctx["aws:PrincipalTag/team"] = draw(st.sampled_from(_TEAMS))
    if draw(st.booleans()):
        ctx["aws:TagKeys"] = draw(st.lists(st.sampled_from(["env", "owner", "team"]), max_size=3))
    if draw(st.booleans()):
        ctx["s3:max-keys"] = draw(st.sampled_from(["5", "50", "500"]))
    principal = draw(st.sampled_from(IAM_PRINCIPALS))
    resource = draw(st.sampled_from(IAM_RESOURCES))
    parts = resource.split(":")
    resource_account = parts[4] if parts[4] else draw(st.sampled_from([IAM_ACCOUNT, IAM_OTHER]))
    return Request(principal, draw(st.sampled_from(IAM_ACTIONS)), resource, principal.split(":")[4], resource_account, ctx)
