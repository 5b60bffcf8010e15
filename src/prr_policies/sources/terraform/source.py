"""A resource instance as its Terraform source says it: module scopes (variables, locals, the
values a module call sets), ``count`` / ``for_each`` of the resource and of every module call
above it, ``each`` and ``count.index`` of the instance, and the resource's attributes evaluated
with :mod:`.hcl` into checkov's conf shape (scalars wrapped once, blocks as lists of dicts,
``dynamic`` blocks expanded).

checkov hands a check the conf it rendered; this module is how the Terraform source reads what
checkov drops (``count``) or renders wrongly (``each`` inside ``try()``, conditional dynamic
blocks, ``null`` defaults). Files are parsed once per scan (cached by path and mtime), and only
for resources that need it (:func:`needs_source`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from prr_policies.facts import Unknown
from prr_policies.sources.terraform import hcl

_META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"})
_ADDRESS_STEP = re.compile(r'(module|data)?\.?([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?(\[(?:\d+|"(?:[^"\\]|\\.)*")\])?')


# ---- files and module directories ----------------------------------------------------------

@lru_cache(maxsize=256)
def _file(path: str, stamp: tuple[int, int]) -> tuple[str, list[hcl.Block] | hcl.HclError]:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        _attrs, blocks = hcl.parse_body(text)
    except (hcl.HclError, OSError) as exc:
        return "", hcl.HclError(f"{path}: {exc}")
    return text, blocks


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=512)
def _lines(path: str, stamp: tuple[int, int]) -> list[str]:
    return Path(path).read_text(encoding="utf-8", errors="replace").split("\n")


def file_lines(path: str) -> list[str]:
    """A file's lines ([] when it cannot be read)."""
    stamp = _stamp(path)
    return _lines(path, stamp) if stamp is not None else []


class ModuleDir:
    """The blocks of one module directory (every ``*.tf`` file in it)."""

    def __init__(self, directory: str) -> None:
        self.dir = directory
        self.error: hcl.HclError | None = None
        self.variables: dict[str, hcl.Block] = {}
        self.locals: dict[str, hcl.Attribute] = {}
        self.modules: dict[str, hcl.Block] = {}
        self.resources: dict[tuple[str, str, str], hcl.Block] = {}  # (mode, type, name)
        self.tfvars: dict[str, Any] = {}
        self.tfvars_error: str | None = None
        try:
            names = sorted(os.listdir(directory))
        except OSError as exc:
            self.error = hcl.HclError(f"{directory}: {exc}")
            return
        for name in names:
            path = os.path.join(directory, name)
            stamp = _stamp(path) if name.endswith(".tf") else None
            if stamp is None:
                continue
            _text, blocks = _file(path, stamp)
            if isinstance(blocks, hcl.HclError):
                self.error = blocks
                continue
            for b in blocks:
                if b.type == "variable" and b.labels:
                    self.variables[b.labels[0]] = b
                elif b.type == "locals":
                    self.locals.update(b.attributes)
                elif b.type == "module" and b.labels:
                    self.modules[b.labels[0]] = b
                elif b.type in ("resource", "data") and len(b.labels) == 2:
                    self.resources[(b.type, b.labels[0], b.labels[1])] = b
        # Values Terraform gives root variables, in its order of precedence: terraform.tfvars, then
        # *.auto.tfvars, then the -var-file files the scan was given (PRR_VAR_FILES), later ones winning.
        paths = [os.path.join(directory, n) for n in ["terraform.tfvars"] + [n for n in names if n.endswith(".auto.tfvars")]]
        for path in [p for p in paths if os.path.isfile(p)] + var_files():
            try:
                attrs, _ = hcl.parse_body(Path(path).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, hcl.HclError) as exc:
                # not silently skipped: every root variable becomes unknown, saying why
                self.tfvars_error = f"{path} cannot be read ({exc})"
                continue
            self.tfvars.update({k: a.expr for k, a in attrs.items()})


@lru_cache(maxsize=128)
def _module_dir(directory: str, stamps: tuple[Any, ...]) -> ModuleDir:
    return ModuleDir(directory)


