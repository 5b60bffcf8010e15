"""Terraform's native syntax read here, not through checkov: files into blocks and attributes,
attributes into expression trees, and an evaluator for the expressions whose inputs are known.

Why not checkov's rendering or python-hcl2's text (measured with checkov 3.3.30 and
bc-python-hcl2 0.4.3): checkov drops ``count``, keeps ``try(each.value.x, format(...))``
half-rendered, leaves a variable whose default is ``null`` as ``var.x`` and keeps a dynamic block
whose ``for_each`` is a conditional; python-hcl2 writes ``(a + 1) * 2`` back as ``a + 1 * 2``, a
conditional's object branch as Python's ``{'a': 1}`` and keeps escapes in literal strings.

The evaluator's values are plain Python (None, bool, int, float, str, list, dict) plus
:class:`~prr_policies.facts.Unknown` (the value cannot be known here: a root variable without a
default, ``terraform.workspace``, a function this reader does not implement) and :class:`Ref` (a
reference to another object's attribute: its value exists only after apply, but it names what it
points at). Unknown and Ref propagate through every operation that needs their value; ``try``,
``coalesce``, ``&&``, ``||`` and conditionals whose branches agree decide without them where
Terraform would. No checkov import.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from prr_policies.facts import Unknown


class HclError(Exception):
    """The text is not Terraform's native syntax as this reader knows it."""


class EvalError(Exception):
    """An expression Terraform itself would reject (a missing attribute, a wrong type): what
    ``try()`` and ``can()`` catch."""


class Ref(str):
    """A reference to an attribute of a resource, data source or module call, e.g.
    ``aws_kms_key.k.arn`` (target ``aws_kms_key.k``, path ``("arn",)``), with the module address
    of the scope it was written in (``module.a.aws_kms_key.k``). The target keeps an instance key
    when the expression gives one (``aws_iam_role.r[0]``).

    It is a ``str`` (its text is the reference) so that code asking only whether an attribute is
    set (a dead-letter target, a code signing config) sees a set value; code that needs the value
    itself must test ``isinstance(v, Ref)`` first: the value exists only after apply."""

    target: str
    path: tuple[str, ...]

    def __new__(cls, target: str, path: tuple[str, ...] = ()) -> "Ref":
        self = super().__new__(cls, ".".join((target, *path)))
        self.target, self.path = target, tuple(path)
        return self

    def __repr__(self) -> str:
        return f"Ref({str.__str__(self)!r})"

    def __reduce__(self) -> Any:
        return (Ref, (self.target, self.path))


class Sensitive(str):
    """A value Terraform marks sensitive (a plan's ``after_sensitive``, a variable declared
    ``sensitive = true``): compared as itself, never shown in a reason."""

    def __format__(self, spec: str) -> str:
        return "(sensitive value)"

    def __repr__(self) -> str:
        return "Sensitive(...)"


def is_known(value: Any) -> bool:
    """True when ``value`` (recursively) holds neither Unknown nor Ref."""
    if isinstance(value, (Unknown, Ref)):
        return False
    if isinstance(value, list):
        return all(is_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_known(v) for v in value.values())
    return True


def first_unknown(value: Any) -> Unknown | Ref | None:
    if isinstance(value, (Unknown, Ref)):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for v in items:
        found = first_unknown(v)
        if found is not None:
            return found
    return None


def _after_apply(ref: Ref) -> Unknown:
    return Unknown(f"it is {ref}, known only after apply")


# ---- tokens ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tok:
    kind: str  # NL IDENT NUM STR OP EOF
    value: Any
    line: int


_PUNCT = ("...", "==", "!=", "<=", ">=", "&&", "||", "=>", "::", "[*]", ".*",
          "{", "}", "[", "]", "(", ")", "=", ",", ".", "?", ":", "+", "-", "*", "/", "%", "<", ">", "!")
_SPACE = re.compile(r"[ \t\r]+")
_COMMENT = re.compile(r"#[^\n]*|//[^\n]*|/\*.*?\*/", re.S)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"\d+(\.\d+)?([eE][+-]?\d+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\n")


