"""What ``prr-policies scan`` reads before checkov runs, and the checks that make a scan fail closed.

- Terraform files (``.tf`` through python-hcl2, checkov's own parser; ``.tf.json`` as JSON): a file
  that does not parse is an :class:`InputError` naming it.
- Module calls, with their addresses (``module.a.module.b``), so that a call checkov did not read
  (a registry or git source without ``--download-external-modules``, a missing local folder)
  becomes a finding instead of a silent gap.
- Root modules under a path: a directory holding Terraform files is a root unless another directory
  under the path calls it as a local module (``source = "./..."`` or ``"../..."``).
- ``terraform show -json`` documents: a plan (``planned_values``) or a state (``values``), with a
  supported ``format_version`` and the shape checkov reads; a state is handed to checkov as a
  plan-shaped copy whose lines match the original.

No checkov import here; python-hcl2 is imported only when a ``.tf`` file is read.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from prr_policies.errors import EvaluationError, InputError, MissingDependency

TF_SUFFIXES = (".tf", ".tf.json")
# Directories checkov never walks into (its IGNORED_DIRECTORIES default, plus every hidden one).
IGNORED_DIRS = frozenset({"node_modules", ".terraform", ".serverless"})
# Terraform's JSON output formats: 0.1 (Terraform 0.12-0.14), 0.2 (0.15), 1.x (1.0 and later;
# a minor version only adds fields).
SUPPORTED_FORMATS = "0.1, 0.2 and 1.x"
_FORMAT = re.compile(r"^(0\.[12]|1\.\d+)$")


def is_tf_file(path: Path) -> bool:
    return path.name.endswith(TF_SUFFIXES)


def tf_files(directory: Path) -> list[Path]:
    """The Terraform files of one directory (not its subdirectories)."""
    try:
        return sorted(p for p in directory.iterdir() if p.is_file() and is_tf_file(p))
    except OSError:
        return []


def tf_dirs(path: Path) -> list[Path]:
    """Every directory under ``path`` (itself included) holding Terraform files, skipping the
    directories checkov skips."""
    found = []
    for current, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS and not d.startswith("."))
        if any(f.endswith(TF_SUFFIXES) for f in files):
            found.append(Path(current).resolve())
    return found


def _hcl2() -> Any:
    try:
        import hcl2  # checkov's HCL parser (bc-python-hcl2)
    except ImportError:
        raise MissingDependency("hcl2", "reading Terraform (python-hcl2, checkov's parser)") from None
    return hcl2


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def parse_tf(path: Path) -> dict[str, Any]:
    """One Terraform file as python-hcl2 / JSON gives it; InputError when it does not parse."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), "", f"cannot read: {_first_line(exc)}") from None
    if path.name.endswith(".tf.json"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), "", f"malformed Terraform JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise InputError(str(path), "", "malformed Terraform JSON: expected an object at the top")
        check_json_blocks(path, doc)
        return doc
    hcl2 = _hcl2()
    try:
        doc = hcl2.loads(text)
    except Exception as exc:  # noqa: BLE001 - lark raises many types; report the first line
        raise InputError(str(path), "", f"malformed HCL: {_first_line(exc)}") from None
    if not isinstance(doc, dict):
        raise InputError(str(path), "", "malformed HCL")
    check_blocks(path, doc)
    return doc


# Top-level block types of the Terraform language, with the number of labels where it is fixed.
BLOCK_LABELS: dict[str, int | None] = {
    "resource": 2, "data": 2, "ephemeral": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
    "locals": 0, "terraform": 0, "moved": 0, "import": 0, "removed": 0, "check": 1,
}


def _is_body(node: Any) -> bool:
    """python-hcl2 gives a block body as a dict whose values are lists (attributes are wrapped,
    nested blocks are lists) apart from its line markers; another dict level is another label."""
    return isinstance(node, dict) and all(isinstance(v, list) or k.startswith("__") for k, v in node.items())


def check_json_blocks(path: Path, doc: dict[str, Any]) -> None:
    """The same for Terraform JSON: each label is an object key, a body an object (or an array of them)."""
    for kind, value in doc.items():
        if kind == "//":
            continue
        if kind not in BLOCK_LABELS:
            raise InputError(str(path), kind, f"unexpected top-level property (Terraform allows only "
                             f"{', '.join(sorted(BLOCK_LABELS))} here)")
        nodes: list[tuple[str, Any]] = [(kind, value)]
        for _ in range(BLOCK_LABELS[kind] or 0):
            bad = next((where for where, node in nodes if not isinstance(node, dict)), None)
            if bad is not None:
                raise InputError(str(path), bad, "expected an object keyed by block label")
            nodes = [(f"{where}.{k}", v) for where, node in nodes for k, v in node.items() if k != "//"]
        for where, node in nodes:
            bodies = node if isinstance(node, list) else [node]
            if not all(isinstance(b, dict) for b in bodies):
                raise InputError(str(path), where, "expected a block body (an object)")