VAR_FILES_ENV = "PRR_VAR_FILES"


def var_files() -> list[str]:
    """The -var-file files of the scan (``$PRR_VAR_FILES``, separated by os.pathsep), in order."""
    return [f for f in os.environ.get(VAR_FILES_ENV, "").split(os.pathsep) if f]


def module_dir(directory: str) -> ModuleDir:
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith((".tf", ".tfvars")))
    except OSError:
        names = []
    stamps = tuple((n, _stamp(os.path.join(directory, n))) for n in names) + tuple((f, _stamp(f)) for f in var_files())
    return _module_dir(directory, stamps)


# ---- scopes ---------------------------------------------------------------------------------

class ModuleScope(hcl.Scope):
    """One module instance: its directory, and the call (in the parent instance) that set its
    variables. The root module has no call; its variables come from tfvars or defaults."""

    def __init__(self, mod: ModuleDir, prefix: str, parent: "InstanceScope | None" = None,
                 call: hcl.Block | None = None, values: dict[str, Any] | None = None) -> None:
        self.mod, self._prefix, self.parent, self.call, self.values = mod, prefix, parent, call, values
        self.module_path = mod.dir
        self._locals: dict[str, Any] = {}
        self._vars: dict[str, Any] = {}

    def prefix(self) -> str:
        return self._prefix

    def var(self, name: str) -> Any:
        if name not in self._vars:
            self._vars[name] = self._var(name)
        return self._vars[name]

    def _var(self, name: str) -> Any:
        where = f"module {self._prefix.rstrip('.')}" if self._prefix else "the root module"
        if self.call is not None and name in self.call.attributes and self.parent is not None:
            return _guarded(self.call.attributes[name].expr, self.parent)
        if self.call is None and self.values is not None and name in self.values:
            return self.values[name]  # a plan's root variable values
        if self.call is None and self.mod.tfvars_error:
            return Unknown(f"var.{name}: {self.mod.tfvars_error}")
        if self.call is None and name in self.mod.tfvars:
            return _guarded(self.mod.tfvars[name], hcl.Scope())
        block = self.mod.variables.get(name)
        if block is None:
            return Unknown(f"var.{name} is not declared in {where}")
        if "default" in block.attributes:
            value = _guarded(block.attributes["default"].expr, hcl.Scope())
            sensitive = block.attributes.get("sensitive")
            if sensitive is not None and sensitive.expr == ("lit", True) and isinstance(value, str) and hcl.is_known(value):
                return hcl.Sensitive(value)
            return value
        if self.call is None:
            return Unknown(f"var.{name} has no default: its value is given when Terraform runs")
        return Unknown(f"var.{name} of {where} has no default and the module call does not set it")

    def local(self, name: str) -> Any:
        if name not in self._locals:
            attr = self.mod.locals.get(name)
            if attr is None:
                return Unknown(f"local.{name} is not defined")
            self._locals[name] = Unknown(f"local.{name} refers to itself")  # cycle guard
            self._locals[name] = _guarded(attr.expr, self)
        return self._locals[name]


class InstanceScope(hcl.Scope):
    """A module scope plus the ``each`` / ``count.index`` of one instance."""

    def __init__(self, module: ModuleScope, each: tuple[Any, Any] | None = None, count_index: Any = None) -> None:
        self.module, self.each, self.count_index = module, each, count_index
        self.module_path = module.module_path

    def var(self, name: str) -> Any:
        return self.module.var(name)

    def local(self, name: str) -> Any:
        return self.module.local(name)

    def prefix(self) -> str:
        return self.module.prefix()


def _guarded(node: Any, scope: hcl.Scope) -> Any:
    """evaluate(), with Terraform's errors turned into Unknown naming them."""
    try:
        return hcl.evaluate(node, scope)
    except hcl.EvalError as exc:
        return Unknown(f"the expression fails to evaluate ({exc})")
    except RecursionError:
        return Unknown("the expression is too deeply nested")


# ---- instances ------------------------------------------------------------------------------

