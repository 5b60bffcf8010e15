"""Terraform -> facts for the Region-wide services that watch the functions.

GuardDuty: the AWS provider turns Lambda Protection on with an ``aws_guardduty_detector_feature``
(``name = "LAMBDA_NETWORK_LOGS"``) that points at the detector; the detector itself has no
argument for it. So a detector is judged together with the feature resources found through the
graph (by reference, in any file or module), and a feature resource together with its detector.
Inspector: one ``aws_inspector2_enabler``, judged by its ``resource_types``. A configuration
cannot show that the account lacks a detector or an enabler: the audit and Config read the account.
"""

from __future__ import annotations

from typing import Any

from prr_policies.facts import GuardDutyProtection, InspectorScanning, Unknown
from prr_policies.sources.terraform import plan_reading as pr
from prr_policies.sources.terraform.builders_resilience import _points_at
from prr_policies.sources.terraform.conf import Conf, terraform_builder
from prr_policies.sources.terraform.graph import ResourceGraph, Vertex

DETECTOR, FEATURE = "aws_guardduty_detector", "aws_guardduty_detector_feature"
LAMBDA_FEATURE = "LAMBDA_NETWORK_LOGS"


def _enabled(detector: Conf) -> Any:
    return pr.known(pr.attr(detector, "enable", "boolean"))


def _lambda_status(detector: Vertex, graph: ResourceGraph) -> Any:
    """The status the configuration's feature resources give LAMBDA_NETWORK_LOGS on ``detector``:
    None when none sets it, DISABLED when any disables it (two resources disagreeing flap)."""
    statuses: list[Any] = []
    for v in pr.of_type(graph, FEATURE):
        f = pr.conf_of(v)
        if not _points_at(f, "detector_id", graph, detector):
            continue
        name = pr.known(f.string("name"))
        if isinstance(name, Unknown):
            return Unknown(f"the name of {f.address} is known only after apply")
        if name == LAMBDA_FEATURE:
            statuses.append(pr.known(f.string("status")))
    if not statuses:
        return None
    doubt = next((s for s in statuses if isinstance(s, Unknown)), None)
    known = [s for s in statuses if not isinstance(s, Unknown)]
    if any(s != "ENABLED" for s in known):
        return next(s for s in known if s != "ENABLED")
    return doubt if doubt is not None else "ENABLED"


def _detector(conf: dict[str, Any], graph: ResourceGraph | None) -> GuardDutyProtection:
    c = Conf.of(DETECTOR, conf)
    if graph is None:
        return GuardDutyProtection(c.address, _enabled(c), pr.no_graph("the detector's feature resources"))
    vertex = graph.vertex_of(conf) or Vertex(c.address, DETECTOR, conf)
    return GuardDutyProtection(c.address, _enabled(c), _lambda_status(vertex, graph))


def _feature(conf: dict[str, Any], graph: ResourceGraph | None) -> GuardDutyProtection:
    c = Conf.of(FEATURE, conf)
    name, status = pr.known(c.string("name")), pr.known(c.string("status"))
    if graph is None:
        return GuardDutyProtection(c.address, pr.no_graph("the feature's detector"), status, name)
    detectors = [v for v in (pr.resolve(graph, a) for a, _ in pr.refs_of(c, "detector_id")) if v is not None and v.resource_type == DETECTOR]
    if not detectors:
        given = c.string("detector_id")
        where = given if isinstance(given, str) else "its detector"
        return GuardDutyProtection(c.address, Unknown(f"{where} is not a detector of this configuration"), status, name)
    return GuardDutyProtection(c.address, _enabled(pr.conf_of(detectors[0])), status, name)


@terraform_builder((DETECTOR, FEATURE), GuardDutyProtection)
def guardduty(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> GuardDutyProtection:
    address = conf.get("__address__") if isinstance(conf.get("__address__"), str) else ""
    return _feature(conf, graph) if f".{FEATURE}." in f".{address}" else _detector(conf, graph)


@terraform_builder("aws_inspector2_enabler", InspectorScanning)
def inspector_enabler(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> InspectorScanning:
    c = Conf.of("aws_inspector2_enabler", conf)
    types = c.strings("resource_types")
    if isinstance(types, Unknown):
        return InspectorScanning(c.address, types, types)
    types = pr.known(types)
    if isinstance(types, Unknown):
        return InspectorScanning(c.address, types, types)
    listed = set(types or ())

    def status(t: str) -> str:
        return "ENABLED" if t in listed else "DISABLED"

    return InspectorScanning(c.address, status("LAMBDA"), status("LAMBDA_CODE"))