def check_blocks(path: Path, doc: dict[str, Any]) -> None:
    """InputError for what Terraform rejects and checkov would skip without a word: an argument or
    an unknown block at the top level, a block with the wrong number of labels."""
    for kind, blocks in doc.items():
        if kind not in BLOCK_LABELS:
            what = "argument" if not (isinstance(blocks, list) and blocks and all(isinstance(b, dict) for b in blocks)) else "block type"
            raise InputError(str(path), kind, f"unexpected top-level {what} (Terraform allows only "
                             f"{', '.join(sorted(BLOCK_LABELS))} blocks here)")
        labels = BLOCK_LABELS[kind]
        if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
            raise InputError(str(path), kind, f"expected {kind} blocks")
        if labels is None or labels == 0:
            continue
        for block in blocks:
            nodes: list[tuple[str, Any]] = [(kind, block)]
            for _ in range(labels):
                nodes = [(f"{where}.{k}", v) for where, node in nodes if isinstance(node, dict)
                         for k, v in node.items() if not k.startswith("__")]
                bad = next((where for where, node in nodes if not isinstance(node, dict)), None)
                if bad is not None or not nodes:
                    raise InputError(str(path), bad or kind, f"a {kind} block takes {labels} label(s)")
            bad = next((where for where, node in nodes if not _is_body(node)), None)
            if bad is not None:
                raise InputError(str(path), bad, f"a {kind} block takes {labels} label(s)")


@dataclass(frozen=True)
class ModuleCall:
    """A ``module "name" { source = ... }`` block."""

    name: str
    source: str
    version: str | None
    file: Path
    lines: tuple[int, int]

    @property
    def is_local(self) -> bool:
        return self.source.startswith(("./", "../")) or self.source in (".", "..")

    @property
    def local_dir(self) -> Path | None:
        return (self.file.parent / self.source).resolve() if self.is_local else None


