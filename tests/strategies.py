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
    config = {
        "functionName": fn.address, "functionArn": arn, "runtime": fn.runtime, "timeout": fn.timeout,
        "memorySize": fn.memory_size, "packageType": fn.package_type, "role": f"arn:aws:iam::{ACCOUNT}:role/{fn.address}",
        "kmskeyArn": fn.kms_key_arn,
        "tracingConfig": {"mode": fn.tracing_mode or "PassThrough"},
        "deadLetterConfig": {"targetArn": fn.dead_letter_target_arn},
        "vpcConfig": {"subnetIds": list(fn.vpc_subnet_ids or []), "securityGroupIds": []},
    }
    supplementary = {"Tags": {}}
    if fn.reserved_concurrency is not None:
        supplementary["Concurrency"] = {"reservedConcurrentExecutions": fn.reserved_concurrency}
    return {"resourceType": "AWS::Lambda::Function", "resourceId": fn.address, "ARN": arn,
            "configurationItemStatus": "OK", "configuration": json.dumps(config),
            "supplementaryConfiguration": supplementary}
