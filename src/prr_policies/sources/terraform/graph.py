"""The resource graph checkov hands to checks (a rustworkx PyDiGraph of block attribute dicts),
indexed by address: resources and data blocks, and the references between them. No checkov
import: the graph is read through the small rustworkx API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Vertex:
    address: str
    resource_type: str
    conf: dict[str, Any]


@dataclass
class ResourceGraph:
    """Resources by address and the references between them (source -> referenced target)."""

    vertices: dict[str, Vertex] = field(default_factory=dict)
    out_edges: dict[str, set[str]] = field(default_factory=dict)
    in_edges: dict[str, set[str]] = field(default_factory=dict)

    def add(self, vertex: Vertex) -> None:
        self.vertices[vertex.address] = vertex

    def link(self, source: str, target: str) -> None:
        self.out_edges.setdefault(source, set()).add(target)
        self.in_edges.setdefault(target, set()).add(source)

    def referrers(self, address: str, resource_type: str) -> list[Vertex]:
        return sorted((self.vertices[a] for a in self.in_edges.get(address, ()) if self.vertices[a].resource_type == resource_type), key=lambda v: v.address)

    def referenced(self, address: str, resource_type: str) -> list[Vertex]:
        return sorted((self.vertices[a] for a in self.out_edges.get(address, ()) if self.vertices[a].resource_type == resource_type), key=lambda v: v.address)

    def of_type(self, resource_type: str) -> list[Vertex]:
        return sorted((v for v in self.vertices.values() if v.resource_type == resource_type), key=lambda v: v.address)

    @classmethod
    def from_checkov(cls, graph: Any) -> "ResourceGraph":
        out = cls()
        index_to_address: dict[int, str] = {}
        for idx in graph.node_indices():
            node = graph[idx]
            attrs = node[1] if isinstance(node, tuple) else getattr(node, "attributes", None)
            if not isinstance(attrs, dict) or attrs.get("block_type_") not in ("resource", "data"):
                continue
            address, rtype, config = attrs.get("__address__"), attrs.get("resource_type"), attrs.get("config_")
            if not isinstance(address, str) or not isinstance(rtype, str):
                continue
            if attrs.get("block_type_") == "data" and not address.startswith("data."):
                address = f"data.{address}"  # checkov names data blocks without their prefix
            conf: dict[str, Any] = {}
            if isinstance(config, dict):
                by_name = config.get(rtype.removeprefix("data."))
                if isinstance(by_name, dict) and by_name:
                    inner = next(iter(by_name.values()))
                    conf = inner if isinstance(inner, dict) else {}
            out.add(Vertex(address, rtype, conf))
            index_to_address[idx] = address
        for src, dst in graph.edge_list():
            if src in index_to_address and dst in index_to_address:
                out.link(index_to_address[src], index_to_address[dst])
        return out


def _relative_resource(ref: str) -> str | None:
    """``aws_iam_role.r.arn`` -> ``aws_iam_role.r`` (drops the attribute)."""
    m = re.match(r"^((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?)", ref)
    return m.group(1) if m else None


def _points_to(ref: Any, target: Vertex) -> bool:
    if not isinstance(ref, str):
        return False
    rel = _relative_resource(ref)
    return bool(rel) and (target.address == rel or target.address.endswith("." + rel))
