"""Terraform -> alarms and what they watch.

An alarm watches a resource through its metric's dimensions: ``FunctionName`` (a function),
``QueueName`` (a queue), ``ApiName`` + ``Stage`` (a REST stage), ``ApiId`` + ``Stage`` (an HTTP
API stage); ``ApiName`` or ``ApiId`` alone (the API's metric over all its stages) watches every stage. A dimension matches by its literal value (checkov renders a reference to another
resource's literal attribute, also across module variables) or by the resource it refers to
(a plan's configuration, module calls followed). The alarms of a scan are indexed once per graph,
so judging N resources stays linear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prr_policies.facts import AlarmWatch, MetricAlarm, Unknown, WatchedResource
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.conf import Conf, terraform_builder, _first, _string_list
from prr_policies.sources.terraform.graph import ResourceGraph, Vertex

SET = "(a resource of this configuration)"


def _actions(c: Conf, key: str) -> Any:
    value = _string_list(c.raw.get(key)) if key in c.raw else None
    if value is None and c.plan and pr.configured(c, key):
        return (SET,) if pr.refs_of(c, key) else Unknown(f"{key} is known only after apply")
    if isinstance(value, tuple):
        if any("${" in v and not pr.references(v) for v in value):
            return Unknown(f"{key} is known only after apply")
        return tuple(SET if pr.references(v) else v for v in value)
    return value


def _number(c: Conf, key: str) -> Any:
    value = pr.known(c.scalar(key))
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return Unknown(f"{key} is not a number ({value!r})")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


@terraform_builder("aws_cloudwatch_metric_alarm", MetricAlarm)
def metric_alarm(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> MetricAlarm:
    c = Conf.of("aws_cloudwatch_metric_alarm", conf)
    enabled = pr.attr(c, "actions_enabled", "boolean")
    return MetricAlarm(c.address, pr.literal(c.string("alarm_name")) or c.string("alarm_name"), pr.known(c.string("namespace")),
                       pr.known(c.string("metric_name")), _number(c, "threshold"), True if enabled is None else enabled,
                       _actions(c, "alarm_actions"))


@dataclass
class _Alarm:
    vertex: Vertex
    conf: Conf
    watch: AlarmWatch
    dimensions: dict[str, Any]  # name -> literal value (or Unknown)
    references: list[str]  # addresses the dimensions refer to


def _dimensions(c: Conf) -> dict[str, Any]:
    raw = c.raw.get("dimensions")
    while isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if not isinstance(raw, dict):
        return {}
    out = {}
    for k, v in raw.items():
        if k.startswith("__") or k in ("start_line", "end_line"):
            continue
        v = _first(v)
        out[k] = pr.literal(v) if isinstance(v, str) else v
    return out


def alarms(graph: ResourceGraph) -> list[_Alarm]:
    """Every metric alarm of the root being scanned, read once."""
    return pr.per_root(graph, "metric-alarms", lambda: _alarms(graph))  # type: ignore[no-any-return]


def _alarms(graph: ResourceGraph) -> list[_Alarm]:
    out = []
    for v in pr.of_type(graph, "aws_cloudwatch_metric_alarm"):
        built = metric_alarm(v.conf, graph)
        c = pr.conf_of(v)
        for facts in (built if isinstance(built, list) else [built]):  # none when Terraform does not create it
            actions = facts.alarm_actions
            has_action: Any = actions if isinstance(actions, Unknown) else bool(actions) and facts.actions_enabled is True
            if isinstance(facts.actions_enabled, Unknown):
                has_action = facts.actions_enabled
            watch = AlarmWatch(facts.name if isinstance(facts.name, str) else v.address, facts.namespace, facts.metric,
                               facts.threshold, has_action)
            refs = [(pr.resolve(graph, a) or Vertex(a, "", {})).address for a, _ in pr.refs_of(c, "dimensions")]
            out.append(_Alarm(v, c, watch, _dimensions(c), refs))
    return out


def watching(graph: ResourceGraph, target: Vertex, dimension: str, names: set[str], also: dict[str, set[str]] | None = None,
             sole: Vertex | None = None) -> tuple:
    """The alarms whose ``dimension`` names ``target`` (by a literal in ``names``, or by reference),
    and whose other dimensions in ``also`` match too. In a plan, a dimension map holding one value
    known only after apply is unknown as a whole: its other dimensions are then taken as matching
    when the alarm refers to ``sole`` (the stage itself) or ``sole`` is the target's only child."""
    found = []
    for a in alarms(graph):
        value = a.dimensions.get(dimension)
        if dimension not in a.dimensions and not (a.references and a.conf.plan):
            continue
        hit = (isinstance(value, str) and value in names) or target.address in a.references
        if not hit:
            continue
        if not a.dimensions and a.conf.plan and also:
            if sole is not None and (sole.address in a.references or sole.address == "(only child)"):
                found.append(a.watch)
            continue
        # A dimension in ``also`` the alarm leaves out widens its metric (API Gateway publishes
        # ApiName/ApiId alone over every stage): that alarm watches each stage too.
        if all(k not in a.dimensions or isinstance(a.dimensions.get(k), str) and a.dimensions.get(k) in v
               for k, v in (also or {}).items()):
            found.append(a.watch)
    return tuple(found)


