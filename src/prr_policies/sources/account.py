"""One region of a live account, read through boto3 into facts for every control.

The periodic Config rules and ``prr-policies audit`` both use :class:`Account`. It takes a
``client(service)`` factory (no boto3 import here), calls only the read APIs in
``AUDIT_PERMISSIONS``, and turns a refused call into ``Unknown`` naming the IAM permission it
needed (``lambda:GetFunctionCodeSigningConfig was refused (AccessDeniedException)``), so the
rule reports UNKNOWN instead of the run crashing. Facts come from the same builders the Config
item adapter uses (:mod:`prr_policies.sources.aws_shapes`).
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Collection

from prr_policies.facts import (
    EventSourceMapping, FunctionLogGroup, FunctionRelease, FunctionUrl, IamRole, LambdaFunction, LambdaPermission, Unknown,
    unknown_facts,
)
from prr_policies.sources import aws_shapes as shapes
from prr_policies.sources import kinds, live
from prr_policies.sources.aws_api import Api, dig


def _source_kind(arn: str | None) -> str | None:
    if not arn:
        return None
    service = arn.split(":")[2] if arn.count(":") >= 5 else ""
    return {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "kafka": "kafka", "mq": "mq", "rds": "docdb"}.get(service, service or None)


@dataclass
class Snapshot:
    """Facts per facts type, each with the Config resource type and id to report against."""

    facts: dict[type, list[tuple[str, str, Any]]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    calls: set = field(default_factory=set)

    def add(self, facts_type: type, resource_type: str, resource_id: str, facts: Any) -> None:
        self.facts.setdefault(facts_type, []).append((resource_type, resource_id, facts))

    def refused_listing(self, facts_type: type, why: Unknown) -> None:
        """One all-Unknown row for a kind whose listing could not be read, so no control goes silent."""
        k = kinds.kind(facts_type)
        self.add(facts_type, k.report_types[0], k.placeholder, unknown_facts(facts_type, k.placeholder, why))


# Kinds read function by function (everything per function but the mappings, which are listed once).
_PER_FUNCTION_FACTS = frozenset(k.facts for k in kinds.KINDS if k.scope == "function") - {EventSourceMapping}


class Account:
    def __init__(self, client: Callable[[str], Any], *, functions: list[str] | None = None, jobs: int = 8,
                 dlq_suffixes: tuple[str, ...] = (), deployment_group_name: str = "{function}",
                 progress: Callable[[str, int, int], None] | None = None):
        self.api = Api(client)
        self.only = set(functions or [])
        self.jobs = max(1, jobs)
        self.dlq_suffixes = dlq_suffixes
        self.group_name = deployment_group_name
        self.progress = progress or (lambda _what, _done, _total: None)
        self._groups: list | Unknown | None = None
        self._queues: dict[str, dict | Unknown] = {}

    # -- whole-account listings --------------------------------------------------------------

    def _functions(self) -> list[dict] | Unknown:
        fns = self.api.pages("lambda", "list_functions", "Functions")
        if isinstance(fns, Unknown) or not self.only:
            return fns
        return [f for f in fns if f.get("FunctionName") in self.only or f.get("FunctionArn") in self.only]

    def collect(self, facts_types: Collection[type] | None = None) -> Snapshot:
        """Facts of every type, or only of ``facts_types`` (a periodic rule asks for its own): the
        calls the other types need are not made. A listing that is refused or fails gives one
        all-Unknown placeholder (its id starts with ``<``) per type it would have produced, so
        nothing is silently left out."""
        want = frozenset(k.facts for k in kinds.KINDS) if facts_types is None else frozenset(facts_types)
        self._groups, self._queues = None, {}
        snap = Snapshot()
        per_function = {k.facts for k in kinds.KINDS if k.scope == "function"}
        if want & per_function:
            fns = self._functions()
            if isinstance(fns, Unknown):
                for t in sorted(want & per_function - {EventSourceMapping}, key=lambda t: t.__name__):
                    snap.refused_listing(t, fns)
                fns = []
            self._functions_and_relations(fns, snap, want)
        if not self.only:  # with --function, only what hangs off those functions
            for k in kinds.KINDS:
                if k.scope == "account" and k.facts in want:
                    rows = k.reader(self)
                    if isinstance(rows, Unknown):
                        snap.refused_listing(k.facts, rows)
                        continue
                    for row in rows:
                        snap.add(k.facts, *row)
        snap.refused = dict(self.api.refused)
        snap.failed = dict(self.api.failed)
        snap.calls = set(self.api.calls)
        return snap

    def _functions_and_relations(self, fns: list[dict], snap: Snapshot, want: frozenset[type]) -> None:
        role_usage: dict[str, int] = {}
        for f in fns:
            role_usage[f.get("Role", "")] = role_usage.get(f.get("Role", ""), 0) + 1
        esms = self.api.pages("lambda", "list_event_source_mappings", "EventSourceMappings") \
            if want & {EventSourceMapping, FunctionRelease} else []
        log_groups = self.api.pages("logs", "describe_log_groups", "logGroups", logGroupNamePrefix="/aws/lambda/") \
            if FunctionLogGroup in want else []
        if FunctionLogGroup in want and not isinstance(log_groups, Unknown):
            log_groups = log_groups + self._custom_log_groups(fns)
        groups = self.deployment_groups() if fns and FunctionRelease in want else []
        by_name = {f["FunctionName"]: f for f in fns if "FunctionName" in f}
        done = [0]
        lock = threading.Lock()

        def one(f: dict) -> list[tuple[type, str, str, Any]]:
            out = self._function(f, want, role_usage, esms, log_groups, groups, by_name)
            with lock:
                done[0] += 1
                self.progress("functions", done[0], len(fns))
            return out

        if want & _PER_FUNCTION_FACTS:
            with ThreadPoolExecutor(max_workers=self.jobs) as pool:
                for rows in pool.map(one, fns):
                    for row in rows:
                        snap.add(*row)
        if EventSourceMapping not in want:
            return
        if isinstance(esms, Unknown):
            snap.refused_listing(EventSourceMapping, esms)
            return
        queue_attrs: dict[str, Any] = {}
        for arn in {m.get("EventSourceArn") or "" for m in esms}:
            if arn.startswith("arn:aws:sqs:"):
                parts = arn.split(":")
                queue_attrs[arn] = self.queue_attributes(f"https://sqs.{parts[3]}.amazonaws.com/{parts[4]}/{parts[5]}")
        timeouts = {f.get("FunctionArn"): f.get("Timeout") for f in fns}
        for m in esms:
            fn_arn = _unqualified(m.get("FunctionArn"))
            if self.only and fn_arn not in timeouts:
                continue
            snap.add(EventSourceMapping, "AWS::Lambda::EventSourceMapping", m.get("UUID", "<mapping>"),
                     self._esm(m, timeouts, queue_attrs))

    def queue_attributes(self, url: str) -> dict | Unknown:
        """A queue's attributes, read once per collect (a mapping's queue and the queue controls share them)."""
        if url not in self._queues:
            got = self.api.call("sqs", "get_queue_attributes", QueueUrl=url, AttributeNames=["All"])
            self._queues[url] = got if isinstance(got, Unknown) else (got or {}).get("Attributes", {})
        return self._queues[url]

    def _esm(self, m: dict, timeouts: dict, queue_attrs: dict) -> EventSourceMapping:
        src = m.get("EventSourceArn")
        kind = _source_kind(src)
        fn_arn = _unqualified(m.get("FunctionArn"))
        vis: Any = None
        if kind == "sqs":
            attrs = queue_attrs.get(src)
            vis = attrs if isinstance(attrs, Unknown) else shapes.View(attrs or {}, "GetQueueAttributes").integer("VisibilityTimeout")
        timeout = timeouts.get(fn_arn, Unknown(f"the function {fn_arn} is outside the audited set"))
        return EventSourceMapping(
            address=m.get("EventSourceMappingArn") or m.get("UUID", "<mapping>"), function=fn_arn, source_arn=src, source_kind=kind,
            function_response_types=tuple(m.get("FunctionResponseTypes") or ()),
            maximum_retry_attempts=m.get("MaximumRetryAttempts"), maximum_record_age_seconds=m.get("MaximumRecordAgeInSeconds"),
            on_failure_destination=dig(m, "DestinationConfig", "OnFailure", "Destination"),
            queue_visibility_timeout=vis, function_timeout=timeout)

    def _custom_log_groups(self, fns: list[dict]) -> list[dict]:
        """The log groups functions name in LoggingConfig outside /aws/lambda/ (the listing above
        misses them), each read by its own prefix; one that cannot be read is carried as an entry
        whose ``unreadable`` says why, so that function's verdict is UNKNOWN, not "no log group"."""
        out: list[dict] = []
        for name in sorted({g for f in fns if isinstance(g := dig(f, "LoggingConfig", "LogGroup"), str)
                            and not g.startswith("/aws/lambda/")}):
            got = self.api.pages("logs", "describe_log_groups", "logGroups", logGroupNamePrefix=name)
            if isinstance(got, Unknown):
                out.append({"logGroupName": name, "unreadable": got})
            else:
                out += [g for g in got if g.get("logGroupName") == name]
        return out

    def _function(self, f: dict, want: frozenset[type], role_usage: dict, esms: Any, log_groups: Any, groups: Any,
                  by_name: dict) -> list:
        name, arn = f["FunctionName"], f["FunctionArn"]
        rows: list[tuple[type, str, str, Any]] = []
        if want & {LambdaFunction, IamRole}:
            facts, role = live.read_function(self.api, name, listed=f, role_usage=role_usage)
            role_arn = f.get("Role") or ""
            rows.append((LambdaFunction, "AWS::Lambda::Function", name, facts))
            if isinstance(role, dict):
                r = role.get("Role", {})
                trust = shapes.trust_services(r.get("AssumeRolePolicyDocument") or {}, "iam:GetRole", "AssumeRolePolicyDocument")
                boundary = dig(r, "PermissionsBoundary", "PermissionsBoundaryArn")
                rows.append((IamRole, "AWS::IAM::Role", r.get("RoleName", role_arn), IamRole(r.get("Arn", role_arn), trust, boundary)))
            elif isinstance(role, Unknown):
                rows.append((IamRole, "AWS::IAM::Role", role_arn.rsplit("/", 1)[-1], unknown_facts(IamRole, role_arn, role)))
        grants: Any = 0
        if want & {LambdaPermission, FunctionRelease}:
            # resource policy -> permissions, and whether anything may invoke the function
            policy = self.api.call("lambda", "get_policy", FunctionName=name)
            if isinstance(policy, Unknown):
                grants = policy
                rows.append((LambdaPermission, "AWS::Lambda::Function", name, unknown_facts(LambdaPermission, f"{arn}#<policy>", policy)))
            elif isinstance(policy, dict):
                stmts = json.loads(policy.get("Policy") or "{}").get("Statement", [])
                grants = len(stmts)
                for i, st in enumerate(stmts):
                    rows.append((LambdaPermission, "AWS::Lambda::Function", name, _permission(st, f"{arn}#{st.get('Sid', i)}")))
        aliases: Any = []
        urls: Any = []
        if want & {FunctionUrl, FunctionRelease}:
            aliases = self.api.pages("lambda", "list_aliases", "Aliases", FunctionName=name)
            # A URL belongs to the function ($LATEST) or to one of its aliases.
            for qualifier in [None] + ([] if isinstance(aliases, Unknown) else [a["Name"] for a in aliases]):
                got = self.api.call("lambda", "get_function_url_config", FunctionName=name, **({"Qualifier": qualifier} if qualifier else {}))
                if isinstance(got, Unknown):
                    urls = got
                    break
                if got:
                    urls.append(got)
            if isinstance(urls, Unknown):
                rows.append((FunctionUrl, "AWS::Lambda::Function", name, FunctionUrl(arn, urls)))
            else:
                for u in urls:
                    rows.append((FunctionUrl, "AWS::Lambda::Function", name, FunctionUrl(u.get("FunctionArn", arn), u.get("AuthType"))))
        if FunctionLogGroup in want:
            rows.append((FunctionLogGroup, "AWS::Lambda::Function", name, _log_group(f, log_groups, by_name)))
        if FunctionRelease in want:
            rows.append((FunctionRelease, "AWS::Lambda::Function", name, self._release(name, arn, esms, grants, urls, aliases, groups)))
        return [row for row in rows if row[0] in want]

    def _release(self, name: str, arn: str, esms: Any, grants: Any, urls: Any, aliases: Any, groups: Any) -> FunctionRelease:
        mine = esms if isinstance(esms, Unknown) else [m for m in esms if m.get("FunctionArn") == arn
                                                       or str(m.get("FunctionArn", "")).startswith(arn + ":")]
        # Serving traffic: any known trigger says yes; otherwise an unreadable one leaves it unknown.
        signals = (mine, grants, urls)
        if any(not isinstance(x, Unknown) and x for x in signals):
            serving: Any = True
        else:
            serving = next((x for x in signals if isinstance(x, Unknown)), False)
        pcs = self.api.pages("lambda", "list_provisioned_concurrency_configs", "ProvisionedConcurrencyConfigs", FunctionName=name)
        return FunctionRelease(
            address=arn, serving_traffic=serving,
            aliases=aliases if isinstance(aliases, Unknown) else tuple(a["Name"] for a in aliases),
            provisioned_concurrency_qualifiers=pcs if isinstance(pcs, Unknown) else tuple(p.get("FunctionArn", "").rsplit(":", 1)[-1] for p in pcs),
            deployment_group=self._group_for(name, groups))

    def _group_for(self, function: str, groups: Any) -> Any:
        if isinstance(groups, Unknown):
            return groups
        wanted = self.group_name.format(function=function)
        for app, g, facts in groups:
            if g.get("deploymentGroupName") == wanted:
                return facts
        return None

    def deployment_groups(self) -> list | Unknown:
        """(application, group, facts) for every group; read once per collect (the release path
        and the deployment-group control both use them)."""
        if self._groups is None:
            self._groups = self._read_deployment_groups()
        return self._groups

    def _read_deployment_groups(self) -> list | Unknown:
        apps = self.api.pages("codedeploy", "list_applications", "applications")
        if isinstance(apps, Unknown):
            return apps
        out = []
        platforms: dict[str, str] = {}
        for i in range(0, len(apps), 100):
            got = self.api.call("codedeploy", "batch_get_applications", applicationNames=apps[i:i + 100])
            if isinstance(got, dict):
                for a in got.get("applicationsInfo", []):
                    platforms[a["applicationName"]] = a.get("computePlatform")
        configs: dict[str, Any] = {}
        for app in apps:
            names = self.api.pages("codedeploy", "list_deployment_groups", "deploymentGroups", applicationName=app)
            if isinstance(names, Unknown):
                return names
            for group_name in names:
                got = self.api.call("codedeploy", "get_deployment_group", applicationName=app, deploymentGroupName=group_name)
                if isinstance(got, Unknown):
                    return got
                for g in [(got or {}).get("deploymentGroupInfo")] if got else []:
                    cfg_name = g.get("deploymentConfigName")
                    kind = shapes.deployment_config_type(cfg_name)
                    if isinstance(kind, Unknown) and cfg_name:
                        if cfg_name not in configs:
                            dc = self.api.call("codedeploy", "get_deployment_config", deploymentConfigName=cfg_name)
                            configs[cfg_name] = live.custom_deployment_config_type(dc, cfg_name)
                        kind = configs[cfg_name]
                    view = shapes.View(g, "GetDeploymentGroup")
                    facts = shapes.deployment_group(view, f"{app}/{g.get('deploymentGroupName')}", kind, platforms.get(app))
                    out.append((app, g, facts))
        return out

    @property
    def region(self) -> str:
        try:
            return self.api.client("lambda").meta.region_name
        except Exception:  # noqa: BLE001
            return "<region>"