class _Lexer:
    """Tokens of a file or of one template interpolation, with strings and heredocs as
    templates: a list of literal strings and token lists (one per ``${...}``)."""

    def __init__(self, text: str, pos: int = 0, line: int = 1) -> None:
        self.text, self.pos, self.line = text, pos, line

    def error(self, message: str) -> HclError:
        return HclError(f"line {self.line}: {message}")

    def tokens(self, until_brace: bool = False) -> list[Tok]:
        """Tokens up to the end (or, for an interpolation, up to its closing brace)."""
        out: list[Tok] = []
        depth = 0
        text = self.text
        while True:
            m = _SPACE.match(text, self.pos)
            if m:
                self.line += m.group().count("\n")
                self.pos = m.end()
                continue
            if self.pos >= len(text):
                if until_brace:
                    raise self.error("unterminated ${ interpolation")
                out.append(Tok("EOF", None, self.line))
                return out
            ch = text[self.pos]
            m = _COMMENT.match(text, self.pos)
            if m:
                if m.group().startswith("/*"):
                    self.line += m.group().count("\n")
                self.pos = m.end()
                continue
            if ch == "\n":
                out.append(Tok("NL", None, self.line))
                self.line += 1
                self.pos += 1
                continue
            if ch == '"':
                self.pos += 1
                out.append(Tok("STR", self._template('"'), self.line))
                continue
            m = _HEREDOC.match(text, self.pos)
            if m:
                out.append(Tok("STR", self._heredoc(m), self.line))
                continue
            if until_brace and ch == "}" and depth == 0:
                self.pos += 1
                out.append(Tok("EOF", None, self.line))
                return out
            if ch == "~" and until_brace:  # ${~ x ~}: whitespace stripping, ignored
                self.pos += 1
                continue
            m = _NUMBER.match(text, self.pos)
            if m:
                num = m.group()
                out.append(Tok("NUM", int(num) if num.isdigit() else float(num), self.line))
                self.pos = m.end()
                continue
            m = _IDENT.match(text, self.pos)
            if m:
                out.append(Tok("IDENT", m.group(), self.line))
                self.pos = m.end()
                continue
            for p in _PUNCT:
                if text.startswith(p, self.pos):
                    depth += {"{": 1, "}": -1}.get(p, 0)
                    out.append(Tok("OP", p, self.line))
                    self.pos += len(p)
                    break
            else:
                raise self.error(f"unexpected character {ch!r}")

    def _interpolation(self) -> list[Tok]:
        sub = _Lexer(self.text, self.pos, self.line)
        toks = sub.tokens(until_brace=True)
        self.pos, self.line = sub.pos, sub.line
        return toks

    def _template(self, end: str) -> list[Any]:
        """A quoted template after its opening quote: literal parts and interpolations."""
        parts: list[Any] = []
        buf: list[str] = []
        text = self.text
        while True:
            if self.pos >= len(text):
                raise self.error("unterminated string")
            ch = text[self.pos]
            if ch == end:
                self.pos += 1
                break
            if ch == "\n":
                raise self.error("newline in a quoted string")
            if ch == "\\":
                esc = text[self.pos + 1:self.pos + 2]
                simple = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
                if esc in simple:
                    buf.append(simple[esc])
                    self.pos += 2
                elif esc in ("u", "U"):
                    width = 4 if esc == "u" else 8
                    buf.append(chr(int(text[self.pos + 2:self.pos + 2 + width], 16)))
                    self.pos += 2 + width
                else:
                    raise self.error(f"unknown escape \\{esc}")
                continue
            if text.startswith("$${", self.pos) or text.startswith("%%{", self.pos):
                buf.append(ch + "{")
                self.pos += 3
                continue
            if text.startswith("${", self.pos) or text.startswith("%{", self.pos):
                if buf:
                    parts.append("".join(buf))
                    buf = []
                directive = ch == "%"
                self.pos += 2
                toks = self._interpolation()
                parts.append(("%", toks) if directive else toks)
                continue
            buf.append(ch)
            self.pos += 1
        if buf or not parts:
            parts.append("".join(buf))
        return parts

    def _heredoc(self, m: re.Match[str]) -> list[Any]:
        strip, marker = m.group(1) == "-", m.group(2)
        start = m.end()
        end = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.M).search(self.text, start)
        if end is None:
            raise self.error(f"unterminated heredoc <<{marker}")
        body = self.text[start:end.start()]
        if strip:
            lines = body.split("\n")
            indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
            cut = min(indents) if indents else 0
            body = "\n".join(ln[cut:] for ln in lines)
        sub = _Lexer(body.replace('"', "\x00"), 0, self.line + 1)  # quotes are literal in a heredoc
        parts = sub._template_raw()
        self.line += self.text.count("\n", self.pos, end.end())
        self.pos = end.end()
        return [p.replace("\x00", '"') if isinstance(p, str) else p for p in parts]

    def _template_raw(self) -> list[Any]:
        parts: list[Any] = []
        buf: list[str] = []
        text = self.text
        while self.pos < len(text):
            if text.startswith("$${", self.pos) or text.startswith("%%{", self.pos):
                buf.append(text[self.pos] + "{")
                self.pos += 3
            elif text.startswith("${", self.pos) or text.startswith("%{", self.pos):
                if buf:
                    parts.append("".join(buf))
                    buf = []
                directive = text[self.pos] == "%"
                self.pos += 2
                inner = _Lexer(self.text.replace("\x00", '"'), self.pos, self.line)
                toks = inner.tokens(until_brace=True)
                self.pos = inner.pos
                parts.append(("%", toks) if directive else toks)
            else:
                buf.append(text[self.pos])
                self.pos += 1
        if buf or not parts:
            parts.append("".join(buf))
        return parts


