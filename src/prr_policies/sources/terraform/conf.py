"""Reading one Terraform resource's checkov conf, for HCL and plan JSON alike.

Quirks of checkov's resource conf that this module absorbs (measured with checkov 3.3.30):
- scalars arrive wrapped once (``{'timeout': [30]}``), list attributes twice (``[['a', 'b']]``),
  nested blocks as lists of dicts;
- plan JSON carries every schema attribute, unset ones as ``[None]``, empty blocks as ``[[]]``,
  and checkov adds ``__file__``/``start_line``-style keys inside nested blocks;
- in a plan, an attribute missing from ``values`` is known only after apply; checkov puts a
  reference string there when the expression references another resource;
- unresolved variables stay as ``'var.x'``, partly rendered strings keep ``${var.x}``;
- ``dynamic`` blocks are injected even when ``for_each`` is empty.

:class:`Conf` reads a resource the way :class:`prr_policies.sources.aws_shapes.View` reads an
AWS response (``string``, ``integer``, ``boolean``, ``strings``, ``block``, ``document``): a value,
None when unset, or ``Unknown(reason)``. No checkov import.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from prr_policies.facts import Unknown


def provider_defaults(resource_type: str) -> dict[str, Any]:
    """Attribute values the AWS provider fills in when the configuration leaves them out (from
    the kind registry). A plan shows these values; applying them to HCL keeps both paths'
    verdicts identical."""
    from prr_policies.sources.kinds import terraform_defaults

    return terraform_defaults(resource_type)

_META_KEYS = frozenset({
    "__file__", "__startline__", "__endline__", "start_line", "end_line",
    "__start_line__", "__end_line__", "__address__", "references_",
    "__change_actions__", "__change_keys__",
})
_UNRESOLVED = re.compile(r"(^|\$\{|[^\w.])(var|local|module)\.[A-Za-z_]")
_REFERENCE = re.compile(r"^(data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*(\[[^\]]*\])?(\.[\w\[\]\"*-]+)*$")
_AFTER_APPLY = "true_after_unknown"  # checkov's marker with EVAL_TF_PLAN_AFTER_UNKNOWN


def is_plan_conf(conf: dict[str, Any]) -> bool:
    """Plan-JSON confs carry checkov's ``start_line``/``__startline__`` keys, HCL ``__start_line__``."""
    return "__startline__" in conf or "start_line" in conf


def _classify_string(value: str) -> str | Unknown:
    if value == _AFTER_APPLY:
        return Unknown("the value is known only after apply")
    if _UNRESOLVED.search(value):
        return Unknown(f"it depends on an unresolved expression ({value})")
    return value


def _clean(value: Any) -> Any:
    """Strip checkov's bookkeeping keys and classify strings, recursively."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in _META_KEYS}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return _classify_string(value)
    return value


@dataclass(frozen=True)
class Conf:
    """One resource's checkov conf, with the mode-aware readers rules need."""

    resource_type: str
    raw: dict[str, Any]
    plan: bool = field(default=False)

    @classmethod
    def of(cls, resource_type: str, conf: dict[str, Any]) -> "Conf":
        return cls(resource_type, conf if isinstance(conf, dict) else {}, is_plan_conf(conf) if isinstance(conf, dict) else False)

    @property
    def address(self) -> str:
        addr = self.raw.get("__address__")
        return addr if isinstance(addr, str) else f"{self.resource_type}.<unnamed>"

    def _missing(self, key: str) -> Any:
        if self.plan:
            return Unknown(f"{key} is known only after apply")
        return provider_defaults(self.resource_type).get(key)

    def scalar(self, key: str) -> Any:
        """A scalar attribute: None when unset, Unknown when unresolved."""
        if key not in self.raw:
            return self._missing(key)
        value = self.raw[key]
        if isinstance(value, list):
            if not value:
                return None
            value = value[0]
        if isinstance(value, list) and not value:
            return None
        if isinstance(value, (dict, list)):
            return Unknown(f"{key} is not a single value")
        if value is None:
            return provider_defaults(self.resource_type).get(key) if not self.plan else None
        return _clean(value)

    def string(self, key: str) -> str | None | Unknown:
        value = self.scalar(key)
        if value is None or isinstance(value, (str, Unknown)):
            return value
        if isinstance(value, bool):
            return str(value).lower()
        return str(value)

    def integer(self, key: str) -> int | None | Unknown:
        value = self.scalar(key)
        if value is None or isinstance(value, Unknown):
            return value
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
                if _REFERENCE.match(value):
                    return Unknown(f"{key} references {value}, known only after apply")
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
            return self._missing(key)
        return _string_list(_clean(self.raw[key]))

    def block(self, key: str) -> dict[str, Any] | None | Unknown:
        """The first instance of a nested block, honouring ``dynamic`` blocks."""
        dyn = self._dynamic_for_each(key)
        if isinstance(dyn, Unknown):
            return dyn
        if dyn is False:
            return None
        if key not in self.raw:
            return Unknown(f"the {key} block is known only after apply") if self.plan else None
        value = self.raw[key]
        while isinstance(value, list) and value:
            value = value[0]
        if not isinstance(value, dict):
            return None
        cleaned = _clean(value)
        return cleaned

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
            if "for_each" not in spec:
                return True  # checkov rendered the dynamic block into its content
            for_each = spec["for_each"]
            while isinstance(for_each, list) and len(for_each) == 1 and isinstance(for_each[0], (list, dict)):
                for_each = for_each[0]
            if isinstance(for_each, str):
                cls = _classify_string(for_each)
                if isinstance(cls, Unknown):
                    return Unknown(f"the for_each of the dynamic {key} block is unresolved ({for_each})")
                return True
            return for_each not in ([], {}, None)
        return None


def _field(block: Any, key: str, plan: bool = False) -> Any:
    """A scalar field inside a cleaned block (values there are wrapped once too).

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
    return value


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
        return (value,)
    if not isinstance(value, list):
        return Unknown(f"expected a list, got {value!r}")
    for v in value:
        if isinstance(v, Unknown):
            return v
    return tuple(str(v) for v in value if v is not None) or None


def _boolean(c: Conf, key: str) -> bool | None | Unknown:
    value = c.scalar(key)
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return Unknown(f"{key} is not true or false ({value!r})")


def _document(c: Conf, key: str) -> dict[str, Any] | None | Unknown:
    """A JSON attribute: ``jsonencode({...})`` arrives as a dict in HCL, a string in a plan."""
    if key not in c.raw:
        return c._missing(key)
    value = c.raw[key]
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, dict):
        return _clean(value)
    if isinstance(value, str):
        cls = _classify_string(value)
        if isinstance(cls, Unknown):
            return cls
        if _REFERENCE.match(value):
            return Unknown(f"{key} is {value}, known only after apply")
        try:
            doc = json.loads(value)
        except ValueError:
            return Unknown(f"{key} is not JSON ({value[:60]!r})")
        return _clean(doc) if isinstance(doc, dict) else Unknown(f"{key} is not a JSON object")
    return Unknown(f"{key} cannot be read")


def _first(value: Any) -> Any:
    while isinstance(value, list) and value:
        value = value[0]
    return value
