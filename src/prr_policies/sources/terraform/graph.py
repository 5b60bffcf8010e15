"""The resource graph checkov hands to checks (a rustworkx PyDiGraph of block attribute dicts),
indexed by address: resources and data blocks, where each is defined (file, module calls), and
the references between them. No checkov import: the graph is read through the small rustworkx
API and the attributes of checkov's vertices.

References are resolved by address, not by checkov's edges alone: with two instances of one local
module, checkov may wire a reference to the other instance's resource. :meth:`ResourceGraph.resolve`
looks a reference up in the referring resource's own module first (with its instance key, or
without one where checkov dropped it), then in the modules above it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

_INDEX = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]$')
_MODULE_STEP = re.compile(r'module\.[A-Za-z_][\w-]*(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.')
_MODULE_PREFIX = re.compile(r'^((?:module\.[A-Za-z_][\w-]*(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.)*)')


@dataclass
class Vertex:
    address: str
    resource_type: str
    conf: dict[str, Any]
    file_path: str | None = None
    # Each module call above the block, outermost first: (file holding the call, call name).
    module_chain: tuple[tuple[str, str], ...] = ()

    @functools.cached_property
    def root(self) -> str:
        """The root module (or plan file) the block belongs to: one checkov run may scan several,
        and the same address in two roots names two resources."""
        where = self.module_chain[0][0] if self.module_chain else self.file_path
        if not where:
            return ""
        return where if where.endswith(".json") else where.rsplit("/", 1)[0]

    @functools.cached_property
    def uid(self) -> str:
        return f"{self.root}\x00{self.address}"


def module_prefix(address: str) -> str:
    """``module.a["k"].aws_x.y`` -> ``module.a["k"].`` ('' at the root)."""
    if not address.startswith("module."):
        return ""  # most addresses; the pattern below costs tens of microseconds per call
    m = _MODULE_PREFIX.match(address)
    return m.group(1) if m else ""


def _parents(prefix: str) -> list[str]:
    """A module prefix and every prefix above it, innermost first."""
    steps = _MODULE_STEP.findall(prefix)
    return ["".join(steps[:i]) for i in range(len(steps), -1, -1)]


@dataclass
class ResourceGraph:
    """Resources and data blocks, by root module and address, and the references between them
    (source -> referenced target)."""

    vertices: dict[str, Vertex] = field(default_factory=dict)  # by Vertex.uid
    out_edges: dict[str, set[str]] = field(default_factory=dict)
    in_edges: dict[str, set[str]] = field(default_factory=dict)
    by_conf: dict[int, Vertex] = field(default_factory=dict, repr=False)  # id() of the conf checkov hands a check
    by_address: dict[str, list[Vertex]] = field(default_factory=dict, repr=False)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)  # per-scan memo of the builders' shared lookups
    _by_type: dict[str, list[Vertex]] | None = field(default=None, repr=False)

    def add(self, vertex: Vertex) -> None:
        self._by_type = None
        self.cache.clear()  # indexes and lookups of the graph as it was
        self.vertices[vertex.uid] = vertex
        self.by_conf[id(vertex.conf)] = vertex
        self.by_address.setdefault(vertex.address, []).append(vertex)

    def link(self, source: Vertex, target: Vertex) -> None:
        self.out_edges.setdefault(source.uid, set()).add(target.uid)
        self.in_edges.setdefault(target.uid, set()).add(source.uid)

    def get(self, address: str, root: str | None = None) -> Vertex | None:
        """The vertex at ``address`` (in ``root``; without one, only when a single root has it)."""
        found = [v for v in self.by_address.get(address, ()) if root is None or v.root == root]
        return found[0] if len(found) == 1 else None

    def vertex_of(self, conf: dict[str, Any]) -> Vertex | None:
        """The vertex whose conf checkov handed a check (the same dict), else by its address."""
        found = self.by_conf.get(id(conf))
        address = conf.get("__address__")
        if found is None and isinstance(address, str):
            plan = conf.get("__file__")  # a plan's conf names its file, and each plan file is its own root
            plan = plan[0] if isinstance(plan, list) and plan else plan
            found = self.get(address, plan if isinstance(plan, str) else None)
        return found

    def referrers(self, vertex: Vertex, resource_type: str) -> list[Vertex]:
        return sorted((self.vertices[u] for u in self.in_edges.get(vertex.uid, ()) if self.vertices[u].resource_type == resource_type),
                      key=lambda v: v.address)

    def referenced(self, vertex: Vertex, resource_type: str) -> list[Vertex]:
        return sorted((self.vertices[u] for u in self.out_edges.get(vertex.uid, ()) if self.vertices[u].resource_type == resource_type),
                      key=lambda v: v.address)

    def of_type(self, resource_type: str, root: str | None = None) -> list[Vertex]:
        if self._by_type is None:  # indexed once per graph: builders ask per resource
            by_type: dict[str, list[Vertex]] = {}
            for v in self.vertices.values():
                by_type.setdefault(v.resource_type, []).append(v)
            self._by_type = {t: sorted(vs, key=lambda v: v.address) for t, vs in by_type.items()}
        found = self._by_type.get(resource_type, [])
        if root is None:
            return list(found)
        key = ("of_type", resource_type, root)  # builders ask per resource: filtered once per root
        if key not in self.cache:
            self.cache[key] = [v for v in found if v.root == root]
        return list(self.cache[key])

    def resolve(self, target: str, from_address: str, root: str | None = None) -> Vertex | None:
        """The vertex a reference target (``aws_iam_role.r``, ``aws_iam_role.r[0]``,
        ``data.aws_kms_alias.a``, or one already qualified by a module prefix) names, seen from
        the block at ``from_address`` in ``root``: in its own module first, then in the modules above."""
        own = module_prefix(target)
        rel = target[len(own):]
        candidates = [rel]
        if _INDEX.search(rel):
            candidates.append(_INDEX.sub("", rel))  # checkov names a single instance without its index
        else:
            candidates.append(rel + "[0]")
        for prefix in ([own] if own else _parents(module_prefix(from_address))):
            for c in candidates:
                found = self.get(prefix + c, root)
                if found is not None:
                    return found
        return None

    @classmethod
    def from_checkov(cls, graph: Any) -> "ResourceGraph":
        out = cls()
        by_index: dict[int, Vertex] = {}
        for idx in graph.node_indices():
            node = graph[idx]
            attrs = node[1] if isinstance(node, tuple) else getattr(node, "attributes", None)
            if not isinstance(attrs, dict) or attrs.get("block_type_") not in ("resource", "data"):
                continue
            address, rtype, config = attrs.get("__address__"), attrs.get("resource_type"), attrs.get("config_")
            if not isinstance(address, str) or not isinstance(rtype, str):
                continue
            if attrs.get("block_type_") == "data":
                rtype = rtype if rtype.startswith("data.") else f"data.{rtype}"
                if not address.startswith("data.") and ".data." not in address:
                    prefix = module_prefix(address)
                    address = f"{prefix}data.{address[len(prefix):]}"  # checkov names data blocks without their prefix
            conf: dict[str, Any] = {}
            if isinstance(config, dict):
                by_name = config.get(rtype.removeprefix("data."))
                if isinstance(by_name, dict) and by_name:
                    inner = next(iter(by_name.values()))
                    conf = inner if isinstance(inner, dict) else {}
            path = attrs.get("file_path_")
            vertex = Vertex(address, rtype, conf, path if isinstance(path, str) else None,
                            _module_chain(attrs.get("source_module_object_")))
            out.add(vertex)
            by_index[idx] = vertex
        for src, dst in graph.edge_list():
            if src in by_index and dst in by_index:
                out.link(by_index[src], by_index[dst])
        return out


def _module_chain(module: Any) -> tuple[tuple[str, str], ...]:
    """checkov's TFModule (path of the file holding the call, call name, the module above) as
    (file, name) pairs, outermost first."""
    chain: list[tuple[str, str]] = []
    while module is not None:
        path, name = getattr(module, "path", None), getattr(module, "name", None)
        if not isinstance(path, str) or not isinstance(name, str):
            return ()
        chain.insert(0, (path, name))
        module = getattr(module, "nested_tf_module", None)
    return tuple(chain)


def _relative_resource(ref: str) -> str | None:
    """``aws_iam_role.r.arn`` -> ``aws_iam_role.r`` (drops the attribute)."""
    m = re.match(r"^((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?)", ref)
    return m.group(1) if m else None


def _points_to(ref: Any, target: Vertex) -> bool:
    if not isinstance(ref, str):
        return False
    rel = _relative_resource(ref)
    return bool(rel) and (target.address == rel or target.address.endswith("." + rel))
