"""Run ``prr-policies`` in this process inside moto (``mock_aws``), after building a small
account: ``python -m tests.moto_cli SETUP ARGS...``. Used by the exit-code tests to run the
audit in a subprocess without a network (moto's threaded server needs Flask, which the test
extra does not install).

SETUP is ``good`` (one function that passes every control moto can show; moto does not
implement code signing configs, so the settings must not require them), ``bad`` (the same
function with PassThrough tracing) or ``empty``.
"""

from __future__ import annotations

import json
import os
import sys


def build(setup: str) -> None:
    import boto3

    from tests.aws_stack import _zip

    region = os.environ["AWS_DEFAULT_REGION"]
    iam, lam, kms, logs, sqs = (boto3.client(s, region_name=region) for s in ("iam", "lambda", "kms", "logs", "sqs"))
    if setup == "empty":
        return
    key = kms.create_key()["KeyMetadata"]["Arn"]
    boundary = iam.create_policy(PolicyName="prr-app-boundary", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))["Policy"]["Arn"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)["Role"]["Arn"]
    dlq = sqs.create_queue(QueueName="fn-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_function(FunctionName="fn", Runtime="python3.12", Role=role, Handler="index.handler", Code={"ZipFile": _zip()},
                        Timeout=30, MemorySize=256, TracingConfig={"Mode": "Active" if setup == "good" else "PassThrough"},
                        KMSKeyArn=key, Environment={"Variables": {"STAGE": "prod", "POWERTOOLS_SERVICE_NAME": "fn"}},
                        Architectures=["arm64"])
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=10)
    lam.put_function_event_invoke_config(FunctionName="fn", DestinationConfig={"OnFailure": {"Destination": dlq_arn}})
    logs.create_log_group(logGroupName="/aws/lambda/fn", kmsKeyId=key)
    logs.put_retention_policy(logGroupName="/aws/lambda/fn", retentionInDays=90)


def main(argv: list[str]) -> int:
    from moto import mock_aws

    from prr_policies.cli import main as cli

    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(k, "testing")
    with mock_aws():
        build(argv[0])
        return cli(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
