"""The CloudWatch alarms and dashboard of the stack, generated from its plan and the readiness
targets: per function errors (against the error budget at the sustained rate), throttles, p99
duration (against the latency budget) and concurrency; per queue the age of the oldest message
(against the RPO) and per dead-letter queue its depth; per API 5XX rate (against the SLO) and p99
latency. Each alarm names the runbook it leads to.

``alarms`` are PutMetricAlarm requests (a test validates them against botocore's model);
``monitoring.json`` carries them with the dashboard body for deploy/monitoring (Terraform).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from prr_policies.documents._common import Context, runbook_page, slug

PERIOD = 300


@dataclass(frozen=True)
class Alarm:
    request: dict[str, Any]  # the PutMetricAlarm parameters
    runbook: str
    resource: str  # the Terraform address it watches
    what: str  # one line: what it means when it fires
    nfr: str  # the readiness target it guards (availability, latency, throughput, recovery)

    @property
    def name(self) -> str:
        return self.request["AlarmName"]


def _prefixed(ctx: Context, label: str) -> str:
    svc = slug(ctx.service)
    return label if label.startswith(svc) else f"{svc}-{label}"


def _alarm(ctx: Context, resource: str, label: str, kind: str, namespace: str, metric: str, dims: dict[str, str],
           threshold: float, runbook: str, what: str, stat: str = "Sum", periods: int = 3) -> Alarm:
    nfr = {"errors": "availability", "throttles": "availability", "api-5xx": "availability", "duration-p99": "latency",
           "api-latency-p99": "latency", "concurrency": "throughput", "depth": "recovery", "queue-age": "recovery"}[kind]
    req: dict[str, Any] = {
        "AlarmName": f"{_prefixed(ctx, label)}-{kind}",
        "AlarmDescription": f"{what} Runbook: {runbook_page(runbook)}",
        "Namespace": namespace, "MetricName": metric,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Period": PERIOD, "EvaluationPeriods": periods, "DatapointsToAlarm": periods,
        "Threshold": float(threshold), "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }
    if stat.startswith("p"):
        req["ExtendedStatistic"] = stat
    else:
        req["Statistic"] = stat
    return Alarm(req, runbook, resource, what, nfr)


def alarms(ctx: Context) -> list[Alarm]:
    r = ctx.readiness
    stack = ctx.stack
    budget = round((100 - r.availability_slo_percent) / 100, 9)
    errors_per_period = max(1, math.ceil(r.throughput.sustained_rps * PERIOD * budget))
    out: list[Alarm] = []
    for fn in stack.functions():
        name, dims = fn.label, {"FunctionName": fn.label}
        out.append(_alarm(ctx, fn.address, name, "errors", "AWS/Lambda", "Errors", dims, errors_per_period, "5xx-throttle",
                          f"{name} fails more than the error budget allows at the sustained rate "
                          f"({errors_per_period} errors in {PERIOD // 60} min)."))
        out.append(_alarm(ctx, fn.address, name, "throttles", "AWS/Lambda", "Throttles", dims, 0, "5xx-throttle",
                          f"{name} is throttled: its reserved concurrency or the account's is exhausted.", periods=1))
        out.append(_alarm(ctx, fn.address, name, "duration-p99", "AWS/Lambda", "Duration", dims, r.latency.p99_ms,
                          "5xx-throttle", f"{name}'s p99 duration exceeds the latency budget ({r.latency.p99_ms} ms).", stat="p99"))
        reserved = fn.values.get("reserved_concurrent_executions")
        if isinstance(reserved, int) and reserved > 0:
            out.append(_alarm(ctx, fn.address, name, "concurrency", "AWS/Lambda", "ConcurrentExecutions", dims,
                              math.floor(reserved * 0.8), "5xx-throttle",
                              f"{name} uses more than 80% of its reserved concurrency ({reserved}).", stat="Maximum"))
    dlqs = {q.address for q in stack.dead_letter_queues(ctx.settings.sqs.dlq_name_suffixes)}
    for q in stack.queues():
        name, dims = q.label, {"QueueName": q.label}
        if q.address in dlqs:
            out.append(_alarm(ctx, q.address, name, "depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, 0,
                              "sqs-dlq", f"Failed messages are waiting in the dead-letter queue {name}.", stat="Maximum", periods=1))
        else:
            out.append(_alarm(ctx, q.address, name, "queue-age", "AWS/SQS", "ApproximateAgeOfOldestMessage", dims,
                              r.rpo_minutes * 60, "sqs-dlq",
                              f"A message has waited in {name} longer than the RPO ({r.rpo_minutes} min).", stat="Maximum"))
    for api in stack.apis():
        rest = api.type == "aws_api_gateway_rest_api"
        name = api.label
        dims = {"ApiName": name} if rest else {"ApiId": api.values.get("id") or name}
        out.append(_alarm(ctx, api.address, name, "api-5xx", "AWS/ApiGateway", "5XXError" if rest else "5xx", dims, budget,
                          "5xx-throttle", f"More than {100 - r.availability_slo_percent:.3g}% of {name}'s requests fail "
                          f"with 5XX (the SLO is {r.availability_slo_percent}%).", stat="Average"))
        out.append(_alarm(ctx, api.address, name, "api-latency-p99", "AWS/ApiGateway", "Latency", dims, r.latency.p99_ms,
                          "5xx-throttle", f"{name}'s p99 latency exceeds the latency budget ({r.latency.p99_ms} ms).", stat="p99"))
    return out


def _widget(title: str, metrics: list[list[Any]], stat: str, x: int, y: int, region: str) -> dict[str, Any]:
    return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6,
            "properties": {"title": title, "region": region, "view": "timeSeries", "stacked": False, "period": PERIOD,
                           "stat": stat, "metrics": metrics}}


def dashboard(ctx: Context) -> dict[str, Any]:
    """The dashboard body: errors, throttles, duration percentiles, concurrency, DLQ depth, queue
    age, API 5XX and latency for every function, queue and API of the stack."""
    stack, region = ctx.stack, ctx.region
    widgets: list[dict[str, Any]] = []

    def add(title: str, metrics: list[list[Any]], stat: str) -> None:
        n = len(widgets)
        widgets.append(_widget(title, metrics, stat, 12 * (n % 2), 6 * (n // 2), region))

    for fn in stack.functions():
        f = fn.label
        add(f"{f}: errors and throttles", [["AWS/Lambda", "Errors", "FunctionName", f], ["AWS/Lambda", "Throttles", "FunctionName", f]], "Sum")
        add(f"{f}: duration p50 / p90 / p99", [["AWS/Lambda", "Duration", "FunctionName", f, {"stat": p}] for p in ("p50", "p90", "p99")],
            "p99")
        add(f"{f}: concurrency", [["AWS/Lambda", "ConcurrentExecutions", "FunctionName", f]], "Maximum")
    dlqs = {q.address for q in stack.dead_letter_queues(ctx.settings.sqs.dlq_name_suffixes)}
    for q in stack.queues():
        n = q.label
        if q.address in dlqs:
            add(f"{n}: dead-letter depth", [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", n]], "Maximum")
        else:
            add(f"{n}: age of oldest message", [["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", n]], "Maximum")
    for api in stack.apis():
        rest = api.type == "aws_api_gateway_rest_api"
        dim = ["ApiName", api.label] if rest else ["ApiId", api.values.get("id") or api.label]
        add(f"{api.label}: 5XX", [["AWS/ApiGateway", "5XXError" if rest else "5xx", *dim]], "Sum")
        add(f"{api.label}: latency p50 / p99", [["AWS/ApiGateway", "Latency", *dim, {"stat": p}] for p in ("p50", "p99")], "p99")
    return {"widgets": widgets}


def monitoring_json(ctx: Context) -> str:
    doc = {"_generated": f"Written by `prr-policies docs build` from {ctx.stack.path.name} and prr.yaml; deploy with deploy/monitoring.",
           "dashboard_name": ctx.dashboard_name(), "dashboard_body": dashboard(ctx),
           "alarms": [a.request for a in alarms(ctx)]}
    return json.dumps(doc, indent=2) + "\n"