# ---- syntax tree ----------------------------------------------------------------------------

@dataclass
class Attribute:
    name: str
    expr: Any  # an expression node (a tuple, see _Parser)
    line: int


@dataclass
class Block:
    type: str
    labels: tuple[str, ...]
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list["Block"] = field(default_factory=list)
    start_line: int = 0
    end_line: int = 0

    def children(self, block_type: str) -> list["Block"]:
        return [b for b in self.blocks if b.type == block_type]


_BINARY = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}


class _Parser:
    """Recursive descent over tokens. Expression nodes are tuples:
    ("lit", v) ("tmpl", parts) ("name", ident) ("attr", e, name) ("index", e, key) ("splat", e, steps)
    ("call", name, args, expand) ("unary", op, e) ("binary", op, a, b) ("cond", c, a, b)
    ("tuple", items) ("object", pairs) ("for", kvar, vvar, coll, key, value, cond, group)."""

    def __init__(self, toks: list[Tok]) -> None:
        self.toks, self.i = toks, 0
        self.nl_depth = 0  # > 0 inside brackets, where newlines do not end an expression

    def peek(self) -> Tok:
        tok = self.toks[self.i]
        if self.nl_depth > 0:
            while tok.kind == "NL":
                self.i += 1
                tok = self.toks[self.i]
        return tok

    def next(self) -> Tok:
        tok = self.peek()
        self.i += 1
        return tok

    def error(self, tok: Tok, what: str) -> HclError:
        return HclError(f"line {tok.line}: expected {what}, found {tok.value if tok.value is not None else tok.kind}")

    def expect(self, value: str) -> Tok:
        tok = self.next()
        if tok.kind != "OP" or tok.value != value:
            raise self.error(tok, repr(value))
        return tok

    def at(self, value: str) -> bool:
        tok = self.peek()
        return tok.kind == "OP" and tok.value == value

    # body := { attribute | block }
    def body(self, closing: str | None) -> tuple[dict[str, Attribute], list[Block]]:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        while True:
            tok = self.toks[self.i]
            if tok.kind == "NL":
                self.i += 1
                continue
            if closing is None and tok.kind == "EOF":
                return attributes, blocks
            if closing is not None and tok.kind == "OP" and tok.value == closing:
                return attributes, blocks
            if tok.kind != "IDENT":
                raise self.error(tok, "an attribute or a block")
            self.i += 1
            nxt = self.toks[self.i]
            if nxt.kind == "OP" and nxt.value == "=":
                self.i += 1
                attributes[tok.value] = Attribute(tok.value, self.expression(), tok.line)
                end = self.toks[self.i]
                if end.kind not in ("NL", "EOF") and not (end.kind == "OP" and end.value == closing):
                    raise self.error(end, "a newline after the attribute")
                continue
            labels: list[str] = []
            while True:
                t = self.toks[self.i]
                if t.kind == "IDENT":
                    labels.append(t.value)
                elif t.kind == "STR" and len(t.value) == 1 and isinstance(t.value[0], str):
                    labels.append(t.value[0])
                else:
                    break
                self.i += 1
            brace = self.toks[self.i]
            if not (brace.kind == "OP" and brace.value == "{"):
                raise self.error(brace, "'{' or '='")
            self.i += 1
            inner_attrs, inner_blocks = self.body("}")
            end = self.toks[self.i]
            self.i += 1
            blocks.append(Block(tok.value, tuple(labels), inner_attrs, inner_blocks, tok.line, end.line))

    def expression(self) -> Any:
        cond = self.binary(1)
        if self.at("?"):
            self.next()
            self.nl_depth += 1
            yes = self.expression()
            self.expect(":")
            self.nl_depth -= 1
            no = self.expression()
            return ("cond", cond, yes, no)
        return cond

    def binary(self, level: int) -> Any:
        left = self.unary()
        while True:
            tok = self.peek()
            prec = _BINARY.get(tok.value) if tok.kind == "OP" else None
            if prec is None or prec < level:
                return left
            self.next()
            right = self.binary(prec + 1)
            left = ("binary", tok.value, left, right)

    def unary(self) -> Any:
        if self.at("!") or self.at("-"):
            op = self.next().value
            return ("unary", op, self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: Any) -> Any:
        while True:
            if self.at("."):
                self.next()
                tok = self.next()
                if tok.kind == "IDENT":
                    node = ("attr", node, tok.value)
                elif tok.kind == "NUM" and isinstance(tok.value, int):
                    node = ("index", node, ("lit", tok.value))
                else:
                    raise self.error(tok, "an attribute name")
            elif self.at("["):
                self.next()
                self.nl_depth += 1
                key = self.expression()
                self.nl_depth -= 1
                self.expect("]")
                node = ("index", node, key)
            elif self.at("[*]") or self.at(".*"):
                self.next()
                item: Any = ("name", "\x00item")
                while self.at(".") or self.at("["):  # the steps applied to each element
                    if self.next().value == ".":
                        tok = self.next()
                        item = ("attr", item, tok.value) if tok.kind == "IDENT" else ("index", item, ("lit", tok.value))
                    else:
                        self.nl_depth += 1
                        key = self.expression()
                        self.nl_depth -= 1
                        self.expect("]")
                        item = ("index", item, key)
                node = ("splat", node, item)
            else:
                return node

    def primary(self) -> Any:
        tok = self.next()
        if tok.kind == "NUM":
            return ("lit", tok.value)
        if tok.kind == "STR":
            return self.template(tok.value)
        if tok.kind == "IDENT":
            if tok.value in ("true", "false", "null"):
                return ("lit", {"true": True, "false": False, "null": None}[tok.value])
            if self.at("::"):  # provider::aws::fn(...)
                name = [tok.value]
                while self.at("::"):
                    self.next()
                    name.append(self.next().value)
                return self.call("::".join(name))
            if self.at("("):
                return self.call(tok.value)
            return ("name", tok.value)
        if tok.kind == "OP" and tok.value == "(":
            self.nl_depth += 1
            inner = self.expression()
            self.nl_depth -= 1
            self.expect(")")
            return inner
        if tok.kind == "OP" and tok.value == "[":
            return self.tuple_or_for()
        if tok.kind == "OP" and tok.value == "{":
            return self.object_or_for()
        raise self.error(tok, "an expression")

    def call(self, name: str) -> Any:
        self.expect("(")
        self.nl_depth += 1
        args: list[Any] = []
        expand = False
        while not self.at(")"):
            args.append(self.expression())
            if self.at("..."):
                self.next()
                expand = True
            if not self.at(")"):
                self.expect(",")
        self.nl_depth -= 1
        self.expect(")")
        return ("call", name, tuple(args), expand)

    def tuple_or_for(self) -> Any:
        self.nl_depth += 1
        if self.peek().kind == "IDENT" and self.peek().value == "for":
            node = self.for_expr("]")
        else:
            items: list[Any] = []
            while not self.at("]"):
                items.append(self.expression())
                if not self.at("]"):
                    self.expect(",")
            node = ("tuple", tuple(items))
        self.nl_depth -= 1
        self.expect("]")
        return node

    def object_or_for(self) -> Any:
        self.nl_depth += 1
        if self.peek().kind == "IDENT" and self.peek().value == "for":
            node = self.for_expr("}")
        else:
            pairs: list[tuple[Any, Any]] = []
            while not self.at("}"):
                key_tok = self.peek()
                key = self.expression()
                if key[0] == "name" and key_tok.kind == "IDENT":
                    key = ("lit", key[1])  # a bare word is the key itself, not a variable
                if not (self.at("=") or self.at(":")):
                    raise self.error(self.peek(), "'=' or ':' in an object")
                self.next()
                pairs.append((key, self.expression()))
                if self.at(","):
                    self.next()
            node = ("object", tuple(pairs))
        self.nl_depth -= 1
        self.expect("}")
        return node

    def for_expr(self, closing: str) -> Any:
        self.next()  # for
        first = self.next().value
        second = None
        if self.at(","):
            self.next()
            second = self.next().value
        kvar, vvar = (first, second) if second else (None, first)
        tok = self.next()
        if tok.value != "in":
            raise self.error(tok, "'in'")
        coll = self.expression()
        self.expect(":")
        key = None
        if closing == "}":
            key = self.expression()
            self.expect("=>")
        value = self.expression()
        group = False
        if self.at("..."):
            self.next()
            group = True
        cond = None
        if self.peek().kind == "IDENT" and self.peek().value == "if":
            self.next()
            cond = self.expression()
        return ("for", kvar, vvar, coll, key, value, cond, group)

    def template(self, parts: list[Any]) -> Any:
        nodes: list[Any] = []
        for part in parts:
            if isinstance(part, str):
                nodes.append(part)
            elif isinstance(part, tuple):  # %{ directive }: not evaluated here
                nodes.append(("directive",))
            else:
                sub = _Parser(part)
                sub.nl_depth = 1
                nodes.append(sub.expression())
                if sub.peek().kind != "EOF":
                    raise sub.error(sub.peek(), "'}' after the interpolation")
        if len(nodes) == 1 and isinstance(nodes[0], str):
            return ("lit", nodes[0])
        if len(nodes) == 1 and isinstance(nodes[0], tuple) and nodes[0] != ("directive",):
            return nodes[0]  # "${x}" is x itself, not its string form
        return ("tmpl", tuple(nodes))


