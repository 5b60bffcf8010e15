"""Reading one Terraform resource's checkov conf, for HCL and plan JSON alike.

Quirks of checkov's resource conf that this module absorbs (measured with checkov 3.3.30):
- scalars arrive wrapped once (``{'timeout': [30]}``), list attributes twice (``[['a', 'b']]``),
  nested blocks as lists of dicts;
- HCL: checkov drops ``count``, renders ``try()``/``each``/conditionals partly or wrongly, leaves
  a variable whose default is null as ``'var.x'`` and injects ``dynamic`` blocks even when their
  ``for_each`` is empty. Where a resource's source holds any of that (:func:`source.needs_source`),
  its attributes are evaluated from the source instead (:mod:`.source`, :mod:`.hcl`);
- plan JSON: every schema attribute is present, unset ones as ``[None]``, empty blocks as
  ``[[]]``; an attribute known only after apply is missing, with one reference from the
  configuration copied in by checkov when it has one. Whether such an attribute was set by the
  user at all, and everything else checkov drops (``after_unknown``, ``after_sensitive``,
  ``configuration``), is read from the plan file itself (:mod:`.plan`).

Every value a reader returns is a literal (str, int, bool, dict, list, None for unset), an
:class:`~prr_policies.facts.Unknown` with the reason, or, from :meth:`Conf.arn`, a
:class:`~.hcl.Ref` (a reference to another resource: set, its value known after apply). Anything
that is not a literal is resolved or Unknown; it is never read as a literal string.
No checkov import.
"""

from __future__ import annotations

import functools
import json
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable

from prr_policies.facts import Unknown, unknown_facts
from prr_policies.sources.terraform import plan as _plan
from prr_policies.sources.terraform import source as _source
from prr_policies.sources.terraform.graph import ResourceGraph, Vertex, module_prefix
from prr_policies.sources.terraform.hcl import Ref, Sensitive, is_known


def provider_defaults(resource_type: str) -> dict[str, Any]:
    """Attribute values the AWS provider uses when the configuration leaves them out (from the
    kind registry; ``None`` = it stays unset). A plan shows these values (or, for attributes the
    provider computes, marks them known after apply); applying them to HCL keeps both paths'
    verdicts identical."""
    from prr_policies.sources.kinds import terraform_defaults

    return terraform_defaults(resource_type)


_META_KEYS = frozenset({
    "__file__", "__startline__", "__endline__", "start_line", "end_line",
    "__start_line__", "__end_line__", "__address__", "references_",
    "__change_actions__", "__change_keys__",
})
# Expression syntax left in a string checkov rendered: the value is not a literal.
_NON_LITERAL = re.compile(
    r"\$\{|%\{|(?:^|[^\w.-])(?:var|local|each|count|self|path|terraform)\.[A-Za-z_]|(?:^|[^\w.-])[a-z][a-z0-9_]*\("
    r"|\[for\s|\{for\s|\s\?\s")
_REFERENCE = re.compile(
    r'^(?P<target>(?:(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*|module\.[A-Za-z_][\w-]*)(?:\[(?:\d+|"[^"]*")\])?)'
    r'(?P<path>(?:\.[\w*-]+|\[[^\]]*\])*)$')
_AFTER_APPLY = "true_after_unknown"  # checkov's marker with EVAL_TF_PLAN_AFTER_UNKNOWN
# The graph of the builder running now (set by terraform_builder): a Conf.of() without a graph
# inside a builder still resolves references and reads the source.
_BUILDING: ContextVar["ResourceGraph | None"] = ContextVar("prr_terraform_graph", default=None)
# The root module (or plan file) of the resource being built: its partners are looked up there
# only (one checkov run may scan several roots, and one address in two roots names two resources).
_BUILDING_ROOT: ContextVar["str | None"] = ContextVar("prr_terraform_root", default=None)


def building_root() -> str | None:
    """The root of the resource the running builder reads (None outside a builder)."""
    return _BUILDING_ROOT.get()