def _referenced_by(graph: ResourceGraph, rtype: str, key: str) -> frozenset[str]:
    """Addresses the ``key`` attribute of some ``rtype`` resource refers to (indexed once per root:
    every queue asks)."""
    def build() -> frozenset[str]:
        out = set()
        for v in pr.of_type(graph, rtype):
            for a, _ in pr.refs_of(pr.conf_of(v), key):
                t = pr.resolve(graph, a)
                if t is not None:
                    out.add(t.address)
        return frozenset(out)

    return pr.per_root(graph, f"referenced-by {rtype}.{key}", build)  # type: ignore[no-any-return]


def _referrers_by(graph: ResourceGraph, target: Vertex, types_keys: dict[str, tuple[str, ...]]) -> bool:
    return any(target.address in _referenced_by(graph, rtype, key) for rtype, keys in types_keys.items() for key in keys)


def _source_arns(graph: ResourceGraph) -> tuple[str, ...]:
    """The literal ``event_source_arn`` values of the root's event source mappings."""
    return pr.per_root(graph, "event-source-arns", lambda: tuple(  # type: ignore[no-any-return]
        s for v in pr.of_type(graph, "aws_lambda_event_source_mapping")
        if isinstance(s := pr.conf_of(v).string("event_source_arn"), str)))


# Attributes through which a queue is another resource's dead-letter queue.
_DLQ_REFERRERS = {"aws_sqs_queue": ("redrive_policy",), "aws_lambda_function": ("dead_letter_config",),
                  "aws_lambda_function_event_invoke_config": ("destination_config",),
                  "aws_cloudwatch_event_target": ("dead_letter_config",), "aws_sns_topic_subscription": ("redrive_policy",),
                  "aws_lambda_event_source_mapping": ("destination_config",)}


def _deployment_group_alarms(graph: ResourceGraph, function_name: str | None, settings: Any) -> Any:
    if not function_name or settings is None:
        return None
    wanted = settings.release.deployment_group_name.format(function=function_name)
    for v in pr.of_type(graph, "aws_codedeploy_deployment_group"):
        c = pr.conf_of(v)
        if c.string("deployment_group_name") != wanted:
            continue
        names: list[Any] = []
        referenced = [t for t in (pr.resolve(graph, a) for a, _ in pr.refs_of(c, "alarm_configuration"))
                      if t is not None and t.resource_type == "aws_cloudwatch_metric_alarm"]
        names += [pr.literal(pr.conf_of(t).string("alarm_name")) for t in referenced]
        if c.plan:
            try:
                listed = pr.in_plan(c, "alarm_configuration", "alarms")
            except LookupError:
                return Unknown("the plan file could not be read")
            if isinstance(listed, Unknown) and not referenced:
                return Unknown("the deployment group's alarms are known only after apply")
            names += [x for x in (listed if isinstance(listed, list) else []) if isinstance(x, str)]
        else:
            config = pr.block(c, "alarm_configuration")
            listed = _string_list(config.get("alarms")) if isinstance(config, dict) else None
            if isinstance(listed, Unknown):
                return listed
            for name in listed or ():
                if pr.references(name):
                    continue  # found above, through the graph
                if "${" in name:
                    return Unknown(f"the alarm {name} is known only after apply")
                names.append(name)
        return tuple(dict.fromkeys(n for n in names if isinstance(n, str)))
    return None


