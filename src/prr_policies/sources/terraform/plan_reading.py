"""What the issue-13 builders need beyond one resource's checkov conf, for HCL and real plans alike.

- **The plan file itself.** A real ``terraform show -json`` plan leaves out of ``after`` every
  attribute the provider computes when the configuration does not set it (``logging_config``,
  ``architectures``, ``point_in_time_recovery``, a queue's ``policy`` ...), exactly as it leaves out
  a value that is set but known only after apply; checkov's conf cannot tell the two apart. The
  plan's ``configuration`` section can: :func:`configured` says whether the user wrote the
  attribute, so "unset" gets the provider's default as in HCL, and only a written value is
  "known after apply". checkov also folds a map with one unknown value into a reference string
  (``environment.variables``); :func:`planned` gives the resource's ``after``, ``after_unknown``
  and ``after_sensitive`` as Terraform wrote them.
- **Partners in the graph.** :func:`of_type` lists the resources of a type in the root being
  built (indexed once per graph and root, so a check over N resources stays linear), :func:`references` reads the resource addresses an
  attribute refers to (HCL reference strings and the plan's ``references_``), resolved inside
  the referring resource's module.

The plan file is read through :mod:`.plan` (parsed once per file and stamp, shared with
:class:`~.conf.Conf`). No checkov import.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from prr_policies.facts import Unknown
from prr_policies.sources.terraform.conf import Conf, building_root, provider_defaults
from prr_policies.sources.terraform.graph import ResourceGraph, Vertex
from prr_policies.sources.terraform.plan import PlanIndex, load as load_plan

_INDEX = re.compile(r"\[[^\]]*\]")
# A reference: an optional module path (already absolute: the source reader renders a module's
# references with it), the resource, an optional instance key and the attribute.
_REF = re.compile(r"(?<![\w.])((?:module\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?\.)*)((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z_][\w-]*)"
                  r"(?:\[[^\]]*\])?(?:\.([A-Za-z_][\w]*))?")


def _plan_file(c: Conf) -> str | None:
    f = c.raw.get("__file__")
    while isinstance(f, list) and f:
        f = f[0]
    return f if c.plan and isinstance(f, str) and f.endswith(".json") else None


def _index(c: Conf) -> PlanIndex | None:
    """This resource's plan, parsed once per file and stamp by :mod:`.plan` (the reader issue 11's
    Conf uses too)."""
    path = _plan_file(c)
    return None if path is None else load_plan(path)


def _expressions(c: Conf) -> dict[str, Any] | None:
    """The resource's ``configuration`` expressions (None: not in a readable plan)."""
    index = _index(c)
    block = index.config(c.address) if index is not None else None
    return None if block is None else block.get("expressions") or {}


def configured(c: Conf, key: str) -> bool | None:
    """Whether the configuration sets ``key`` on this resource (None: not a plan, or unreadable)."""
    exprs = _expressions(c)
    return None if exprs is None else key in exprs


def expression(c: Conf, key: str) -> Any:
    """The plan's ``configuration`` expression of ``key`` on this resource (None when unset or not a plan)."""
    return (_expressions(c) or {}).get(key)


def planned(c: Conf) -> tuple[dict, dict, dict] | None:
    """``after``, ``after_unknown`` and ``after_sensitive`` of this resource in its plan."""
    index = _index(c)
    found = index.get(c.address) if index is not None else None
    return None if found is None else (found.after, found.after_unknown, found.after_sensitive)


def unset_in_plan(c: Conf, key: str) -> bool:
    """True when a plan leaves ``key`` out because the configuration does not set it (the provider
    computes a default), as opposed to a set value known only after apply."""
    return c.plan and key not in c.raw and configured(c, key) is False


def attr(c: Conf, key: str, read: str = "scalar") -> Any:
    """``c.<read>(key)``, but in a plan an attribute the configuration leaves unset gets the
    provider default (from the kind registry), as in HCL, instead of "known only after apply"."""
    if unset_in_plan(c, key):
        default = provider_defaults(c.resource_type).get(key)
        return tuple(default) if isinstance(default, list) else default
    return getattr(c, read)(key)


def block(c: Conf, key: str) -> Any:
    """``c.block(key)``, None in a plan when the configuration leaves the block out."""
    if unset_in_plan(c, key):
        return None
    return c.block(key)