def _unwrap(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _json_line(text: str, name: str) -> int:
    match = re.search(r'"module"\s*:', text)
    start = match.end() if match else 0
    at = text.find(json.dumps(name), start)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def module_calls(path: Path, doc: dict[str, Any]) -> list[ModuleCall]:
    """The module calls of one parsed file; InputError for a call without a literal source."""
    blocks = doc.get("module") or []
    if isinstance(blocks, dict):  # Terraform JSON: {"name": {...}}
        blocks = [blocks]
    if not isinstance(blocks, list):
        raise InputError(str(path), "module", "expected module blocks")
    text = path.read_text(encoding="utf-8-sig") if path.name.endswith(".tf.json") else ""
    calls = []
    for block in blocks:
        if not isinstance(block, dict):
            raise InputError(str(path), "module", "expected module blocks")
        for name, body in block.items():
            bodies = body if isinstance(body, list) else [body]
            for one in bodies:
                source = _unwrap(one.get("source")) if isinstance(one, dict) else None
                if not isinstance(source, str) or not source:
                    raise InputError(str(path), f"module.{name}.source", "expected a literal module source")
                version = _unwrap(one.get("version"))
                if text:
                    line = _json_line(text, name)
                    lines = (line, line)
                else:
                    lines = (int(one.get("__start_line__", 1)), int(one.get("__end_line__", one.get("__start_line__", 1))))
                calls.append(ModuleCall(name, source, version if isinstance(version, str) else None, path, lines))
    return calls


@dataclass
class Tree:
    """Every Terraform directory under a scanned path, parsed once."""

    path: Path
    dirs: list[Path]
    calls: dict[Path, list[ModuleCall]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> "Tree":
        tree = cls(path.resolve(), tf_dirs(path))
        for d in tree.dirs:
            tree.calls[d] = tree.read_dir(d)
        return tree

    @staticmethod
    def read_dir(directory: Path) -> list[ModuleCall]:
        return [call for f in tf_files(directory) for call in module_calls(f, parse_tf(f))]

    def calls_of(self, directory: Path) -> list[ModuleCall]:
        """The calls of a directory, reading it when it lies outside the scanned path."""
        if directory not in self.calls:
            self.calls[directory] = self.read_dir(directory) if directory.is_dir() else []
        return self.calls[directory]

    def roots(self) -> list[Path]:
        """Directories that no other directory under the path calls as a local module. When every
        directory is called by another (a cycle), the scanned path is the one root."""
        under = set(self.dirs)
        called = {c.local_dir for d in self.dirs for c in self.calls[d]
                  if c.local_dir is not None and c.local_dir != d and c.local_dir in under}
        roots = [d for d in self.dirs if d not in called]
        return roots or ([self.path] if self.dirs else [])

    def addressed_calls(self, root: Path) -> list[tuple[str, ModuleCall]]:
        """Every module call reachable from a root, with the module address it gives its
        resources (``module.a.module.b``); local modules are followed, cycles cut."""
        out: list[tuple[str, ModuleCall]] = []

        def walk(directory: Path, prefix: str, stack: tuple[Path, ...]) -> None:
            for call in self.calls_of(directory):
                address = f"{prefix}module.{call.name}"
                out.append((address, call))
                target = call.local_dir
                if target is not None and target not in stack and target.is_dir():
                    walk(target, address + ".", stack + (target,))

        walk(root, "", (root,))
        return out

    def closure(self, root: Path) -> set[Path]:
        """The root and every local module directory it loads."""
        return {root} | {c.local_dir for _, c in self.addressed_calls(root) if c.local_dir is not None}


def has_tf_files(directory: Path | None) -> bool:
    return directory is not None and directory.is_dir() and bool(tf_files(directory))


# -- terraform show -json: plans and states ---------------------------------------------------------


@dataclass(frozen=True)
class ShowJson:
    """A validated ``terraform show -json`` document."""

    path: Path
    kind: str  # "plan" or "state"
    format_version: str
    text: str
    has_resources: bool


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def _expect(path: Path, where: str, value: Any, kind: type, what: str) -> None:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InputError(str(path), where, f"expected {what}, got {_type_name(value)}")


def _check_module(path: Path, where: str, node: Any) -> int:
    """Validate a ``root_module``/``child_modules[i]`` node; returns how many resources it holds."""
    _expect(path, where, node, dict, "an object")
    count = 0
    resources = node.get("resources", [])
    _expect(path, f"{where}.resources", resources, list, "an array")
    for i, res in enumerate(resources):
        at = f"{where}.resources[{i}]"
        _expect(path, at, res, dict, "an object")
        for key in ("type", "name"):
            _expect(path, f"{at}.{key}", res.get(key), str, "a string")
        for key in ("address", "mode"):
            if key in res:
                _expect(path, f"{at}.{key}", res[key], str, "a string")
        if "values" in res and res["values"] is not None:
            _expect(path, f"{at}.values", res["values"], dict, "an object")
        count += 1
    children = node.get("child_modules", [])
    _expect(path, f"{where}.child_modules", children, list, "an array")
    for i, child in enumerate(children):
        at = f"{where}.child_modules[{i}]"
        _expect(path, at, child, dict, "an object")
        if "address" in child:
            _expect(path, f"{at}.address", child["address"], str, "a string")
        count += _check_module(path, at, child)
    return count


def _check_values(path: Path, where: str, values: Any) -> int:
    """Validate a ``planned_values``/``values`` object; returns how many resources it holds."""
    if values is None:
        return 0
    _expect(path, where, values, dict, "an object")
    if "root_module" not in values:
        return 0
    return _check_module(path, f"{where}.root_module", values["root_module"])


def _check_changes(path: Path, doc: dict[str, Any]) -> None:
    changes = doc.get("resource_changes")
    if changes is None:
        return
    _expect(path, "resource_changes", changes, list, "an array")
    for i, rc in enumerate(changes):
        at = f"resource_changes[{i}]"
        _expect(path, at, rc, dict, "an object")
        for key in ("address", "type", "name"):
            _expect(path, f"{at}.{key}", rc.get(key), str, "a string")
        change = rc.get("change")
        _expect(path, f"{at}.change", change, dict, "an object")
        _expect(path, f"{at}.change.actions", change.get("actions"), list, "an array")
        for key in ("before", "after"):
            if change.get(key) is not None:
                _expect(path, f"{at}.change.{key}", change[key], dict, "an object")
        if isinstance(change.get("after_unknown"), (list, str, int, float)) and not isinstance(change["after_unknown"], bool):
            _expect(path, f"{at}.change.after_unknown", change["after_unknown"], dict, "an object")


def _check_configuration(path: Path, doc: dict[str, Any]) -> None:
    conf = doc.get("configuration")
    if conf is None:
        return
    _expect(path, "configuration", conf, dict, "an object")
    if "provider_config" in conf:
        _expect(path, "configuration.provider_config", conf["provider_config"], dict, "an object")

    def module(where: str, node: Any) -> None:
        _expect(path, where, node, dict, "an object")
        resources = node.get("resources", [])
        _expect(path, f"{where}.resources", resources, list, "an array")
        for i, res in enumerate(resources):
            _expect(path, f"{where}.resources[{i}]", res, dict, "an object")
            for key in ("type", "name"):
                _expect(path, f"{where}.resources[{i}].{key}", res.get(key), str, "a string")
            if "expressions" in res:
                _expect(path, f"{where}.resources[{i}].expressions", res["expressions"], dict, "an object")
        calls = node.get("module_calls", {})
        _expect(path, f"{where}.module_calls", calls, dict, "an object")
        for name, call in calls.items():
            _expect(path, f"{where}.module_calls.{name}", call, dict, "an object")
            if "module" in call:
                module(f"{where}.module_calls.{name}.module", call["module"])

    if "root_module" in conf:
        module("configuration.root_module", conf["root_module"])


def read_show_json(path: Path) -> ShowJson:
    """Read and validate a ``terraform show -json`` plan or state; InputError naming the file and
    the path inside it for anything checkov would crash on or silently skip."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), "", f"cannot read: {_first_line(exc)}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), "", f"malformed plan JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(str(path), "format_version", f"not a `terraform show -json` plan or state ({_type_name(doc)}, "
                         "not an object with a format_version)")
    if "format_version" not in doc:
        if "resources" in doc and "version" in doc:
            raise InputError(str(path), "", f"a raw Terraform state file (version {doc.get('version')}); scan reads "
                             "`terraform show -json` output: run `terraform show -json > state.json` in the configuration")
        raise InputError(str(path), "format_version", "not a `terraform show -json` plan or state (no format_version)")
    version = doc["format_version"]
    if not isinstance(version, str) or not _FORMAT.match(version):
        raise InputError(str(path), "format_version", f"unsupported format_version {version!r}: the supported versions "
                         f"are {SUPPORTED_FORMATS} (Terraform 0.12 and later)")
    if "terraform_version" in doc:
        _expect(path, "terraform_version", doc["terraform_version"], str, "a string")
    plan_keys = {"planned_values", "resource_changes", "configuration", "prior_state"} & set(doc)
    if plan_keys:
        if "values" in doc:
            raise InputError(str(path), "values", "a plan does not hold top-level values (is this a plan or a state?)")
        count = _check_values(path, "planned_values", doc.get("planned_values"))
        _check_changes(path, doc)
        _check_configuration(path, doc)
        if "prior_state" in doc:
            _expect(path, "prior_state", doc["prior_state"], dict, "an object")
            _check_values(path, "prior_state.values", doc["prior_state"].get("values"))
        return ShowJson(path, "plan", version, text, count > 0)
    if "values" in doc or set(doc) <= {"format_version", "terraform_version"}:
        count = _check_values(path, "values", doc.get("values"))
        return ShowJson(path, "state", version, text, count > 0)
    raise InputError(str(path), "", "neither a plan (planned_values) nor a state (values): "
                     "not `terraform show -json` output")


def _top_level_key(text: str, key: str) -> tuple[int, int] | None:
    """The span of the string token naming ``key`` in the top-level object of a JSON text."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            if depth == 1:
                k = j + 1
                while k < n and text[k] in " \t\r\n":
                    k += 1
                if k < n and text[k] == ":" and json.loads(text[i:j + 1]) == key:
                    return i, j + 1
            i = j + 1
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
        i += 1
    return None


def state_as_plan(show: ShowJson) -> str:
    """The text of a state document with its top-level ``values`` renamed ``planned_values``:
    checkov reads it as a plan of what is deployed, and every line stays where it was."""
    span = _top_level_key(show.text, "values")
    if span is None:
        raise EvaluationError(f"{show.path}: could not find the state's top-level values")
    return show.text[:span[0]] + '"planned_values"' + show.text[span[1]:]


def iter_tf_files(path: Path) -> Iterator[Path]:
    for d in tf_dirs(path):
        yield from tf_files(d)
