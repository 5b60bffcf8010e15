"""Terraform -> facts for data that must survive: S3 buckets (versioning, and the Lambda
permissions behind their notifications) and DynamoDB tables (point-in-time recovery, AWS Backup
selections, replicas). The partners (aws_s3_bucket_versioning, aws_s3_bucket_notification,
aws_lambda_permission, aws_backup_selection) are found through the graph, in any file or module."""

from __future__ import annotations

from typing import Any

from prr_policies.facts import Bucket, NotifiedFunction, Table, Unknown
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.conf import Conf, terraform_builder, _field, _string_list
from prr_policies.sources.terraform.graph import ResourceGraph, Vertex

SET = "(a resource of this configuration)"  # another resource's attribute: set, known at apply


def _points_at(partner: Conf, key: str, graph: ResourceGraph, target: Vertex) -> bool:
    """Whether ``partner``'s ``key`` refers to ``target`` (in the same root: one scan may hold several)."""
    return any((v := pr.resolve(graph, a)) is not None and v.address == target.address and (not target.root or v.root == target.root)
               for a, _ in pr.refs_of(partner, key))


def _value(c: Conf, key: str) -> Any:
    """A string attribute; a reference to another resource (HCL text, or unknown in a plan with a
    reference in the configuration) counts as set."""
    value = c.string(key)
    if isinstance(value, str) and pr.references(value):
        return SET
    if isinstance(value, Unknown) and pr.refs_of(c, key):
        return SET
    return value


def _versioning(c: Conf, bucket: Vertex, graph: ResourceGraph) -> Any:
    for v in pr.of_type(graph, "aws_s3_bucket_versioning"):
        partner = pr.conf_of(v)
        if _points_at(partner, "bucket", graph, bucket):
            if partner.plan:
                try:
                    return pr.known(pr.in_plan(partner, "versioning_configuration", "status"))
                except LookupError:
                    return Unknown("the plan file could not be read")
            return pr.known(_field(partner.block("versioning_configuration"), "status"))
    inline = pr.block(c, "versioning")  # the provider's deprecated inline block
    if isinstance(inline, Unknown):
        return None if c.plan else inline
    enabled = _field(inline, "enabled") if inline else None
    return "Enabled" if enabled in (True, "true") else None


def _function_of(value: str, within: str, graph: ResourceGraph) -> Vertex | None:
    refs = pr.references(value, within)
    return pr.resolve(graph, refs[0][0]) if refs else None


def _notified(c: Conf, bucket: Vertex, graph: ResourceGraph) -> Any:
    functions: list[tuple[str, Vertex | None, str | None]] = []  # (label, vertex, literal ARN)
    for v in pr.of_type(graph, "aws_s3_bucket_notification"):
        n = pr.conf_of(v)
        if not _points_at(n, "bucket", graph, bucket):
            continue
        within = pr.module_of(n.address)
        if n.plan:
            targets = [t for t in (pr.resolve(graph, a) for a, _ in pr.refs_of(n, "lambda_function"))
                       if t is not None and t.resource_type in ("aws_lambda_function", "aws_lambda_alias")]
            functions += [(t.address, t, None) for t in targets]
            after = (pr.planned(n) or ({}, {}, {}))[0]
            blocks = [b for b in after.get("lambda_function") or [] if isinstance(b, dict)]
            literals = [b["lambda_function_arn"] for b in blocks if isinstance(b.get("lambda_function_arn"), str)]
            functions += [(arn, None, arn) for arn in literals]
            if len(blocks) > len(literals) + len(targets):
                return Unknown("a notified function's ARN is known only after apply")
            continue
        for block in n.raw.get("lambda_function") or []:
            arn = _field(block, "lambda_function_arn") if isinstance(block, dict) else None
            if isinstance(arn, Unknown):
                return arn
            if isinstance(arn, str) and "${" in arn:
                return Unknown(f"the notified function {arn} is known only after apply")
            if not isinstance(arn, str):
                continue
            target = _function_of(arn, within, graph)
            functions.append((target.address if target else arn, target, None if target else arn))
    if not functions:
        return ()
    unique = {label: (label, target, literal) for label, target, literal in functions}.values()
    return tuple(_permission(label, target, literal, bucket, graph) for label, target, literal in unique)