def module_of(address: str) -> str:
    """``module.a.module.b.aws_x.y`` -> ``module.a.module.b.`` (the prefix of its module)."""
    parts = address.split(".")
    prefix = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        prefix += parts[i:i + 2]
        i += 2
    return ".".join(prefix) + "." if prefix else ""


def references(value: Any, within: str = "") -> list[tuple[str, str | None]]:
    """(resource address, attribute) pairs a value refers to: HCL reference strings
    (``aws_sqs_queue.q.arn``, ``${aws_sqs_queue.q.arn}``) and a plan's ``references_`` lists,
    made absolute inside the module prefix ``within``."""
    out: list[tuple[str, str | None]] = []

    def visit(v: Any) -> None:
        if isinstance(v, str):
            for m in _REF.finditer(v):
                pair = ((m.group(1) or within) + m.group(2), m.group(3))
                if pair not in out and not any(a == pair[0] and b is not None for a, b in out):
                    out.append(pair)
        elif isinstance(v, dict):
            for k, x in v.items():
                visit(x)
        elif isinstance(v, list):
            for x in v:
                visit(x)

    visit(value)
    return out


def _parent(within: str) -> str:
    """``module.a.module.b.`` -> ``module.a.``"""
    parts = within.rstrip(".").split(".")
    return ".".join(parts[:-2]) + "." if len(parts) > 2 else ""


def _plan_refs(c: Conf, expr: Any, within: str, depth: int = 0) -> list[tuple[str, str | None]]:
    """References of a plan expression, following ``var.x`` inside a module to what its caller passes."""
    out = references(expr, within)
    index = _index(c)
    if depth > 8 or index is None or not within:
        return out
    call = index.calls.get(_INDEX.sub("", within[:-1])) or {}
    variables: list[str] = []

    def visit(v: Any) -> None:
        if isinstance(v, str) and v.startswith("var."):
            variables.append(v.split(".")[1])
        elif isinstance(v, dict):
            for x in v.values():
                visit(x)
        elif isinstance(v, list):
            for x in v:
                visit(x)

    visit(expr)
    for name in dict.fromkeys(variables):
        passed = (call.get("expressions") or {}).get(name)
        for pair in _plan_refs(c, passed, _parent(within), depth + 1):
            if pair not in out:
                out.append(pair)
    return out


def refs_of(c: Conf, key: str) -> list[tuple[str, str | None]]:
    """What attribute (or block) ``key`` of this resource refers to: from the plan's configuration
    in a plan (checkov keeps only part of it; a module variable is followed to what its caller
    passes), from the HCL value otherwise (checkov has rendered module variables there)."""
    within = module_of(c.address)
    if c.plan and _index(c) is not None:
        return _plan_refs(c, expression(c, key), within)
    return references(c.raw.get(key), within)


def resolve(graph: ResourceGraph | None, address: str, root: str | None = None) -> Vertex | None:
    """The vertex of a referenced address, in ``root`` (default: the root of the resource being
    built); a reference that checkov rendered into a module from its caller carries the wrong
    module prefix, so outer prefixes are tried too."""
    if graph is None:
        return None
    root = root if root is not None else building_root()
    candidate = address
    while True:
        found = graph.get(candidate, root)
        if found is not None:
            return found
        within = module_of(candidate)
        if not within:
            return None
        candidate = _parent(within) + candidate[len(within):]


def vertex(graph: ResourceGraph | None, c: Conf) -> Vertex | None:
    """This resource's own vertex in the graph."""
    if c.vertex is not None:
        return c.vertex
    return graph.get(c.address, building_root()) if graph is not None else None


def own_vertex(graph: ResourceGraph | None, c: Conf) -> Vertex:
    """This resource's vertex, or a stand-in with its address and conf when the graph has none
    (a builder called on its own): partners are matched by address either way."""
    return vertex(graph, c) or Vertex(c.address, c.resource_type, c.raw)


def points_to(value: Any, vertex: Vertex, within: str = "") -> bool:
    return any(addr == _INDEX.sub("", vertex.address) or addr == vertex.address for addr, _ in references(value, within))


def of_type(graph: ResourceGraph | None, resource_type: str) -> list[Vertex]:
    """The resources of one type in the root of the resource being built."""
    if graph is None:
        return []
    return graph.of_type(resource_type, building_root())


def per_root(graph: ResourceGraph, name: str, build: Callable[[], Any]) -> Any:
    """A lookup index built once per scan and root (kept in the graph's cache)."""
    key = (name, building_root())
    if key not in graph.cache:
        graph.cache[key] = build()
    return graph.cache[key]