def _unqualified(arn: Any) -> Any:
    """A function ARN without its version or alias qualifier."""
    return ":".join(arn.split(":")[:7]) if isinstance(arn, str) and arn.count(":") >= 7 else arn


def _permission(statement: dict, address: str) -> LambdaPermission:
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        principal = principal.get("Service") or principal.get("AWS")
    cond = statement.get("Condition") or {}
    source_arn = source_account = org = None
    for op in cond.values():
        if not isinstance(op, dict):
            continue
        for key, value in op.items():
            k = key.lower()
            value = value[0] if isinstance(value, list) and value else value
            if k == "aws:sourcearn":
                source_arn = value
            elif k == "aws:sourceaccount":
                source_account = value
            elif k == "aws:principalorgid":
                org = value
    return LambdaPermission(address=address, principal=principal if isinstance(principal, str) else None,
                            action=statement.get("Action") if isinstance(statement.get("Action"), str) else None,
                            source_arn=source_arn, source_account=source_account, principal_org_id=org)


def _log_group(f: dict, log_groups: Any, by_name: dict) -> FunctionLogGroup:
    name, arn = f["FunctionName"], f["FunctionArn"]
    group = dig(f, "LoggingConfig", "LogGroup") or f"/aws/lambda/{name}"
    if isinstance(log_groups, Unknown):
        return FunctionLogGroup(arn, log_groups)
    found = next((g for g in log_groups if g.get("logGroupName") == group), None)
    if found is not None and isinstance(found.get("unreadable"), Unknown):
        return FunctionLogGroup(arn, found["unreadable"])
    shared = tuple(n for n, other in by_name.items() if n != name and (dig(other, "LoggingConfig", "LogGroup") or f"/aws/lambda/{n}") == group)
    if found is None:
        return FunctionLogGroup(arn, None)
    return FunctionLogGroup(arn, group, found.get("retentionInDays"), found.get("kmsKeyId"), shared)