def _permission(label: str, function: Vertex | None, literal: str | None, bucket: Vertex, graph: ResourceGraph) -> NotifiedFunction:
    """The aws_lambda_permission that lets s3.amazonaws.com invoke ``function``."""
    name = pr.literal(pr.conf_of(function).string("function_name")) if function is not None else None
    found: NotifiedFunction | None = None
    for v in pr.of_type(graph, "aws_lambda_permission"):
        p = pr.conf_of(v)
        if p.string("principal") != "s3.amazonaws.com":
            continue
        fn_value = p.string("function_name")
        same = (function is not None and _points_at(p, "function_name", graph, function)) or \
            (isinstance(fn_value, str) and fn_value in {x for x in (name, literal, (literal or "").rsplit(":", 1)[-1]) if x})
        if not same:
            continue
        source_arn = _value(p, "source_arn")
        if isinstance(source_arn, str) and source_arn != SET and not source_arn.endswith(f":::{pr.literal(pr.conf_of(bucket).string('bucket'))}"):
            continue  # a grant for another bucket
        if source_arn == SET and not _points_at(p, "source_arn", graph, bucket):
            continue
        candidate = NotifiedFunction(label, True, source_arn, _value(p, "source_account"))
        if found is None or candidate.source_account and not found.source_account:
            found = candidate
    return found or NotifiedFunction(label, False)


@terraform_builder("aws_s3_bucket", Bucket)
def bucket(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Bucket:
    c = Conf.of("aws_s3_bucket", conf)
    if graph is None:
        why = pr.no_graph("the bucket's versioning and notifications")
        return Bucket(c.address, c.string("bucket"), why, why)
    vertex = pr.own_vertex(graph, c)
    return Bucket(c.address, c.string("bucket"), _versioning(c, vertex, graph), _notified(c, vertex, graph))


def _tags(c: Conf) -> dict | Unknown:
    """The resource's tags; a value known only after apply is Unknown (a whole map, in a plan)."""
    if c.plan:
        got = pr.planned(c)
        if got is None:
            return Unknown("the plan file could not be read")
        after, unknown, _ = got
        if unknown.get("tags") is True:
            return Unknown("the tags are known only after apply")
        flags = unknown.get("tags") or {}
        return {k: Unknown(f"tag {k} is known only after apply") if flags.get(k) else v for k, v in (after.get("tags") or {}).items()} | \
            {k: Unknown(f"tag {k} is known only after apply") for k, f in flags.items() if f is True}
    tags = c.raw.get("tags")
    while isinstance(tags, list) and len(tags) == 1:
        tags = tags[0]
    if isinstance(tags, str):
        return Unknown(f"the tags are {tags}")
    if not isinstance(tags, dict):
        return {}
    return {k: Unknown(f"tag {k} is {v}") if isinstance(v, str) and (pr.references(v) or "${" in v) else v for k, v in tags.items()}


def _backup_selected(c: Conf, table: Vertex, graph: ResourceGraph) -> Any:
    name = pr.literal(c.string("name"))
    tags = _tags(c)
    unsure: Unknown | None = None
    for v in pr.of_type(graph, "aws_backup_selection"):
        s = pr.conf_of(v)
        if _points_at(s, "resources", graph, table):
            return True
        resources = _string_list(s.raw.get("resources"))
        if s.plan:
            got = pr.planned(s)
            resources = tuple(r for r in (got[0].get("resources") or []) if isinstance(r, str)) if got else resources
            flags = got[1].get("resources") if got else None
            if (flags is True or isinstance(flags, list) and True in flags) and not pr.refs_of(s, "resources"):
                unsure = Unknown(f"the resources of {s.address} are known only after apply")
        elif isinstance(resources, tuple) and any("${" in r for r in resources):
            unsure = Unknown(f"the resources of {s.address} are known only after apply")
        if isinstance(resources, tuple) and (any(r in ("*", "arn:aws:dynamodb:*:*:table/*") for r in resources)
                                             or name and any(r.endswith(f":table/{name}") for r in resources)):
            return True
        for tag in s.raw.get("selection_tag") or []:
            key, value = _field(tag, "key"), _field(tag, "value")
            if not isinstance(key, str):
                continue
            mine = tags if isinstance(tags, Unknown) else tags.get(key)
            if isinstance(mine, Unknown):
                unsure = mine
            elif mine == value:
                return True
    return unsure if unsure is not None else False


@terraform_builder("aws_dynamodb_table", Table)
def table(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Table:
    c = Conf.of("aws_dynamodb_table", conf)
    pitr = pr.block(c, "point_in_time_recovery")
    enabled = pitr if isinstance(pitr, Unknown) else pr.known(_field(pitr, "enabled", c.plan)) if pitr else None
    if isinstance(enabled, str):
        enabled = enabled == "true"
    replicas: Any = None
    raw = c.raw.get("replica")
    if c.plan:
        got = pr.planned(c)
        raw = got[0].get("replica") if got is not None else Unknown("the plan file could not be read")
    if isinstance(raw, Unknown):
        replicas = raw
    elif raw:
        regions = [_field(r, "region_name") if isinstance(r, dict) else None for r in raw]
        replicas = next((r for r in regions if isinstance(r, Unknown)), None) or tuple(r for r in regions if isinstance(r, str))
    backup: Any = pr.no_graph("AWS Backup selections") if graph is None else \
        _backup_selected(c, pr.own_vertex(graph, c), graph)
    return Table(c.address, c.string("name"), enabled, backup, replicas)
