"""Reference architecture (6.x) in Mermaid: the request flow drawn from the stack's plan (what the
stack does not show but the PRR requires, e.g. a WAF in front of a public API, is drawn dashed and
says so), and the CI/CD flow from the release and guardrail settings."""

from __future__ import annotations

import json
import re

from prr_policies.documents._common import Context, control_link, notice, table
from prr_policies.documents.stack import Resource


def node_id(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", address)


def _q(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def request_flow(ctx: Context) -> str:
    s = ctx.stack
    dlqs = {q.address for q in s.dead_letter_queues(ctx.settings.sqs.dlq_name_suffixes)}
    lines = ["flowchart LR"]
    edges: list[str] = []
    lines += ['    subgraph internet["Internet: untrusted"]', '        client(["Client"])', "    end"]
    lines.append(f'    subgraph account["AWS account, {ctx.region}: trust boundary"]')
    apis = s.apis()
    wafs = s.of("aws_wafv2_web_acl_association")
    lines.append('        subgraph edge["Edge"]')
    if apis:
        if wafs:
            for w in wafs:
                lines.append(f"            {node_id(w.address)}[{_q('WAF web ACL')}]")
        else:
            lines.append(f"            waf_required[{_q('WAF web ACL: required, not in this stack')}]:::missing")
        for api in apis:
            kind = "REST API" if api.type == "aws_api_gateway_rest_api" else "HTTP API"
            lines.append(f"            {node_id(api.address)}[{_q(f'API Gateway {kind}: {api.label}')}]")
    lines.append("        end")
    lines.append('        subgraph compute["Compute: Lambda"]')
    for fn in s.functions():
        lines.append(f"            {node_id(fn.address)}[{_q(f'Lambda: {fn.label}')}]")
    lines.append("        end")
    lines.append('        subgraph messaging["Messaging"]')
    for q in s.queues():
        label = ("SQS DLQ: " if q.address in dlqs else "SQS: ") + q.label
        lines.append(f"            {node_id(q.address)}[({_q(label)})]")
    for t in s.of("aws_sns_topic"):
        lines.append(f"            {node_id(t.address)}[{_q('SNS: ' + t.label)}]")
    lines.append("        end")
    lines.append('        subgraph telemetry["Telemetry"]')
    lines.append(f"            xray[{_q('AWS X-Ray')}]")
    lines.append(f"            logs[{_q('CloudWatch Logs, one log group per function')}]")
    lines.append("        end")
    keys = s.of("aws_kms_key")
    signing = s.of("aws_lambda_code_signing_config")
    if keys or signing:
        lines.append('        subgraph protection["Encryption and code integrity"]')
        for k in keys:
            lines.append(f"            {node_id(k.address)}{{{{{_q('KMS key: ' + k.label)}}}}}")
        for c in signing:
            lines.append(f"            {node_id(c.address)}{{{{{_q('Code signing config (Enforce)')}}}}}")
        lines.append("        end")
    lines.append("    end")
    lines.append(f"    backends[{_q('Backends: data stores and third-party APIs, not in this stack')}]:::missing")
    front = "waf_required" if apis and not wafs else (node_id(wafs[0].address) if wafs else None)
    for api in apis:
        if front:
            edges.append(f'    client -->|"HTTPS"| {front}')
            edges.append(f"    {front} --> {node_id(api.address)}")
        else:
            edges.append(f'    client -->|"HTTPS"| {node_id(api.address)}')
        for fn in s.api_targets(api):
            edges.append(f'    {node_id(api.address)} -->|"Lambda proxy integration"| {node_id(fn.address)}')
    consumers = set()
    for m, src, fn in s.mappings():
        consumers.add(fn.address)
        edges.append(f'    {node_id(src.address)} -->|"event source mapping"| {node_id(fn.address)}')
    for fn in s.functions():
        for q in s.queues():
            if q.address in fn.ref("environment"):
                edges.append(f'    {node_id(fn.address)} -->|"SendMessage"| {node_id(q.address)}')
        for d in s.failure_destinations(fn):
            edges.append(f'    {node_id(fn.address)} -.->|"on failure"| {node_id(d.address)}')
        if (fn.values.get("tracing_config") or [{}])[0].get("mode") == "Active":
            edges.append(f'    {node_id(fn.address)} -.->|"traces"| xray')
        edges.append(f'    {node_id(fn.address)} -.->|"JSON logs"| logs')
        for k in s.keys_of(fn):
            edges.append(f'    {node_id(k.address)} -.->|"encrypts environment"| {node_id(fn.address)}')
        for c in signing:
            if c.address in fn.ref("code_signing_config_arn"):
                edges.append(f'    {node_id(c.address)} -.->|"verifies code"| {node_id(fn.address)}')
    for fn in s.functions():
        if fn.address in consumers:
            edges.append(f'    {node_id(fn.address)} -->|"reads and writes"| backends')
    for q in s.queues():
        policy = q.values.get("redrive_policy")
        if isinstance(policy, str) and policy:
            target = json.loads(policy).get("deadLetterTargetArn", "")
            for d in s.queues():
                if d.values.get("name") and target.endswith(":" + d.values["name"]):
                    edges.append(f'    {node_id(q.address)} -.->|"redrive after {json.loads(policy).get("maxReceiveCount")} receives"| {node_id(d.address)}')
        for k in s.keys_of(q):
            edges.append(f'    {node_id(k.address)} -.->|"encrypts"| {node_id(q.address)}')
    lines += list(dict.fromkeys(edges))
    lines.append("    classDef missing stroke-dasharray: 5 5,fill:#fff7e6")
    return "\n".join(lines)


def cicd_flow(ctx: Context) -> str:
    st = ctx.settings
    g = st.guardrails
    roles = ", ".join(g.pipeline_roles) if g and g.pipeline_roles else "the deploy role"
    boundary = g.application.ci_boundary_policy if g else "the CI boundary"
    profiles = ", ".join(g.application.signing_profiles) if g and g.application.signing_profiles else "the signing profile"
    buckets = ", ".join(g.application.artifact_buckets) if g and g.application.artifact_buckets else "the artifact bucket"
    types = " or ".join(st.release.allowed_deployment_types)
    rollback = ", ".join(st.release.required_rollback_events)
    return "\n".join([
        "flowchart TD",
        f"    pr([{_q('GitHub pull request')}]) --> checks[{_q('CI: prr-policies scan (PRR checkov checks), generate --check, docs --check')}]",
        f"    checks --> pass{{{_q('FAIL or UNKNOWN?')}}}",
        f'    pass -->|"yes"| blocked([{_q("Merge blocked")}])',
        f'    pass -->|"no"| merge[{_q("Merge to main")}]',
        f"    merge --> oidc[{_q('GitHub OIDC token')}]",
        f'    oidc -->|"sts:AssumeRoleWithWebIdentity"| role[{_q(f"Deploy role {roles}, bounded by {boundary}")}]',
        f"    role --> build[{_q('Build the .zip package')}]",
        f"    build --> sign[{_q(f'AWS Signer: sign with {profiles}')}]",
        f"    sign --> upload[{_q(f'Upload to {buckets}')}]",
        f"    upload --> update[{_q('UpdateFunctionCode: Lambda checks the signature (code signing config Enforce)')}]",
        f"    update --> version[{_q('PublishVersion')}]",
        f"    version --> canary[{_q(f'CodeDeploy {types} on the alias')}]",
        f"    canary --> alarms{{{_q('CloudWatch alarms in ALARM during the deployment?')}}}",
        f'    alarms -->|"yes"| rollback[{_q(f"Automatic rollback ({rollback})")}]',
        f'    alarms -->|"no"| done[{_q("Alias on the new version")}]',
        f"    done --> config[{_q('AWS Config rules evaluate the change')}]",
        f"    rollback --> config",
        f"    config --> hub[{_q('Findings to Security Hub')}]",
    ])


def _node_controls(ctx: Context, r: Resource, page: str) -> str:
    cs = [c for c in ctx.controls() if r.type in c.resource_types]
    return ", ".join(control_link(c.id, page) for c in cs) or "none"


def page(ctx: Context) -> str:
    p = "architecture.md"
    s = ctx.stack
    drawn = [r for r in s.resources.values() if r.type in {
        "aws_lambda_function", "aws_sqs_queue", "aws_sns_topic", "aws_api_gateway_rest_api", "aws_apigatewayv2_api",
        "aws_kms_key", "aws_lambda_code_signing_config", "aws_wafv2_web_acl_association", "aws_lambda_event_source_mapping",
        "aws_lambda_function_event_invoke_config", "aws_lambda_permission", "aws_iam_role"}]
    rows = [(f"`{r.address}`", r.label, _node_controls(ctx, r, p)) for r in drawn]
    return "\n".join([
        notice(f"the stack's plan ({s.path.name}) and prr.yaml"),
        "# Reference architecture (6.x)\n",
        f"## Request flow\n\nDrawn from the stack's Terraform plan `{s.path.name}`: every node but the client, telemetry "
        "and the dashed ones is a resource of the stack. Dashed nodes are what the PRR requires or assumes but the stack "
        "does not contain. Solid arrows carry requests and messages; dotted ones carry failures, telemetry, encryption and "
        "code verification.\n",
        "```mermaid\n" + request_flow(ctx) + "\n```\n",
        "The stack's resources and the controls that check them:\n",
        table(["Terraform address", "name", "controls"], rows) + "\n",
        "## CI/CD flow\n\nFrom the release and guardrail settings: who deploys, with which boundary, how the package is "
        "signed, how traffic shifts and when it rolls back.\n",
        "```mermaid\n" + cicd_flow(ctx) + "\n```\n",
    ])