def parse_address(address: str) -> tuple[list[tuple[str, Any]], str, str, str, Any] | None:
    """``module.a["k"].module.b[0].aws_x.y[1]`` -> ([("a", "k"), ("b", 0)], "resource", "aws_x", "y", 1)."""
    modules: list[tuple[str, Any]] = []
    pos = 0
    while address.startswith("module.", pos):
        m = re.compile(r'module\.([A-Za-z_][\w-]*)(\[(\d+|"(?:[^"\\]|\\.)*")\])?\.').match(address, pos)
        if m is None:
            return None
        modules.append((m.group(1), _key(m.group(3))))
        pos = m.end()
    m = re.compile(r'(data\.)?([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)(\[(\d+|"(?:[^"\\]|\\.)*")\])?$').match(address, pos)
    if m is None:
        return None
    return modules, "data" if m.group(1) else "resource", m.group(2), m.group(3), _key(m.group(5))


def _key(text: str | None) -> Any:
    if text is None:
        return None
    if text.startswith('"'):
        import json

        return json.loads(text)
    return int(text)


def _instance_key(key: Any) -> str:
    import json

    return "" if key is None else f"[{json.dumps(key) if isinstance(key, str) else key}]"


@dataclass
class Instances:
    """What ``count`` / ``for_each`` say about a block: ``None`` when it has neither, else the
    instance keys (ints for count, strings for for_each) with each key's ``each.value``; or
    Unknown when they cannot be evaluated."""

    keys: list[tuple[Any, Any]] | None | Unknown


def instances(block: hcl.Block, scope: hcl.Scope) -> Instances:
    if "count" in block.attributes:
        n = _guarded(block.attributes["count"].expr, scope)
        if not hcl.is_known(n):
            return Instances(hcl._unknown_of(n) if not isinstance(n, Unknown) else
                             Unknown(f"its count cannot be evaluated here ({n.reason})"))
        if isinstance(n, bool) or not isinstance(n, (int, float)):
            return Instances(Unknown(f"its count is not a number ({n!r})"))
        return Instances([(i, None) for i in range(int(n))])
    if "for_each" in block.attributes:
        coll = _guarded(block.attributes["for_each"].expr, scope)
        if isinstance(coll, dict):
            return Instances([(k, coll[k]) for k in sorted(coll)])
        if isinstance(coll, list):
            if not all(isinstance(v, str) and not isinstance(v, hcl.Ref) for v in coll):
                return Instances(Unknown("its for_each set holds values that are not known strings"))
            return Instances([(v, v) for v in sorted(set(coll))])
        if coll is None:
            return Instances(Unknown("its for_each is null"))
        found = coll if isinstance(coll, Unknown) else hcl._unknown_of(coll)
        return Instances(Unknown(f"its for_each cannot be evaluated here ({found.reason})"))
    return Instances(None)


@dataclass
class SourceInstance:
    """One resource (or data) instance found in the source: its block and the scope to evaluate
    it in, and whether Terraform creates it."""

    address: str
    block: hcl.Block
    scope: InstanceScope
    exists: bool | Unknown  # False: count/for_each give no such instance (here or on a module call above)
    why_absent: str = ""

    def conf(self) -> dict[str, Any]:
        """The block's attributes and nested blocks evaluated, in checkov's HCL conf shape."""
        return _conf(self.block, self.scope)


