"""A small typed loader: plain data (from YAML/JSON) into frozen dataclasses.

Unknown keys, missing required keys and wrong types are errors naming the file and the path
inside it. Kept dependency-free so that ``prr_policies.controls`` stays light to import.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import types
import typing
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from prr_policies.errors import InputError

T = TypeVar("T")
_MISSING = dataclasses.MISSING


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def parse(tp: Any, data: Any, source: str, path: str = "") -> Any:
    """Convert ``data`` to type ``tp``, raising InputError(source, path, reason) on mismatch."""
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = get_args(tp)
        if data is None and type(None) in args:
            return None
        real = [a for a in args if a is not type(None)]
        if len(real) == 1:  # Optional[X]: X's own error, with its own path
            return parse(real[0], data, source, path)
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return parse(arg, data, source, path)
            except InputError as exc:
                errors.append(exc.reason)
        raise InputError(source, path, "; ".join(errors) or f"unexpected value {data!r}")
    if origin is typing.Literal:
        if data in get_args(tp):
            return data
        allowed = ", ".join(repr(a) for a in get_args(tp))
        raise InputError(source, path, f"{data!r} is not one of {allowed}")
    if origin in (list, tuple):
        if not isinstance(data, list):
            raise InputError(source, path, f"expected a list, got {type(data).__name__}")
        (item_tp, *_rest) = get_args(tp) or (Any,)
        items = [parse(item_tp, v, source, _join(path, i)) for i, v in enumerate(data)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(data, dict):
            raise InputError(source, path, f"expected a mapping, got {type(data).__name__}")
        key_tp, val_tp = get_args(tp) or (Any, Any)
        return {
            parse(key_tp, k, source, _join(path, str(k))): parse(val_tp, v, source, _join(path, str(k)))
            for k, v in data.items()
        }
    if tp is Any:
        return data
    if dataclasses.is_dataclass(tp):
        return parse_dataclass(tp, data, source, path)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(data)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in tp)
            raise InputError(source, path, f"{data!r} is not one of {allowed}") from None
    if tp is bool:
        if isinstance(data, bool):
            return data
    elif tp is int:
        if isinstance(data, int) and not isinstance(data, bool):
            return data
    elif tp is float:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return float(data)
    elif tp is str:
        if isinstance(data, str):
            return data
    elif tp is datetime.date:
        if isinstance(data, datetime.date) and not isinstance(data, datetime.datetime):
            return data
        if isinstance(data, str):
            try:
                return datetime.date.fromisoformat(data)
            except ValueError:
                pass
        raise InputError(source, path, f"expected a date (YYYY-MM-DD), got {data!r}")
    else:
        raise TypeError(f"unsupported field type {tp!r}")
    raise InputError(source, path, f"expected {_type_name(tp)}, got {type(data).__name__} {data!r}")


def parse_dataclass(cls: type[T], data: Any, source: str, path: str = "") -> T:
    if not isinstance(data, dict):
        raise InputError(source, path, f"expected a mapping, got {type(data).__name__}")
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and not f.metadata.get("internal")}  # type: ignore[arg-type]
    aliases = {f.metadata.get("key", f.name): f.name for f in fields.values()}
    unknown = sorted(str(k) for k in data if k not in aliases)
    if unknown:
        raise InputError(
            source, _join(path, unknown[0]),
            f"unknown field (allowed: {', '.join(sorted(aliases))})",
        )
    kwargs = {}
    for key, name in aliases.items():
        field = fields[name]
        if key in data:
            kwargs[name] = parse(hints[name], data[key], source, _join(path, key))
        elif field.default is _MISSING and field.default_factory is _MISSING:  # type: ignore[misc]
            raise InputError(source, _join(path, key), "required field is missing")
    obj = cls(**kwargs)
    check = getattr(obj, "validate", None)
    if check is not None:
        check(source, path)
    return obj