def is_plan_conf(conf: dict[str, Any]) -> bool:
    """Plan-JSON confs carry checkov's ``start_line``/``__startline__`` keys, HCL ``__start_line__``."""
    return "__startline__" in conf or "start_line" in conf


def as_reference(value: str, prefix: str = "") -> Ref | None:
    """A reference string checkov left (``aws_kms_key.k.arn``, ``module.m.out``, written relative
    to the module it is in) as a Ref in the module ``prefix``; None when ``value`` is not one."""
    m = _REFERENCE.match(value)
    if m is None:
        return None
    path = tuple(a or b for a, b in re.findall(r"\.([\w*-]+)|(\[[^\]]*\])", m.group("path")))
    return Ref(prefix + m.group("target"), path)


def _classify_string(value: str, prefix: str = "") -> str | Unknown:
    if isinstance(value, Ref):
        return value
    if value == _AFTER_APPLY:
        return Unknown("the value is known only after apply")
    if _NON_LITERAL.search(value):
        return Unknown(f"it depends on an expression not resolved here ({value})")
    ref = as_reference(value, prefix)
    return ref if ref is not None else value


def _clean(value: Any, prefix: str = "", classify: bool = True) -> Any:
    """Strip checkov's bookkeeping keys and classify strings, recursively."""
    if isinstance(value, dict):
        return {k: _clean(v, prefix, classify) for k, v in value.items() if k not in _META_KEYS}
    if isinstance(value, list):
        return [_clean(v, prefix, classify) for v in value]
    if isinstance(value, str) and classify:
        return _classify_string(value, prefix)
    return value


def _after_apply(key: str, ref: Ref) -> Unknown:
    return Unknown(f"{key} is {ref}, known only after apply")


# Resources whose attributes are whatever was put in (terraform_data's output is its input): a
# reference to them says nothing, not even that the value is set.
_OPAQUE_TYPES = frozenset({"terraform_data", "null_resource"})


def _opaque(key: str, value: Any) -> Any:
    """``value``, or Unknown when it is a reference to an opaque resource."""
    if isinstance(value, Ref) and _rel_type(value.target) in _OPAQUE_TYPES:
        return _after_apply(key, value)
    return value


