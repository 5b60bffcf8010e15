"""A ``terraform show -json`` plan read directly, for what checkov leaves out of the conf it
hands a check in plan mode (measured with checkov 3.3.30): ``after_unknown`` (used only with
``EVAL_TF_PLAN_AFTER_UNKNOWN``, and then as a marker string), ``after_sensitive``, and the
``configuration`` section (checkov copies one reference per attribute, skipping ``var.`` and
``local.``). Read through the path checkov gives in each conf's ``__file__``, parsed once per
file and stamp.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_KEY = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]')


@dataclass(frozen=True)
class PlanResource:
    address: str
    mode: str  # managed | data
    type: str
    actions: tuple[str, ...]
    after: dict[str, Any]
    after_unknown: dict[str, Any]
    after_sensitive: dict[str, Any]
    expressions: dict[str, Any]  # the resource's block in `configuration`, {} when not found
    module_prefix: str  # module.a["k"]. ('' at the root)


@dataclass
class PlanIndex:
    path: str
    resources: dict[str, PlanResource] = field(default_factory=dict)
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)  # "module.a.aws_x.y" (no instance keys) -> config block
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)  # "module.a" (no keys) -> module call
    format_version: str = ""
    terraform_version: str = ""
    variables: dict[str, Any] = field(default_factory=dict)  # root variable values

    def get(self, address: str) -> PlanResource | None:
        return self.resources.get(address)

    def config(self, address: str) -> dict[str, Any] | None:
        """The configuration block of a resource or data source, by address (instance keys
        ignored: configuration is per block, not per instance)."""
        return self.configs.get(_KEY.sub("", address))

    def origin(self, prefix: str, expression: Any) -> tuple[str, Any] | None:
        """Where an attribute's value comes from: follows ``var.x`` through the module calls that
        set it. Returns (module prefix, expression) of a constant or of the first reference to
        something other than a variable or local; None when it cannot be followed."""
        for _ in range(32):
            if not isinstance(expression, dict):
                return None
            if "constant_value" in expression:
                return prefix, expression
            refs = [r for r in expression.get("references") or [] if isinstance(r, str)]
            own = [r for r in refs if not r.startswith(("var.", "local."))]
            if own:
                return prefix, {"references": own}
            var = next((r for r in refs if r.startswith("var.")), None)
            if var is None or not prefix:
                return None
            call = self.calls.get(_KEY.sub("", prefix[:-1]))
            if call is None:
                return None
            expression = (call.get("expressions") or {}).get(var.split(".")[1])
            prefix = _parent_prefix(prefix)
        return None


def _parent_prefix(prefix: str) -> str:
    steps = re.findall(r'module\.[A-Za-z_][\w-]*(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.', prefix)
    return "".join(steps[:-1])


def _walk_config(module: dict[str, Any], path: str, index: PlanIndex) -> None:
    for res in module.get("resources") or []:
        if isinstance(res, dict) and isinstance(res.get("address"), str):
            index.configs[path + res["address"]] = res
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict):
            index.calls[path + f"module.{name}"] = call
            _walk_config(call.get("module") or {}, path + f"module.{name}.", index)


def build(doc: dict[str, Any], path: str = "") -> PlanIndex:
    index = PlanIndex(path, format_version=str(doc.get("format_version", "")),
                      terraform_version=str(doc.get("terraform_version", "")))
    _walk_config((doc.get("configuration") or {}).get("root_module") or {}, "", index)
    index.variables = {k: v["value"] for k, v in (doc.get("variables") or {}).items() if isinstance(v, dict) and "value" in v}
    for rc in doc.get("resource_changes") or []:
        if not isinstance(rc, dict) or not isinstance(rc.get("address"), str):
            continue
        change = rc.get("change") or {}
        address = rc["address"]
        module = rc.get("module_address")
        prefix = f"{module}." if isinstance(module, str) and module else ""
        rel = address[len(prefix):]
        config = index.configs.get(_KEY.sub("", prefix) + _KEY.sub("", rel)) or {}
        index.resources[address] = PlanResource(
            address=address, mode=str(rc.get("mode", "managed")), type=str(rc.get("type", "")),
            actions=tuple(change.get("actions") or ()), after=change.get("after") if isinstance(change.get("after"), dict) else {},
            after_unknown=change.get("after_unknown") if isinstance(change.get("after_unknown"), dict) else {},
            after_sensitive=change.get("after_sensitive") if isinstance(change.get("after_sensitive"), dict) else {},
            expressions=config.get("expressions") or {}, module_prefix=prefix)
    return index


@lru_cache(maxsize=16)
def _load(path: str, stamp: tuple[int, int]) -> PlanIndex | None:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return None
    return build(doc, path) if isinstance(doc, dict) else None


def load(path: str) -> PlanIndex | None:
    """The plan at ``path`` (None when it cannot be read as a plan)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _load(path, (st.st_mtime_ns, st.st_size))