def watched_function(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> WatchedResource:
    c = Conf.of("aws_lambda_function", conf)
    if graph is None:
        return WatchedResource(c.address, "function", pr.no_graph("the function's alarms"))
    name = pr.literal(c.string("function_name"))
    watches: Any = watching(graph, pr.own_vertex(graph, c), "FunctionName", {name} if name else set())
    if name is None and not watches:
        watches = Unknown("the function name is known only after apply, so its alarms cannot be matched")
    return WatchedResource(c.address, "function", watches, deployment_group_alarms=_deployment_group_alarms(graph, name, settings))


def _sets(c: Conf, key: str) -> bool:
    """Whether the configuration gives ``key`` a value (a plan lists unset attributes as null; a set
    value known only after apply is missing from the plan's values but in its configuration)."""
    value = c.raw.get(key)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value not in (None, "", []):
        return True
    return bool(c.plan) and pr.configured(c, key) is True


def watched_queue(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> list[WatchedResource]:
    c = Conf.of("aws_sqs_queue", conf)
    if graph is None:
        return [WatchedResource(c.address, "dlq", pr.no_graph("the queue's alarms"))]
    me = pr.own_vertex(graph, c)
    name = pr.literal(c.string("name"))
    suffixes = tuple(settings.sqs.dlq_name_suffixes) if settings is not None else ()
    is_dlq = bool(name and name.endswith(suffixes)) or _sets(c, "redrive_allow_policy") or _referrers_by(graph, me, _DLQ_REFERRERS)
    is_source = _referrers_by(graph, me, {"aws_lambda_event_source_mapping": ("event_source_arn",)}) or bool(name) and any(
        s.endswith(f":{name}") for s in _source_arns(graph))
    watches: Any = watching(graph, me, "QueueName", {name} if name else set())
    if name is None and not watches:
        watches = Unknown("the queue name is known only after apply, so its alarms cannot be matched")
    return [WatchedResource(c.address, role, watches) for role, on in (("dlq", is_dlq), ("event_source_queue", is_source)) if on]


def watched_stage(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> WatchedResource:
    address = conf.get("__address__") if isinstance(conf.get("__address__"), str) else ""
    v2 = ".aws_apigatewayv2_stage." in f".{address}"
    c = Conf.of("aws_apigatewayv2_stage" if v2 else "aws_api_gateway_stage", conf)
    kind = "V2" if v2 else "REST"
    if graph is None:
        return WatchedResource(c.address, "api_stage", pr.no_graph("the stage's alarms"), kind)
    stage = pr.literal(c.string("name" if v2 else "stage_name"))
    api_key = "api_id" if v2 else "rest_api_id"
    api = next((t for t in (pr.resolve(graph, a) for a, _ in pr.refs_of(c, api_key)) if t is not None), None)
    if stage is None:
        return WatchedResource(c.address, "api_stage", Unknown("the stage name is known only after apply, so its alarms cannot be matched"), kind)
    me = pr.own_vertex(graph, c)
    siblings = [v for v in pr.of_type(graph, c.resource_type) if api is not None and any(
        pr.resolve(graph, a) is api for a, _ in pr.refs_of(pr.conf_of(v), api_key))]
    sole = Vertex("(only child)", "", {}) if len(siblings) == 1 else me
    if v2:
        ids = {x for x in (c.string(api_key),) if isinstance(x, str) and not pr.references(x)}
        watches = watching(graph, api if api is not None else me, "ApiId", ids, {"Stage": {stage}}, sole)
    else:
        api_name = pr.literal(pr.conf_of(api).string("name")) if api is not None else None
        if api_name is None:
            return WatchedResource(c.address, "api_stage", Unknown("the REST API's name is not in the scanned configuration"), kind)
        watches = watching(graph, api, "ApiName", {api_name}, {"Stage": {stage}}, sole)
    return WatchedResource(c.address, "api_stage", watches, kind)


@terraform_builder(("aws_lambda_function", "aws_sqs_queue", "aws_api_gateway_stage", "aws_apigatewayv2_stage"), WatchedResource)
def watched(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Any:
    """The registry's builder: the role depends on the Terraform type."""
    address = conf.get("__address__") if isinstance(conf.get("__address__"), str) else ""
    rtype = address[len(pr.module_of(address)):].split(".")[0]
    if rtype == "aws_lambda_function":
        return watched_function(conf, graph, settings)
    if rtype == "aws_sqs_queue":
        return watched_queue(conf, graph, settings)
    return watched_stage(conf, graph, settings)