def _conf(block: hcl.Block, scope: hcl.Scope) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, attr in block.attributes.items():
        if name in _META_ARGUMENTS:
            continue
        expr = attr.expr
        if expr[0] == "call" and expr[1] == "jsonencode" and len(expr[2]) == 1 and not expr[3]:
            expr = expr[2][0]  # a JSON attribute keeps its structure, with references in it (as checkov gives it)
        out[name] = [_guarded(expr, scope)]
    dynamics: list[dict[str, Any]] = []
    for child in block.blocks:
        if child.type in _META_ARGUMENTS:
            continue
        if child.type != "dynamic" or not child.labels:
            out.setdefault(child.type, []).append(_conf(child, scope))
            continue
        label = child.labels[0]
        iterator = label
        if "iterator" in child.attributes and child.attributes["iterator"].expr[0] == "name":
            iterator = child.attributes["iterator"].expr[1]
        for_each = _guarded(child.attributes["for_each"].expr, scope) if "for_each" in child.attributes else \
            Unknown("the dynamic block has no for_each")
        if isinstance(for_each, dict):
            items = sorted(for_each.items())
        elif isinstance(for_each, list) and all(not isinstance(v, (Unknown, hcl.Ref)) for v in for_each):
            items = list(enumerate(for_each))
        else:
            reason = for_each if isinstance(for_each, Unknown) else hcl._unknown_of(for_each) if not hcl.is_known(for_each) \
                else Unknown(f"the for_each of the dynamic {label} block is {for_each!r}")
            dynamics.append({label: {"for_each": [reason]}})
            continue
        contents = child.children("content")
        for k, v in items:
            inner = _DynamicScope(scope, iterator, {"key": k, "value": v})
            out.setdefault(label, []).extend(_conf(c, inner) for c in contents)
        dynamics.append({label: {"for_each": [[v for _, v in items]], "expanded": [True]}})
    if dynamics:
        out["dynamic"] = dynamics
    return out


class _DynamicScope(hcl.Scope):
    """Inside a dynamic block's content: the iterator (``<label>.key`` / ``.value``) on top of the
    enclosing scope."""

    def __init__(self, outer: hcl.Scope, name: str, value: dict[str, Any]) -> None:
        self.outer = outer
        self.each, self.count_index, self.module_path = outer.each, outer.count_index, outer.module_path
        self.iterators = {**outer.iterators, name: value}

    def var(self, name: str) -> Any:
        return self.outer.var(name)

    def local(self, name: str) -> Any:
        return self.outer.local(name)

    def prefix(self) -> str:
        return self.outer.prefix()


def find(file_path: str, address: str, module_chain: list[tuple[str, str]],
         root_values: dict[str, Any] | None = None) -> SourceInstance | None:
    """The source of the resource at ``address``, defined in ``file_path``; ``module_chain`` lists
    each module call above it, outermost first, as (file holding the call, call name). None when
    the source cannot be found (the caller then keeps checkov's rendering)."""
    parsed = parse_address(address)
    if parsed is None:
        return None
    modules, mode, rtype, name, key = parsed
    if len(modules) != len(module_chain):
        return None
    dirs = [os.path.dirname(p) for p, _ in module_chain] + [os.path.dirname(file_path)]
    root = module_dir(dirs[0])
    if root.error is not None:
        return None
    scope: ModuleScope = ModuleScope(root, "", values=root_values)
    exists: bool | Unknown = True
    why = ""
    for i, (call_name, call_key) in enumerate(modules):
        parent_dir = module_dir(dirs[i])
        call = parent_dir.modules.get(call_name)
        child = module_dir(dirs[i + 1])
        if call is None or child.error is not None:
            return None
        call_instances = instances(call, scope)
        each, index = _which(call_instances, call_key)
        if isinstance(call_instances.keys, Unknown):
            if exists is True:
                exists, why = Unknown(f"whether Terraform creates module.{call_name} is unknown: {call_instances.keys.reason}"), ""
        elif call_instances.keys is not None and (each is None and index is None):
            exists, why = False, f"module.{call_name} has no such instance ({_count_text(call, call_instances)})"
        prefix = scope.prefix() + f"module.{call_name}{_instance_key(call_key)}."
        scope = ModuleScope(child, prefix, InstanceScope(scope, each if isinstance(each, tuple) else None, index), call)
    block = scope.mod.resources.get((mode, rtype, name))
    if block is None:
        return None
    own = instances(block, scope)
    if key is None and isinstance(own.keys, list) and len(own.keys) == 1:
        key = own.keys[0][0]  # checkov names a single instance without its index
    each, index = _which(own, key)
    if isinstance(own.keys, Unknown):
        if exists is True:
            exists = Unknown(f"whether Terraform creates {rtype}.{name} is unknown: {own.keys.reason}")
    elif own.keys is not None and exists is True and each is None and index is None:
        if key is None and own.keys:
            exists = True  # checkov did not expand the instances; see expand()
        else:
            exists, why = False, f"{rtype}.{name} has no such instance ({_count_text(block, own)})"
    inst = InstanceScope(scope, each if isinstance(each, tuple) else None, index)
    return SourceInstance(address, block, inst, exists, why)


