"""YAML for the files users and the package write (prr.yaml, the catalog): safe loading, and
a duplicate mapping key is an error naming the key and both lines (PyYAML keeps the last value
silently, so a second ``lambda:`` block would quietly drop the first)."""

from __future__ import annotations

from typing import Any

import yaml

from prr_policies.errors import InputError

_MERGE = "tag:yaml.org,2002:merge"
# libyaml's parser where PyYAML was built with it (the catalog loads about ten times faster).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _key(node: yaml.Node) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) else f"<{node.tag.rsplit(':', 1)[-1]}>"


def _check_unique(node: yaml.Node | None, source: str, path: str, seen_nodes: set[int]) -> None:
    if node is None or id(node) in seen_nodes:  # aliases may point back up the tree
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                continue
            name = _key(key_node)
            where = f"{path}.{name}" if path else name
            ident = (key_node.tag, name)
            line = key_node.start_mark.line + 1
            if ident in first:
                raise InputError(source, where, f"duplicate key (lines {first[ident]} and {line}); "
                                 "YAML would keep only the last one: merge them")
            first[ident] = line
            _check_unique(value_node, source, where, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_unique(item, source, f"{path}[{i}]", seen_nodes)


def load(text: str, source: str) -> Any:
    """The document in ``text``; InputError naming ``source`` and the place for invalid YAML or a
    duplicate key."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        _check_unique(node, source, "", set())
        return None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(source, where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise InputError(source, "", "not valid YAML: nested too deeply") from None
    finally:
        loader.dispose()