def parse_body(text: str) -> tuple[dict[str, Attribute], list[Block]]:
    """The top-level attributes and blocks of a file (or a tfvars file). Raises HclError, only."""
    try:
        parser = _Parser(_Lexer(text).tokens())
        return parser.body(None)
    except HclError:
        raise
    except (ValueError, IndexError, RecursionError) as exc:  # a malformed escape, a truncated file, deep nesting
        raise HclError(f"cannot be read ({type(exc).__name__}: {exc})") from None


def parse_expression(text: str) -> Any:
    try:
        parser = _Parser(_Lexer(text).tokens())
        parser.nl_depth = 1
        node = parser.expression()
        if parser.peek().kind != "EOF":
            raise parser.error(parser.peek(), "the end of the expression")
        return node
    except HclError:
        raise
    except (ValueError, IndexError, RecursionError) as exc:
        raise HclError(f"cannot be read ({type(exc).__name__}: {exc})") from None


# ---- evaluation -----------------------------------------------------------------------------

class Scope:
    """What names mean where an expression is evaluated. Subclasses answer variables, locals and
    module paths; ``each`` and ``count`` are given per resource instance."""

    each: tuple[Any, Any] | None = None
    count_index: Any = None
    module_path: str = "."
    iterators: dict[str, Any] = {}  # dynamic-block iterators in scope (``<label>.key`` / ``.value``)

    def var(self, name: str) -> Any:
        return Unknown(f"var.{name} is not known here")

    def local(self, name: str) -> Any:
        return Unknown(f"local.{name} is not known here")

    def prefix(self) -> str:
        """The module address objects in this scope live under (``module.a.``, or '' at the root)."""
        return ""


