"""Wildcards and policy variables, compiled once.

A pattern string becomes a tuple of tokens: literal text, ``*``, ``?`` and variables. Variables
exist only in ``2012-10-17`` policies; in ``2008-10-17`` ``${...}`` is literal text. ``${*}``,
``${?}`` and ``${$}`` are the literal characters. A variable with no value (and no default)
never matches: the comparison it is part of answers "no match".

Three matching dialects, as AWS documents them:

- actions: case-insensitive, ``*`` and ``?`` match anything;
- the Resource element: ``*`` and ``?`` stay inside one colon-separated part of the first five
  parts of an ARN, except that a ``*`` which ends a part "can expand to match beyond the colon
  boundaries"; in the resource part (after the fifth colon) they match any character;
- StringLike: ``*`` and ``?`` match any character; ArnLike: the six parts compared one by one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Mapping, Sequence

LIT, STAR, QMARK, VAR = 0, 1, 2, 3
_VAR_RE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT_RE = re.compile(r"^\s*([^,\s]+)\s*,\s*'((?:[^']|'')*)'\s*$")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}

Context = Mapping[str, object]  # lower-cased key -> str | list[str]


def tokenize(text: str, variables: bool) -> tuple:
    """Tokens of a pattern: (LIT, text) | (STAR,) | (QMARK,) | (VAR, key_lower, default|None)."""
    tokens: list[tuple] = []

    def literal_with_wildcards(chunk: str) -> None:
        buf = []
        for ch in chunk:
            if ch in "*?":
                if buf:
                    tokens.append((LIT, "".join(buf)))
                    buf = []
                tokens.append((STAR,) if ch == "*" else (QMARK,))
            else:
                buf.append(ch)
        if buf:
            tokens.append((LIT, "".join(buf)))

    if not variables:
        literal_with_wildcards(text)
        return _merge(tokens)
    pos = 0
    for m in _VAR_RE.finditer(text):
        literal_with_wildcards(text[pos:m.start()])
        inner = m.group(1)
        if inner in _SPECIAL:
            tokens.append((LIT, _SPECIAL[inner]))
        else:
            d = _DEFAULT_RE.match(inner)
            if d:
                tokens.append((VAR, d.group(1).lower(), d.group(2).replace("''", "'")))
            elif inner.strip() and " " not in inner.strip() and "," not in inner:
                tokens.append((VAR, inner.strip().lower(), None))
            else:  # not a well-formed variable: AWS leaves such text as it is
                literal_with_wildcards(m.group(0))
        pos = m.end()
    literal_with_wildcards(text[pos:])
    return _merge(tokens)


def _merge(tokens: list[tuple]) -> tuple:
    out: list[tuple] = []
    for t in tokens:
        if t[0] == LIT and out and out[-1][0] == LIT:
            out[-1] = (LIT, out[-1][1] + t[1])
        else:
            out.append(t)
    return tuple(out)


def has_variables(tokens: tuple) -> bool:
    return any(t[0] == VAR for t in tokens)


def resolve(tokens: tuple, ctx: Context) -> tuple | None:
    """Substitute variables with context values (as literal text); None if one has no value."""
    out = []
    for t in tokens:
        if t[0] == VAR:
            value = ctx.get(t[1])
            if isinstance(value, str):
                out.append((LIT, value))
            elif t[2] is not None:  # absent, or multivalued (which cannot be a variable)
                out.append((LIT, t[2]))
            else:
                return None
        else:
            out.append(t)
    return _merge(out)


# ---- regex construction -------------------------------------------------------------------

def _glob_regex(tokens: tuple) -> str:
    parts = []
    for t in tokens:
        parts.append(re.escape(t[1]) if t[0] == LIT else ".*" if t[0] == STAR else ".")
    return "".join(parts)


def _resource_regex(tokens: tuple) -> str:
    """Resource element: wildcards stay inside the first five colon-separated parts unless a
    ``*`` ends its part (or the whole pattern)."""
    parts: list[str] = []
    colons = 0
    flat: list[tuple] = []  # split literals into characters so we can count colons
    for t in tokens:
        if t[0] == LIT:
            flat.extend((LIT, ch) for ch in t[1])
        else:
            flat.append(t)
    for i, t in enumerate(flat):
        if t[0] == LIT:
            if t[1] == ":":
                colons += 1
            parts.append(re.escape(t[1]))
        elif colons >= 5:
            parts.append(".*" if t[0] == STAR else ".")
        elif t[0] == QMARK:
            parts.append("[^:]")
        else:
            nxt = flat[i + 1] if i + 1 < len(flat) else None
            ends_part = nxt is None or (nxt[0] == LIT and nxt[1] == ":")
            parts.append(".*" if ends_part else "[^:]*")
    return "".join(parts)


@lru_cache(maxsize=8192)
def _compiled(regex: str, flags: int) -> re.Pattern:
    return re.compile(regex, flags | re.DOTALL)


Matcher = Callable[[str, Context], bool]


def _static_matcher(tokens: tuple, dialect: str) -> Callable[[str], bool]:
    """A matcher for a pattern without variables."""
    if dialect == "action":
        if tokens == ((STAR,),):
            return lambda _v: True
        if all(t[0] == LIT for t in tokens):
            lit = "".join(t[1] for t in tokens).lower()
            return lit.__eq__
        rx = _compiled(_glob_regex(tokens).lower(), re.IGNORECASE)
        return lambda v: rx.fullmatch(v) is not None
    if tokens == ((STAR,),):
        return lambda _v: True
    if all(t[0] == LIT for t in tokens):
        return "".join(t[1] for t in tokens).__eq__
    if dialect == "resource":
        rx = _compiled(_resource_regex(tokens), 0)
    else:
        rx = _compiled(_glob_regex(tokens), 0)
    return lambda v: rx.fullmatch(v) is not None


def matcher(text: str, dialect: str, variables: bool) -> Matcher:
    """Compile ``text`` for the dialect ``action`` | ``resource`` | ``like``."""
    tokens = tokenize(text, variables and dialect != "action")
    if not has_variables(tokens):
        static = _static_matcher(tokens, dialect)
        return lambda value, _ctx: static(value)

    def dynamic(value: str, ctx: Context) -> bool:
        resolved = resolve(tokens, ctx)
        if resolved is None:
            return False
        return _cached_static(resolved, dialect)(value)

    return dynamic


@lru_cache(maxsize=8192)
def _cached_static(tokens: tuple, dialect: str) -> Callable[[str], bool]:
    return _static_matcher(tokens, dialect)


def literal(text: str, variables: bool) -> Callable[[Context], str | None]:
    """A string with variables substituted and no wildcards (StringEquals and friends);
    None when a variable has no value."""
    tokens = tokenize(text, variables)
    if not has_variables(tokens):
        fixed = "".join(t[1] if t[0] == LIT else "*" if t[0] == STAR else "?" for t in tokens)
        return lambda _ctx: fixed

    def value(ctx: Context) -> str | None:
        resolved = resolve(tokens, ctx)
        if resolved is None:
            return None
        return "".join(t[1] if t[0] == LIT else "*" if t[0] == STAR else "?" for t in resolved)

    return value


# ---- ARNs --------------------------------------------------------------------------------

def arn_like(text: str, variables: bool) -> Matcher:
    """ArnLike/ArnEquals: "Each of the six colon-delimited components of the ARN is checked
    separately and each can include multi-character match wildcards (*) or single-character
    match wildcards (?)"."""
    if text == "*":
        return lambda _v, _c: True
    parts = split_arn(text) if variables else text.split(":", 5)
    if len(parts) != 6:
        return lambda _v, _c: False
    comps = [matcher(p, "like", variables) for p in parts]

    def match(value: str, ctx: Context) -> bool:
        vparts = value.split(":", 5)
        if len(vparts) != 6:
            return False
        return all(c(v, ctx) for c, v in zip(comps, vparts))

    return match


def split_arn(text: str) -> list[str]:
    """The six colon-separated parts of an ARN pattern; a colon inside a policy variable
    (``${aws:PrincipalAccount}``) does not separate."""
    parts, start, depth, i = [], 0, 0, 0
    while i < len(text) and len(parts) < 5:
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        ch = text[i]
        if ch == "}" and depth:
            depth -= 1
        elif ch == ":" and not depth:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def any_match(matchers: Sequence[Matcher], value: str, ctx: Context) -> bool:
    for m in matchers:
        if m(value, ctx):
            return True
    return False