def conf_of(vertex: Vertex) -> Conf:
    return Conf.of(vertex.resource_type, vertex.conf)


def literal(value: Any) -> str | None:
    """A plain string value (not a reference, not an interpolation checkov left unrendered), else None."""
    return value if isinstance(value, str) and not _REF.search(value) and "${" not in value else None


def no_graph(what: str) -> Unknown:
    return Unknown(f"checkov provided no resource graph to find {what}")


def first(items: Iterable[Any]) -> Any:
    return next(iter(items), None)


def _step(node: Any, key: Any) -> Any:
    while isinstance(node, list):
        node = node[0] if node else None
    return node.get(key) if isinstance(node, dict) else None


def in_plan(c: Conf, *path: str) -> Any:
    """The value at ``path`` (attributes and nested blocks) of this resource in its plan: the value
    Terraform wrote in ``after``; ``Unknown`` when it is known only after apply and the
    configuration sets it; None when it is unset (the provider computes it, or it is null).
    Raises LookupError when the resource is not in a readable plan."""
    got = planned(c)
    if got is None:
        raise LookupError(c.address)
    after, unknown, _ = got
    node: Any = after
    for key in path:
        node = _step(node, key)
    if node is not None:
        return node
    u: Any = unknown
    for key in path:
        u = _step(u, key)
        if u is True:
            break
    if u is not True:
        return None
    exprs = _expressions(c) or {}
    e: Any = exprs
    for key in path:
        e = _step(e, key)
        if e is None:
            return None  # not in the configuration: the provider's computed default
    return Unknown(f"{'.'.join(path)} is known only after apply")


def known(value: Any) -> Any:
    """``value``, or Unknown when it (or an item of it) is another resource's attribute: in HCL a
    reference string, which a plan leaves unknown until apply. For enum-like attributes whose
    reference cannot be the answer itself (an architecture, a log format)."""
    items = value if isinstance(value, tuple) else (value,)
    for v in items:
        if isinstance(v, str) and references(v):
            return Unknown(f"it is {v}, known only after apply")
    return value


def policy_document_data(vertex: Vertex) -> dict | Unknown:
    """An ``aws_iam_policy_document`` data block (HCL) as the JSON policy it renders: statements
    with their effect, principals, actions, resources and conditions. A reference inside it stays
    as written (another resource's attribute: a fixed value, known at apply)."""
    from prr_policies.sources.terraform.conf import _first, _string_list

    statements = []
    for st in vertex.conf.get("statement") or []:
        if not isinstance(st, dict):
            continue
        out: dict[str, Any] = {"Effect": _first(st.get("effect")) or "Allow"}
        if _first(st.get("sid")):
            out["Sid"] = _first(st.get("sid"))
        for key, name in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource"),
                          ("not_resources", "NotResource")):
            values = _string_list(st.get(key))
            if isinstance(values, Unknown):
                return values
            if values:
                out[name] = list(values)
        for block, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            for p in st.get(block) or []:
                if not isinstance(p, dict):
                    continue
                ids = _string_list(p.get("identifiers"))
                if isinstance(ids, Unknown):
                    return ids
                kind = _first(p.get("type"))
                if kind == "*":
                    out[name] = "*"
                elif isinstance(kind, str):
                    out.setdefault(name, {}).setdefault(kind, []).extend(ids or ())
        for cond in st.get("condition") or []:
            if not isinstance(cond, dict):
                continue
            values = _string_list(cond.get("values"))
            if isinstance(values, Unknown):
                return values
            out.setdefault("Condition", {}).setdefault(_first(cond.get("test")), {})[_first(cond.get("variable"))] = list(values or ())
        statements.append(out)
    return {"Version": "2012-10-17", "Statement": statements}


def document(c: Conf, key: str, graph: ResourceGraph | None) -> Any:
    """A JSON policy attribute: ``jsonencode({...})``, a JSON string, or (HCL) an
    ``aws_iam_policy_document`` data block of the configuration, rendered."""
    raw = c.raw.get(key)
    while isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if not c.plan and isinstance(raw, str) and raw.startswith("data.aws_iam_policy_document.") and graph is not None:
        within = module_of(c.address)
        name = ".".join(raw.split(".")[:3])
        vertex = resolve(graph, within + name)
        return policy_document_data(vertex) if vertex is not None else Unknown(f"{name} is not in the scanned configuration")
    return c.document(key)