@dataclass(frozen=True)
class Conf:
    """One resource's checkov conf, with the mode-aware readers rules need."""

    resource_type: str
    raw: dict[str, Any]
    plan: bool = field(default=False)
    plan_resource: _plan.PlanResource | None = field(default=None, compare=False)
    instance: _source.SourceInstance | None = field(default=None, compare=False)
    graph: ResourceGraph | None = field(default=None, compare=False)
    evaluated: bool = field(default=False)  # raw comes from our own evaluation: its strings are literals
    exists: bool | Unknown = field(default=True, compare=False)  # False: Terraform plans no such instance
    vertex: Vertex | None = field(default=None, compare=False)  # this block in the graph

    @classmethod
    def of(cls, resource_type: str, conf: dict[str, Any], graph: ResourceGraph | None = None) -> "Conf":
        if not isinstance(conf, dict):
            return cls(resource_type, {}, False)
        graph = graph if graph is not None else _BUILDING.get()
        if graph is None:
            return cls._of(resource_type, conf, None)
        key = ("conf", id(conf), resource_type)  # built once per scan (the builders look resources up repeatedly)
        cached = graph.cache.get(key)
        if cached is None or cached[0] is not conf:
            cached = graph.cache[key] = (conf, cls._of(resource_type, conf, graph))
        return cached[1]  # type: ignore[no-any-return]

    @classmethod
    def _of(cls, resource_type: str, conf: dict[str, Any], graph: ResourceGraph | None) -> "Conf":
        vertex = graph.vertex_of(conf) if graph is not None else None
        if is_plan_conf(conf):
            pr = _plan_resource(conf)
            exists: bool | Unknown = not (pr is not None and pr.actions == ("delete",))
            return cls(resource_type, conf, True, pr, None, graph, False, exists, vertex)
        found = _source_instance(conf, graph, vertex)
        if found is None:
            return cls(resource_type, conf, False, None, None, graph, False, True, vertex)
        return cls(resource_type, _merged(conf, found), False, None, found, graph, True, found.exists, vertex)

    @classmethod
    def of_vertex(cls, vertex: Vertex, graph: ResourceGraph | None) -> "Conf":
        conf = vertex.conf if vertex.conf.get("__address__") == vertex.address else {**vertex.conf, "__address__": vertex.address}
        return cls.of(vertex.resource_type, conf, graph)

    def instances(self) -> list["Conf"]:
        """This resource's instances: itself, or one Conf per instance where checkov did not
        expand a ``for_each``/``count`` (each with its own ``each``/``count.index``)."""
        if self.instance is None:
            return [self]
        many = _source.expand(self.instance)
        if len(many) < 2:
            return [self]
        out = []
        for inst in many:
            one = {**self.raw, "__address__": inst.address}
            if self.graph is not None and self.vertex is not None:
                self.graph.by_conf[id(one)] = self.vertex
            out.append(Conf(self.resource_type, _merged(one, inst), False, None, inst, self.graph, True, inst.exists, self.vertex))
        return out

    @property
    def address(self) -> str:
        addr = self.raw.get("__address__")
        return addr if isinstance(addr, str) else f"{self.resource_type}.<unnamed>"

    @property
    def prefix(self) -> str:
        return module_prefix(self.address)

    @property
    def root(self) -> str | None:
        """The root module (or plan file) this resource belongs to, when the graph knows it."""
        return self.vertex.root if self.vertex is not None else None

    def _cleaned(self, value: Any) -> Any:
        return _clean(value, self.prefix, classify=not self.evaluated)

    # -- what a plan says about an attribute checkov's conf does not hold --------------------

    def _missing(self, key: str) -> Any:
        if not self.plan:
            return provider_defaults(self.resource_type).get(key)
        pr = self.plan_resource
        if pr is None:
            return Unknown(f"{key} is known only after apply")
        unknown = pr.after_unknown.get(key)
        if unknown is True or isinstance(unknown, (dict, list)) and unknown:
            if key in pr.expressions:
                return Unknown(f"{key} is known only after apply")
            defaults = provider_defaults(self.resource_type)
            if key in defaults:  # computed when omitted: the provider's default applies and is known
                return defaults[key]
            return Unknown(f"{key} is not set in the configuration; the provider computes it at apply")
        if key in pr.after:
            return pr.after[key]
        if pr.after_sensitive.get(key) is True:
            return Unknown(f"{key} is sensitive and the plan does not show it")
        return Unknown(f"the plan has no {key} attribute (written by an older Terraform or AWS provider?)")

    def _sensitive(self, key: str, value: Any) -> Any:
        pr = self.plan_resource
        if pr is not None and isinstance(value, str) and not isinstance(value, Ref) and pr.after_sensitive.get(key) is True:
            return Sensitive(value)
        return value

    def value(self, key: str) -> Any:
        """The attribute's value unwrapped once and cleaned: a literal, None, Unknown or Ref."""
        pr = self.plan_resource
        if pr is not None and key in pr.after and not pr.after_unknown.get(key) and not isinstance(pr.after[key], (dict, list)):
            return self._sensitive(key, pr.after[key])  # known in the plan (checkov may have put a reference over a null)
        if key not in self.raw:
            value = self._missing(key)
            if isinstance(value, Unknown) and pr is not None and key in pr.expressions:
                return self._from_source(key, value)
            return value
        value = self.raw[key]
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None and not self.plan:
            return provider_defaults(self.resource_type).get(key)
        value = self._sensitive(key, self._cleaned(value))
        if isinstance(value, (Unknown, Ref)) and pr is not None and pr.after_unknown.get(key) is True:
            return self._from_source(key, value)
        return value

    def _from_source(self, key: str, otherwise: Any) -> Any:
        """An attribute a plan knows only after apply, evaluated from the configuration's source
        when the plan sits next to it (see :func:`source.for_plan`): a reference with its
        instance key (``aws_iam_role.lambda["orders"]``), or a JSON document whose structure
        and constants are known (``maxReceiveCount = 5``). ``otherwise`` when there is none."""
        path = _first(self.raw.get("__file__"))
        if self.plan_resource is None or not isinstance(path, str):
            return otherwise
        found = _source.evaluated_for_plan(path, self.plan_resource.address)
        value = found.get(key) if found is not None else None
        value = value[0] if isinstance(value, list) and len(value) == 1 else value
        return value if value is not None and not isinstance(value, Unknown) else otherwise

    def scalar(self, key: str) -> Any:
        """A scalar attribute: None when unset, Unknown when unresolved (a reference is a Ref)."""
        value = self.value(key)
        if isinstance(value, list) and not value:
            return None
        if isinstance(value, (dict, list)):
            return Unknown(f"{key} is not a single value")
        return value

    def arn(self, key: str) -> str | None | Unknown:
        """An attribute naming another resource (an ARN, a name): a literal, or a :class:`Ref`
        to the resource (it is set; its value exists only after apply)."""
        value = self.scalar(key)
        if value is None or isinstance(value, Unknown):
            return value
        if isinstance(value, str):
            return _opaque(key, value)
        return str(value)

    def string(self, key: str) -> str | None | Unknown:
        """A value attribute (a mode, a type, a name compared with a literal): a reference to
        another resource's attribute is Unknown here, its value exists only after apply."""
        value = self.arn(key)
        return _after_apply(key, value) if isinstance(value, Ref) else value

    def integer(self, key: str) -> int | None | Unknown:
        value = self.scalar(key)
        if value is None or isinstance(value, Unknown):
            return value
        if isinstance(value, Ref):
            return _after_apply(key, value)
        if isinstance(value, bool):
            return Unknown(f"{key} is a boolean, not a number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                return Unknown(f"{key} is not a number ({value!r})")
        return Unknown(f"{key} is not a number ({value!r})")

    def boolean(self, key: str) -> bool | None | Unknown:
        return _boolean(self, key)

    def document(self, key: str) -> dict[str, Any] | None | Unknown:
        """A JSON attribute (a policy): ``jsonencode({...})`` in HCL, a JSON string in a plan."""
        return _document(self, key)

    def strings(self, key: str) -> tuple[str, ...] | None | Unknown:
        """A list attribute of strings (checkov wraps it twice)."""
        if key not in self.raw:
            missing = self._missing(key)
            return missing if missing is None or isinstance(missing, Unknown) else _string_list(self._cleaned(missing))
        return _string_list(self._cleaned(self.raw[key]))

    def block(self, key: str) -> dict[str, Any] | None | Unknown:
        """The first instance of a nested block, honouring ``dynamic`` blocks."""
        dyn = self._dynamic_for_each(key)
        if isinstance(dyn, Unknown):
            return dyn
        if dyn is False:
            return None
        if key not in self.raw:
            missing = self._missing(key)
            if missing is None or isinstance(missing, Unknown):
                return missing
            value: Any = missing
        else:
            value = self.raw[key]
        while isinstance(value, list) and value:
            value = value[0]
        if not isinstance(value, dict):
            return None
        return self._cleaned(value)

    def _dynamic_for_each(self, key: str) -> bool | None | Unknown:
        """False when a ``dynamic "key"`` block exists with an empty ``for_each``."""
        dynamics = self.raw.get("dynamic")
        if not isinstance(dynamics, list):
            return None
        for entry in dynamics:
            if not isinstance(entry, dict) or key not in entry:
                continue
            spec = entry[key]
            if not isinstance(spec, dict):
                return Unknown(f"the dynamic {key} block cannot be read")
            if "expanded" in spec:  # evaluated from the source: the blocks are in the conf
                return key in self.raw
            if "for_each" not in spec:
                return True  # checkov rendered the dynamic block into its content
            for_each = spec["for_each"]
            while isinstance(for_each, list) and len(for_each) == 1 and isinstance(for_each[0], (list, dict, Unknown)):
                for_each = for_each[0]
            if isinstance(for_each, Unknown):
                return Unknown(f"the for_each of the dynamic {key} block cannot be evaluated ({for_each.reason})")
            if isinstance(for_each, str):
                cls = _classify_string(for_each)
                if isinstance(cls, (Unknown, Ref)):
                    return Unknown(f"the for_each of the dynamic {key} block is unresolved ({for_each})")
                return True
            return for_each not in ([], {}, None)
        return None

    # -- what the value refers to ----------------------------------------------------------

    def kms_key(self, key: str) -> str | None | Unknown:
        """A KMS key attribute: a literal ARN or alias, a :class:`Ref` to a customer-managed key
        (``aws_kms_key``, ``aws_kms_alias``), or, when a data source names an AWS managed alias
        (``data.aws_kms_alias`` with ``alias/aws/sns``, ``data.aws_kms_key`` looking up
        ``alias/aws/lambda``), that alias. A data source whose name cannot be resolved, or a
        reference to anything else, is Unknown."""
        if self.plan:
            origin = self.origin(key)  # an online plan holds the data source's ARN: judge what it names
            if isinstance(origin, Ref) and _rel_type(origin.target).startswith("data."):
                return self._kms_reference(key, origin)
        value = self.arn(key)
        return self._kms_reference(key, value) if isinstance(value, Ref) else value

    def _kms_reference(self, key: str, ref: Ref) -> Ref | str | Unknown:
        rtype = _rel_type(ref.target)
        if rtype in _CUSTOMER_KEY_TYPES:
            return ref
        names = {"data.aws_kms_alias": "name", "data.aws_kms_key": "key_id"}
        if rtype not in names:
            return _after_apply(key, ref)
        field_name = names[rtype]
        if self.plan:
            config = self.plan_config(ref.target)
            index = _plan.load(str(_first(self.raw.get("__file__"))))
            found = index.origin(module_prefix(ref.target), (config or {}).get("expressions", {}).get(field_name)) \
                if index is not None and config is not None else None
            name: Any = found[1].get("constant_value") if found is not None else None
            if name is None:
                name = Unknown(f"{ref.target} is not in the plan's configuration" if config is None else f"its {field_name} is not a constant")
        else:
            vertex = self.resolve(ref)
            name = Conf.of_vertex(vertex, self.graph).string(field_name) if vertex is not None else \
                Unknown(f"{ref.target} is not in the scanned configuration")
        if isinstance(name, str) and not isinstance(name, Ref):
            return name if "alias/aws/" in name else ref  # an AWS managed key, or a customer key looked up by name
        reason = name.reason if isinstance(name, Unknown) else f"its {field_name} is {name!r}"
        return Unknown(f"{key} comes from {ref.target}, whose {field_name} cannot be resolved here ({reason})")


    def resolve(self, ref: Ref) -> Vertex | None:
        """The vertex a reference in this resource names (module path and index aware)."""
        return self.graph.resolve(ref.target, self.address, self.root) if self.graph is not None else None

    def origin(self, key: str) -> Any:
        """In a plan, what the configuration says an attribute is set to: a constant, a Ref to a
        resource or data source (through module variables), or None when it says nothing."""
        pr = self.plan_resource
        if pr is None:
            return None
        index = _plan.load(str(_first(self.raw.get("__file__"))))
        found = index.origin(pr.module_prefix, pr.expressions.get(key)) if index is not None else None
        if found is None:
            return None
        prefix, expr = found
        if "constant_value" in expr:
            return expr["constant_value"]
        ref = as_reference(expr["references"][0], prefix)
        return ref

    def plan_config(self, address: str) -> dict[str, Any] | None:
        """In a plan, the configuration block of another resource or data source."""
        index = _plan.load(str(_first(self.raw.get("__file__")))) if self.plan else None
        return index.config(address) if index is not None else None


_CUSTOMER_KEY_TYPES = frozenset({"aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key", "aws_kms_replica_external_key",
                                  "aws_kms_alias"})  # AWS reserves alias/aws/*: an aws_kms_alias resource is a customer alias


def _rel_type(target: str) -> str:
    """``module.a.data.aws_kms_alias.x[0]`` -> ``data.aws_kms_alias``."""
    rel = target[len(module_prefix(target)):]
    parts = rel.split(".")
    return ".".join(parts[:2]) if parts[0] == "data" else parts[0]


def _plan_resource(conf: dict[str, Any]) -> _plan.PlanResource | None:
    path, address = _first(conf.get("__file__")), conf.get("__address__")
    if not isinstance(path, str) or not isinstance(address, str):
        return None
    index = _plan.load(path)
    return index.get(address) if index is not None else None


def _source_instance(conf: dict[str, Any], graph: ResourceGraph | None, vertex: Vertex | None) -> _source.SourceInstance | None:
    """The resource's source, when checkov's rendering of it cannot be trusted as is."""
    address = conf.get("__address__")
    if graph is None or not isinstance(address, str):
        return None
    found = None
    if vertex is not None and vertex.file_path:
        start, end = conf.get("__start_line__"), conf.get("__end_line__")
        lines = graph.cache.get(("lines", vertex.file_path))
        if lines is None:
            lines = graph.cache[("lines", vertex.file_path)] = _source.file_lines(vertex.file_path)
        text = "\n".join(lines[max(0, start - 1):end]) if isinstance(start, int) and isinstance(end, int) else ""
        if vertex.module_chain or _source.needs_source(text) or _has_non_literal(conf):
            try:
                found = _source.find(vertex.file_path, address, list(vertex.module_chain))
            except RecursionError:
                found = None
    return found


def _has_non_literal(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_NON_LITERAL.search(value)) or value == _AFTER_APPLY
    if isinstance(value, dict):
        return any(_has_non_literal(v) for k, v in value.items() if k not in _META_KEYS)
    if isinstance(value, list):
        return any(_has_non_literal(v) for v in value)
    return False


def _merged(conf: dict[str, Any], found: _source.SourceInstance) -> dict[str, Any]:
    """Our evaluation of the source, keeping checkov's meta keys, and checkov's literal where we
    only know a reference to another resource's attribute (checkov resolves those, e.g. a
    function's name read off the function)."""
    ours = found.conf()
    out = {k: v for k, v in conf.items() if k in _META_KEYS}
    for key, value in ours.items():
        theirs = conf.get(key)
        if (isinstance(value, list) and len(value) == 1 and isinstance(value[0], Ref) and isinstance(theirs, list)
                and len(theirs) == 1 and isinstance(theirs[0], (str, int, float, bool)) and not isinstance(theirs[0], Ref)
                and not (isinstance(theirs[0], str) and (_NON_LITERAL.search(theirs[0]) or _REFERENCE.match(theirs[0])))):
            out[key] = theirs
        else:
            out[key] = value
    return out


class NotCreated(list):  # type: ignore[type-arg]
    """No facts, because Terraform does not create the resource; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


def _type_of(conf: dict[str, Any], types: tuple[str, ...]) -> str:
    """Which of a builder's Terraform types ``conf`` is, from its address (``module.m.aws_x.name[0]``)."""
    address = conf.get("__address__") if isinstance(conf, dict) else None
    if isinstance(address, str):
        for t in types:
            if address.startswith(f"{t}.") or f".{t}." in address:
                return t
    return types[0]


def terraform_builder(resource_type: str | tuple[str, ...], facts_type: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a builder ``(conf, graph, settings) -> facts`` with what every kind shares: a resource
    Terraform does not create (``count = 0``, an empty ``for_each``, a module called with
    ``create = false``, a plan's delete) gives no facts, so the check reports NOT_APPLICABLE; one
    whose ``count``/``for_each`` cannot be evaluated gives facts that are all Unknown; one checkov
    did not expand into its instances is built once per instance. ``resource_type`` may name several
    types when one builder reads them all (the conf's own type is taken from its address)."""
    types = (resource_type,) if isinstance(resource_type, str) else tuple(resource_type)

    def wrap(build: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(build)
        def builder(conf: dict[str, Any], graph: ResourceGraph | None = None, settings: Any = None) -> Any:
            token = _BUILDING.set(graph)
            me = graph.vertex_of(conf) if graph is not None and isinstance(conf, dict) else None
            root_token = _BUILDING_ROOT.set(me.root if me is not None else _BUILDING_ROOT.get())
            try:
                return _build(conf, graph, settings)
            finally:
                _BUILDING_ROOT.reset(root_token)
                _BUILDING.reset(token)

        def _build(conf: dict[str, Any], graph: ResourceGraph | None, settings: Any) -> Any:
            c = Conf.of(_type_of(conf, types), conf, graph)
            if c.exists is False:
                why = c.instance.why_absent if c.instance is not None and c.instance.why_absent else "the plan deletes it"
                return NotCreated(f"Terraform does not create this resource: {why}.")
            if isinstance(c.exists, Unknown):
                return unknown_facts(facts_type, c.address, c.exists)
            many = c.instances()
            if len(many) > 1:
                out: list[Any] = []
                for inst in many:
                    one = {**conf, "__address__": inst.address}
                    if graph is not None and c.vertex is not None:
                        graph.by_conf[id(one)] = c.vertex
                    built = build(one, graph, settings)
                    out.extend(built if isinstance(built, list) else [built])
                return out
            return build(conf, graph, settings)

        builder.terraform_types = types  # type: ignore[attr-defined]  # marks a wrapped builder
        return builder

    return wrap


def _field(block: Any, key: str, plan: bool = False) -> Any:
    """A field inside a cleaned block (values there are wrapped once too). A reference stays a
    Ref (a set value, see :meth:`Conf.arn`); use :func:`_value_field` where the value matters.

    In a plan every schema attribute of a present block is listed, so a missing one is known
    only after apply; in HCL a missing one is unset.
    """
    if isinstance(block, Unknown):
        return block
    if not isinstance(block, dict):
        return None
    if key not in block:
        return Unknown(f"{key} is known only after apply") if plan else None
    value = block[key]
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, list) and not value:
        return None
    return _opaque(key, value)


def _value_field(block: Any, key: str, plan: bool = False) -> Any:
    """:func:`_field` for a value that is compared (a mode, a flag): a reference is Unknown."""
    value = _field(block, key, plan)
    return _after_apply(key, value) if isinstance(value, Ref) else value


def _list_field(block: Any, key: str, plan: bool) -> tuple[str, ...] | None | Unknown:
    """A list attribute inside a block: ``[['a', 'b']]`` in HCL and plans, ``['a', 'b']`` when
    checkov rendered a dynamic block."""
    if isinstance(block, Unknown) or not isinstance(block, dict):
        return block if isinstance(block, Unknown) else None
    if key not in block:
        return Unknown(f"{key} is known only after apply") if plan else None
    return _string_list(block[key])


def _string_list(value: Any) -> tuple[str, ...] | None | Unknown:
    if isinstance(value, Unknown):
        return value
    while isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        value = value[0]
    if value is None or value == []:
        return None
    if isinstance(value, str):
        value = _opaque("the list", value)
        return value if isinstance(value, Unknown) else (value,)
    if not isinstance(value, list):
        return Unknown(f"expected a list, got {value!r}")
    for v in value:
        v = _opaque("the list", v)
        if isinstance(v, Unknown):
            return v
        if isinstance(v, (dict, list)):
            return Unknown(f"expected a list of strings, got {value!r}")
    return tuple(str(v) for v in value if v is not None) or None


def _boolean(c: Conf, key: str) -> bool | None | Unknown:
    value = c.scalar(key)
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, Ref):
        return _after_apply(key, value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return Unknown(f"{key} is not true or false ({value!r})")


def _document(c: Conf, key: str) -> dict[str, Any] | None | Unknown:
    """A JSON attribute: ``jsonencode({...})`` arrives as a dict in HCL, a string in a plan."""
    value = c.value(key)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Ref):
        return _after_apply(key, value)
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            doc = json.loads(value)
        except ValueError:
            return Unknown(f"{key} is not JSON ({value[:60]!r})")
        return _clean(doc, classify=False) if isinstance(doc, dict) else Unknown(f"{key} is not a JSON object")
    return Unknown(f"{key} cannot be read")


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value


__all__ = ["Conf", "Sensitive", "as_reference", "is_known", "is_plan_conf", "provider_defaults", "terraform_builder"]