def for_plan(plan_path: str, address: str) -> SourceInstance | None:
    """The source of a plan's resource, when the plan file sits in its root module's directory
    (``terraform show -json tfplan > plan.json`` in the root): module calls are followed through
    their local ``source`` paths, and root variables take the plan's values. None otherwise."""
    from prr_policies.sources.terraform import plan as _plan

    index = _plan.load(plan_path)
    parsed = parse_address(address)
    if index is None or parsed is None:
        return None
    directory = os.path.dirname(os.path.abspath(plan_path))
    chain: list[tuple[str, str]] = []
    for name, _key in parsed[0]:
        call = module_dir(directory).modules.get(name)
        src = call.attributes.get("source") if call is not None else None
        where = src.expr[1] if src is not None and src.expr[0] == "lit" else None
        if not isinstance(where, str) or not where.startswith(("./", "../")):
            return None
        chain.append((os.path.join(directory, "main.tf"), name))
        directory = os.path.normpath(os.path.join(directory, where))
    found = find(os.path.join(directory, "main.tf"), address, chain, index.variables)
    return found if found is not None and found.exists is True else None


@lru_cache(maxsize=4096)
def _evaluated_for_plan(plan_path: str, stamp: tuple[int, int] | None, address: str) -> dict[str, Any] | None:
    found = for_plan(plan_path, address)
    return found.conf() if found is not None else None


def evaluated_for_plan(plan_path: str, address: str) -> dict[str, Any] | None:
    """:func:`for_plan`'s resource evaluated (in checkov's conf shape), once per plan file."""
    return _evaluated_for_plan(plan_path, _stamp(plan_path), address)


def expand(found: SourceInstance) -> list[SourceInstance]:
    """The instances of a resource whose address has no instance key although its source has
    count or for_each (checkov did not expand it): one per key; else the resource itself."""
    parsed = parse_address(found.address)
    if parsed is None or parsed[4] is not None:
        return [found]
    own = instances(found.block, found.scope.module)
    if not isinstance(own.keys, list) or not own.keys:
        return [found]
    out = []
    for k, v in own.keys:
        each = (k, v) if "for_each" in found.block.attributes else None
        index = k if "count" in found.block.attributes else None
        out.append(SourceInstance(found.address + _instance_key(k), found.block, InstanceScope(found.scope.module, each, index),
                                  found.exists, found.why_absent))
    return out


def _which(inst: Instances, key: Any) -> tuple[Any, Any]:
    """(each, count_index) of the instance ``key`` names; (None, None) when there is none."""
    if not isinstance(inst.keys, list):
        return None, None
    for k, v in inst.keys:
        if k == key and type(k) is type(key):
            return ((k, v), None) if isinstance(k, str) else (None, k)
    return None, None


def _count_text(block: hcl.Block, inst: Instances) -> str:
    if "count" in block.attributes:
        return f"count = {len(inst.keys) if isinstance(inst.keys, list) else '?'}"
    return "for_each is empty" if inst.keys == [] else "for_each has no such key"


_TRIGGER = re.compile(r'^\s*(count|for_each)\s*=|^\s*dynamic\s+"|\beach\.|\bcount\.index|\?|\b(?!jsonencode\b)[a-z][a-z0-9_]*\(|'
                      r'\bvar\.|\blocal\.', re.M)


_HINTS = ("count", "for_each", "dynamic", "each.", "?", "(", "var.", "local.")


def needs_source(text: str) -> bool:
    """Whether a block's source text holds anything checkov may render wrongly or drop (count,
    for_each, dynamic blocks, each/count, conditionals, function calls, variables and locals).
    Plain literals and references to other resources do not need it."""
    return any(h in text for h in _HINTS) and bool(_TRIGGER.search(text))