def evaluate(node: Any, scope: Scope, names: dict[str, Any] | None = None) -> Any:
    """The value of an expression node: a Python value, Unknown or Ref. Raises EvalError where
    Terraform would report an error."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "tmpl":
        return _template(node[1], scope, names)
    if kind in ("name", "attr", "index"):
        return _traversal(node, scope, names)
    if kind == "splat":
        coll = evaluate(node[1], scope, names)
        if isinstance(coll, Ref):
            return Ref(coll.target, coll.path + ("*",))
        if isinstance(coll, Unknown):
            return coll
        items = coll if isinstance(coll, list) else [] if coll is None else [coll]
        return [evaluate(node[2], scope, {**(names or {}), "\x00item": item}) for item in items]
    if kind == "call":
        return _call(node[1], node[2], node[3], scope, names)
    if kind == "unary":
        value = evaluate(node[2], scope, names)
        if not is_known(value):
            return _unknown_of(value)
        if node[1] == "!":
            if not isinstance(value, bool):
                raise EvalError(f"! needs a bool, not {value!r}")
            return not value
        return -_number(value)
    if kind == "binary":
        return _binary(node[1], node[2], node[3], scope, names)
    if kind == "cond":
        cond = evaluate(node[1], scope, names)
        if isinstance(cond, (Unknown, Ref)):
            try:
                yes, no = evaluate(node[2], scope, names), evaluate(node[3], scope, names)
            except EvalError:
                return _unknown_of(cond)
            return yes if is_known(yes) and _equal(yes, no) else _unknown_of(cond)
        if not isinstance(cond, bool):
            raise EvalError(f"a condition must be a bool, not {cond!r}")
        return evaluate(node[2] if cond else node[3], scope, names)
    if kind == "tuple":
        return [evaluate(item, scope, names) for item in node[1]]
    if kind == "object":
        out: dict[str, Any] = {}
        for k, v in node[1]:
            key = evaluate(k, scope, names)
            if not is_known(key):
                return _unknown_of(key)
            out[_string(key)] = evaluate(v, scope, names)
        return out
    if kind == "for":
        return _for(node, scope, names)
    raise EvalError(f"cannot evaluate {kind}")


def _unknown_of(value: Any) -> Unknown:
    found = first_unknown(value)
    if isinstance(found, Ref):
        return _after_apply(found)
    return found if isinstance(found, Unknown) else Unknown("the value cannot be known here")


def _template(parts: tuple[Any, ...], scope: Scope, names: dict[str, Any] | None) -> Any:
    """A string template. One that includes a reference (``"${aws_x.y.arn}/*"``) is that Ref:
    set, with a value known only after apply."""
    out: list[str] = []
    ref: Ref | None = None
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        if part == ("directive",):
            return Unknown("the string uses a %{ } template directive, which is not evaluated here")
        value = evaluate(part, scope, names)
        if isinstance(value, Ref):
            ref = ref or value
            continue
        if not is_known(value):
            return _unknown_of(value)
        if value is None:
            raise EvalError("a null value in a string template")
        out.append(_string(value))
    return ref if ref is not None else "".join(out)


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if isinstance(value, str):
        return value
    raise EvalError(f"cannot use {type(value).__name__} as a string")


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise EvalError("a bool is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            n = float(value)
        except ValueError:
            raise EvalError(f"{value!r} is not a number") from None
        return int(n) if n.is_integer() else n
    raise EvalError(f"{value!r} is not a number")


def _binary(op: str, a: Any, b: Any, scope: Scope, names: dict[str, Any] | None) -> Any:
    left = evaluate(a, scope, names)
    if op in ("&&", "||"):
        if left is (op == "||"):  # false && x, true || x
            return left
        right = evaluate(b, scope, names)
        if right is (op == "||"):
            return right
        for v in (left, right):
            if not is_known(v):
                return _unknown_of(v)
            if not isinstance(v, bool):
                raise EvalError(f"{op} needs bools")
        return (left and right) if op == "&&" else (left or right)
    right = evaluate(b, scope, names)
    for v in (left, right):
        if not is_known(v):
            return _unknown_of(v)
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    x, y = _number(left), _number(right)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        if y == 0:
            raise EvalError("division by zero")
        r = x / y
        return int(r) if float(r).is_integer() else r
    if op == "%":
        if y == 0:
            raise EvalError("modulo by zero")
        return x % y
    return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _traversal(node: Any, scope: Scope, names: dict[str, Any] | None) -> Any:
    steps: list[Any] = []
    while node[0] in ("attr", "index"):
        steps.append(node)
        node = node[1]
    steps.reverse()
    root = node[1] if node[0] == "name" else None
    if root is None:
        value = evaluate(node, scope, names)
        return _apply(value, steps, scope, names)
    if names and root in names:
        return _apply(names[root], steps, scope, names)
    if root in scope.iterators:
        return _apply(scope.iterators[root], steps, scope, names)

    def attr_at(i: int) -> str | None:
        return steps[i][2] if i < len(steps) and steps[i][0] == "attr" else None

    if root in ("var", "local"):
        name = attr_at(0)
        if name is None:
            raise EvalError(f"{root} needs an attribute")
        value = scope.var(name) if root == "var" else scope.local(name)
        return _apply(value, steps[1:], scope, names)
    if root == "each":
        if scope.each is None:
            return Unknown("each is used outside a for_each instance")
        which = attr_at(0)
        if which not in ("key", "value"):
            raise EvalError("each has only key and value")
        return _apply(scope.each[0] if which == "key" else scope.each[1], steps[1:], scope, names)
    if root == "count":
        if attr_at(0) != "index":
            raise EvalError("count has only index")
        index = scope.count_index if scope.count_index is not None else Unknown("count.index of an instance checkov did not expand")
        return _apply(index, steps[1:], scope, names)
    if root == "path":
        return Unknown(f"path.{attr_at(0)} depends on where Terraform runs") if attr_at(0) == "cwd" else \
            _apply(scope.module_path if attr_at(0) == "module" else ".", steps[1:], scope, names)
    if root in ("terraform", "self"):
        return Unknown(f"{root}.{attr_at(0)} is known only when Terraform runs")
    # resources, data sources and module calls: a reference
    head = 2 if root == "data" else 1
    parts = [root]
    for i in range(head):
        name = attr_at(i)
        if name is None:
            raise EvalError(f"{root} reference needs a name")
        parts.append(name)
    rest = steps[head:]
    target = ".".join(parts)
    if rest and rest[0][0] == "index":
        key = evaluate(rest[0][2], scope, names)
        if not is_known(key):
            return _unknown_of(key)
        target += f"[{json.dumps(key) if isinstance(key, str) else _string(key)}]"
        rest = rest[1:]
    path: list[str] = []
    for step in rest:
        if step[0] == "attr":
            path.append(step[2])
        else:
            key = evaluate(step[2], scope, names)
            path.append(f"[{_string(key)}]" if is_known(key) else "[?]")
    return Ref(scope.prefix() + target, tuple(path))


def _apply(value: Any, steps: list[Any], scope: Scope, names: dict[str, Any] | None) -> Any:
    for step in steps:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Ref):
            return Ref(value.target, value.path + ((step[2],) if step[0] == "attr" else ("[?]",)))
        if step[0] == "attr":
            if not isinstance(value, dict) or step[2] not in value:
                raise EvalError(f"no attribute {step[2]!r}")
            value = value[step[2]]
        else:
            key = evaluate(step[2], scope, names)
            if not is_known(key):
                return _unknown_of(key)
            value = _index(value, key)
    return value


def _index(value: Any, key: Any) -> Any:
    if isinstance(value, list):
        i = _number(key)
        if not isinstance(i, int) or not 0 <= i < len(value):
            raise EvalError(f"index {key!r} out of range")
        return value[i]
    if isinstance(value, dict):
        k = _string(key)
        if k not in value:
            raise EvalError(f"no key {k!r}")
        return value[k]
    raise EvalError(f"cannot index {type(value).__name__}")


def _iterate(coll: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(coll, dict):
        yield from sorted(coll.items())
    elif isinstance(coll, list):
        yield from enumerate(coll)
    else:
        raise EvalError(f"cannot iterate over {type(coll).__name__}")


def _for(node: Any, scope: Scope, names: dict[str, Any] | None) -> Any:
    _, kvar, vvar, coll_node, key_node, value_node, cond_node, group = node
    coll = evaluate(coll_node, scope, names)
    if not is_known(coll) and not isinstance(coll, (list, dict)):
        return _unknown_of(coll)
    tuple_out: list[Any] = []
    obj_out: dict[str, Any] = {}
    for k, v in _iterate(coll):
        local = dict(names or {})
        local[vvar] = v
        if kvar:
            local[kvar] = k
        if cond_node is not None:
            keep = evaluate(cond_node, scope, local)
            if not is_known(keep):
                return _unknown_of(keep)
            if not keep:
                continue
        value = evaluate(value_node, scope, local)
        if key_node is None:
            tuple_out.append(value)
            continue
        key = evaluate(key_node, scope, local)
        if not is_known(key):
            return _unknown_of(key)
        if group:
            obj_out.setdefault(_string(key), []).append(value)
        else:
            obj_out[_string(key)] = value
    return tuple_out if key_node is None else obj_out


# ---- functions ------------------------------------------------------------------------------

def _call(name: str, arg_nodes: tuple[Any, ...], expand: bool, scope: Scope, names: dict[str, Any] | None) -> Any:
    if name == "try":
        for node in arg_nodes:
            try:
                value = evaluate(node, scope, names)
            except EvalError:
                continue
            return value  # Terraform's try returns an unknown first argument as unknown
        raise EvalError("no argument of try() could be evaluated")
    if name == "can":
        try:
            value = evaluate(arg_nodes[0], scope, names)
        except EvalError:
            return False
        return True if is_known(value) else _unknown_of(value)
    fn = _FUNCTIONS.get(name)
    if fn is None:
        return Unknown(f"{name}() is not evaluated here")
    args = [evaluate(node, scope, names) for node in arg_nodes]
    if expand and args:
        last = args.pop()
        if not is_known(last):
            return _unknown_of(last)
        args.extend(last if isinstance(last, list) else [last])
    if name == "coalesce":
        for a in args:
            if not is_known(a):
                return _unknown_of(a)
            if a is not None and a != "":
                return a
        raise EvalError("coalesce(): no non-null argument")
    if name == "lookup" and len(args) == 3 and isinstance(args[0], dict) and is_known(args[1]):
        return args[0].get(_string(args[1]), args[2])
    if name == "format" and all(is_known(a) or isinstance(a, Ref) for a in args) and any(isinstance(a, Ref) for a in args):
        return next(a for a in args if isinstance(a, Ref))  # like a template with a reference in it
    for a in args:
        if not is_known(a):
            return _unknown_of(a)
    try:
        return fn(*args)
    except EvalError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ZeroDivisionError) as exc:
        raise EvalError(f"{name}(): {exc}") from None


def _format(spec: str, *args: Any) -> str:
    out, i, n = [], 0, 0
    while i < len(spec):
        ch = spec[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        m = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([svdqtfbxXoeEgG%])").match(spec, i)
        if m is None:
            raise EvalError(f"format(): bad verb at {spec[i:i + 4]!r}")
        verb = m.group(4)
        i = m.end()
        if verb == "%":
            out.append("%")
            continue
        if n >= len(args):
            raise EvalError("format(): too few arguments")
        arg = args[n]
        n += 1
        if verb in ("s", "v"):
            out.append(_string(arg) if not isinstance(arg, (list, dict)) else json.dumps(arg, separators=(",", ":")))
        elif verb == "q":
            out.append(json.dumps(_string(arg)))
        elif verb == "t":
            out.append(_string(bool(arg)))
        elif verb == "d":
            out.append(str(int(_number(arg))))
        else:
            out.append(("%" + (m.group(1) or "") + (m.group(2) or "") + (f".{m.group(3)}" if m.group(3) else "") + verb)
                       % _number(arg))
    return "".join(out)


def _flatten(value: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in value:
        out.extend(_flatten(v) if isinstance(v, list) else [v])
    return out


def _one(value: list[Any]) -> Any:
    if len(value) > 1:
        raise EvalError("one(): more than one element")
    return value[0] if value else None


def _tobool(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError(f"tobool(): {value!r}")


def _distinct(value: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in value:
        if v not in out:
            out.append(v)
    return out


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "coalesce": lambda *a: None,  # decided in _call (unknowns after a known value do not matter)
    "coalescelist": lambda *a: next((x for x in a if x), []),
    "format": _format,
    "lookup": lambda m, k, *d: m[_string(k)] if _string(k) in m or not d else d[0],
    "length": lambda v: len(v),
    "concat": lambda *a: [x for lst in a for x in lst],
    "merge": lambda *a: {k: v for d in a if d is not None for k, v in d.items()},
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "contains": lambda lst, v: any(_equal(x, v) for x in lst),
    "element": lambda lst, i: lst[int(_number(i)) % len(lst)],
    "join": lambda sep, *ls: sep.join(_string(x) for lst in ls for x in lst),
    "split": lambda sep, s: s.split(sep),
    "lower": lambda s: s.lower(),
    "upper": lambda s: s.upper(),
    "title": lambda s: s.title(),
    "trimspace": lambda s: s.strip(),
    "trimprefix": lambda s, p: s.removeprefix(p),
    "trimsuffix": lambda s, p: s.removesuffix(p),
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
    "substr": lambda s, o, n: s[int(o):] if int(n) < 0 else s[int(o):int(o) + int(n)],
    "replace": lambda s, a, b: s.replace(a, b) if not (a.startswith("/") and a.endswith("/") and len(a) > 1)
    else Unknown("replace() with a regular expression is not evaluated here"),
    "tostring": lambda v: None if v is None else _string(v),
    "tonumber": lambda v: None if v is None else _number(v),
    "tobool": _tobool,
    "tolist": lambda v: list(v),
    "toset": lambda v: sorted(_distinct(list(v)), key=lambda x: json.dumps(x)),
    "tomap": lambda v: dict(v),
    "jsonencode": lambda v: json.dumps(v, separators=(",", ":")),
    "jsondecode": lambda s: json.loads(s),
    "compact": lambda lst: [x for x in lst if x not in (None, "")],
    "flatten": _flatten,
    "distinct": _distinct,
    "one": _one,
    "zipmap": lambda ks, vs: dict(zip((_string(k) for k in ks), vs)),
    "range": lambda *a: list(range(*(int(_number(x)) for x in a))),
    "min": lambda *a: min(_number(x) for x in a),
    "max": lambda *a: max(_number(x) for x in a),
    "abs": lambda x: abs(_number(x)),
    "ceil": lambda x: math.ceil(_number(x)),
    "floor": lambda x: math.floor(_number(x)),
    "sort": lambda lst: sorted(_string(x) for x in lst),
    "reverse": lambda lst: list(reversed(lst)),
    "alltrue": lambda lst: all(x is True or x == "true" for x in lst),
    "anytrue": lambda lst: any(x is True or x == "true" for x in lst),
    "sum": lambda lst: sum(_number(x) for x in lst),
    "slice": lambda lst, a, b: lst[int(a):int(b)],
    "index": lambda lst, v: next(i for i, x in enumerate(lst) if _equal(x, v)),
    "setunion": lambda *a: _distinct([x for s in a for x in s]),
    "nonsensitive": lambda v: v,
    "sensitive": lambda v: v,
}
