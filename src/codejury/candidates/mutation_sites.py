"""Where each mutation kind applies, as text edits of the original source (see ``mutation``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

Finder = Callable[[ast.AST, "SourceMap", ast.AST], list["Site"]]

SIMPLE = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant, ast.List, ast.Tuple)
ADDITIVE_OR_TIGHTER = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
TYPING_NAMES = frozenset(
    {
        "List",
        "Dict",
        "Tuple",
        "Set",
        "Optional",
        "Union",
        "Callable",
        "Type",
        "Sequence",
        "Iterable",
    }
)
SYMMETRIC_CALLS = frozenset(
    {"max", "min", "print", "set", "frozenset", "isinstance", "issubclass", "hasattr", "getattr",
     "setattr", "zip", "map", "filter", "super", "type", "open", "dict", "sum", "round", "divmod"}
)  # fmt: skip

OP_PATTERNS: dict[type, tuple[str, str]] = {
    ast.Lt: (r"<(?!=)", "<"), ast.LtE: (r"<=", "<="), ast.Gt: (r">(?!=)", ">"),
    ast.GtE: (r">=", ">="), ast.Eq: (r"==", "=="), ast.NotEq: (r"!=", "!="),
    ast.In: (r"\bin\b", "in"), ast.NotIn: (r"\bnot\s+in\b", "not in"),
    ast.Is: (r"\bis\b(?!\s+not\b)", "is"), ast.IsNot: (r"\bis\s+not\b", "is not"),
    ast.Add: (r"\+", "+"), ast.Sub: (r"-", "-"), ast.Mult: (r"\*", "*"), ast.Div: (r"/", "/"),
    ast.FloorDiv: (r"//", "//"), ast.Mod: (r"%", "%"), ast.Pow: (r"\*\*", "**"),
    ast.And: (r"\band\b", "and"), ast.Or: (r"\bor\b", "or"),
}  # fmt: skip
BOUNDARY = {ast.Lt: "<=", ast.LtE: "<", ast.Gt: ">=", ast.GtE: ">"}
FLIP = {
    ast.Lt: ">", ast.Gt: "<", ast.LtE: ">=", ast.GtE: "<=", ast.Eq: "!=", ast.NotEq: "==",
    ast.In: "not in", ast.NotIn: "in", ast.Is: "is not", ast.IsNot: "is",
}  # fmt: skip
ARITHMETIC = {ast.Add: "-", ast.Sub: "+", ast.Mult: "+", ast.Div: "*", ast.FloorDiv: "/",
              ast.Mod: "//", ast.Pow: "*"}  # fmt: skip
NON_COMMUTATIVE = (ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
OPPOSITE_CALLS = {
    "min": "max", "max": "min", "any": "all", "all": "any", "lower": "upper", "upper": "lower",
    "startswith": "endswith", "endswith": "startswith", "islower": "isupper", "isupper": "islower",
    "lstrip": "rstrip", "rstrip": "lstrip", "find": "rfind", "rfind": "find", "index": "rindex",
    "isdigit": "isalpha", "isalpha": "isdigit", "floor": "ceil", "ceil": "floor",
}  # fmt: skip
DROPPABLE_METHODS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "swapcase", "title", "capitalize", "copy"}
)
DROPPABLE_WRAPPERS = frozenset(
    {"sorted", "set", "list", "abs", "reversed", "int", "tuple", "round"}
)


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Site:
    kind: str
    line: int
    description: str
    edits: tuple[Edit, ...]


class SourceMap:
    """Character offsets of AST positions (which count UTF-8 bytes within a line)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.lines = re.split(r"(?<=\n)", code)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def text(self, node: ast.AST) -> str:
        return self.code[self.start(node) : self.end(node)]

    def replace(self, node: ast.AST, text: str) -> Edit:
        return Edit(self.start(node), self.end(node), text)

    def operator(self, left: ast.AST, right: ast.AST, op: ast.AST, new: str) -> Edit | None:
        """An edit replacing the operator token between ``left`` and ``right``."""
        start, end = self.end(left), self.start(right)
        gap = self.code[start:end]
        if "#" in gap or type(op) not in OP_PATTERNS:
            return None
        match = re.search(OP_PATTERNS[type(op)][0], gap)
        return Edit(start + match.start(), start + match.end(), new) if match else None


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _wrapped(source: SourceMap, node: ast.AST) -> str:
    text = source.text(node)
    tight = isinstance(node, SIMPLE) or (
        isinstance(node, ast.BinOp) and isinstance(node.op, ADDITIVE_OR_TIGHTER)
    )
    return text if tight else f"({text})"


def _int_value(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int_value(node.operand)
        return -inner if inner is not None else None
    return None


def off_by_one(source: SourceMap, node: ast.AST) -> str | None:
    """``x - 1``/``x + 1`` lose their 1; integer literals grow by one (``-1`` becomes ``-2``);
    anything else gets ``- 1``."""
    additive = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub)
    if additive and _int_value(node.right) == 1:  # type: ignore[attr-defined]
        return source.text(node.left)  # type: ignore[attr-defined]
    value = _int_value(node)
    if value is not None:
        return str(value + 1) if value >= 0 else str(value - 1)
    if isinstance(node, ast.Constant):
        return None
    return f"{_wrapped(source, node)} - 1"


def _site(kind: str, node: ast.AST, description: str, *edits: Edit | None) -> list[Site]:
    if not edits or any(e is None for e in edits):
        return []
    return [Site(kind, node.lineno, description, tuple(e for e in edits if e is not None))]  # type: ignore[attr-defined]


def range_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    if not (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range"
    ):
        return []
    args = node.args
    if not 1 <= len(args) <= 3 or node.keywords or any(isinstance(a, ast.Starred) for a in args):
        return []
    stop = args[0] if len(args) == 1 else args[1]
    sites = []
    new = off_by_one(source, stop)
    if new is not None:
        desc = f"range stop `{_short(source.text(stop))}` became `{_short(new)}`"
        sites += _site("off_by_one_range", node, desc, source.replace(stop, new))
    if len(args) >= 2:
        start = args[0]
        value = _int_value(start)
        new = {0: "1", 1: "0"}.get(value) if value is not None else off_by_one(source, start)
        if new is not None:
            desc = f"range start `{_short(source.text(start))}` became `{_short(new)}`"
            sites += _site("off_by_one_range", node, desc, source.replace(start, new))
    return sites


def index_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    if not isinstance(node, ast.Subscript):
        return []
    if isinstance(node.value, ast.Name) and node.value.id in TYPING_NAMES:
        return []
    if isinstance(node.slice, ast.Slice):
        bounds = [b for b in (node.slice.lower, node.slice.upper) if b is not None]
    elif isinstance(node.slice, ast.Tuple | ast.Constant) and _int_value(node.slice) is None:
        bounds = []
    else:
        bounds = [node.slice]
    sites = []
    for bound in bounds:
        new = off_by_one(source, bound)
        if new is not None:
            desc = f"index `{_short(source.text(bound))}` became `{_short(new)}`"
            sites += _site("off_by_one_index", bound, desc, source.replace(bound, new))
    return sites


def comparison_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    if not isinstance(node, ast.Compare):
        return []
    sites = []
    for i, op in enumerate(node.ops):
        left = node.left if i == 0 else node.comparators[i - 1]
        right = node.comparators[i]
        old = OP_PATTERNS[type(op)][1]
        for kind, table in (("comparison_boundary", BOUNDARY), ("comparison_flip", FLIP)):
            new = table.get(type(op))
            if new is not None:
                edit = source.operator(left, right, op, new)
                sites += _site(kind, right, f"comparison `{old}` became `{new}`", edit)
    return sites


def boolean_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    if isinstance(node, ast.BoolOp):
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        edits = [
            source.operator(a, b, node.op, new)
            for a, b in zip(node.values, node.values[1:], strict=False)
        ]
        return _site("boolean_operator", node, f"`{old}` became `{new}`", *edits)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        start = source.start(node)
        match = re.match(r"not\b\s*", source.code[start : source.start(node.operand)])
        if match:
            desc = f"dropped the `not` in `{_short(source.text(node))}`"
            return _site("removed_not", node, desc, Edit(start, start + match.end(), ""))
    return []


def _blocks(node: ast.AST) -> Iterator[list[ast.stmt]]:
    for attr in ("body", "orelse", "finalbody"):
        block = getattr(node, attr, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block


def guard_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    sites = []
    for block in _blocks(node):
        if len(block) < 2:
            continue
        for stmt in block:
            if not (isinstance(stmt, ast.If) and not stmt.orelse and len(stmt.body) == 1):
                continue
            if not isinstance(stmt.body[0], EXITS):
                continue
            start, end = source.start(stmt), source.end(stmt)
            line_start = source.starts[stmt.lineno - 1]
            line_end = source.starts[stmt.end_lineno]  # type: ignore[index]
            if source.code[line_start:start].strip() or not source.code.startswith("if", start):
                continue
            if source.code[end:line_end].strip().split("#")[0]:
                continue
            guard = f"if {ast.unparse(stmt.test)}: {ast.unparse(stmt.body[0])}"
            desc = f"removed the edge case `{_short(guard)}`"
            sites += _site("dropped_guard", stmt, desc, Edit(line_start, line_end, ""))
    return sites


def _returns(func: ast.AST) -> list[ast.Return]:
    found: list[ast.Return] = []
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return sorted(found, key=lambda r: (r.lineno, r.col_offset))


def _wrong_value(source: SourceMap, value: ast.expr, others: list[str]) -> str | None:
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return str(not value.value)
    number = _int_value(value)
    if number is not None:
        return str(number + 1) if number != -1 else "0"
    text = source.text(value)
    different = [o for o in others if " ".join(o.split()) != " ".join(text.split())]
    if different:
        return different[0]
    if isinstance(value, ast.Compare | ast.BoolOp):
        return f"not ({text})"
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "len":
        return f"{text} - 1"
    return None


def return_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return []
    returns = _returns(node)
    texts = [source.text(r.value) for r in returns if r.value is not None]
    sites = []
    for i, ret in enumerate(returns):
        assert ret.value is not None
        new = _wrong_value(source, ret.value, texts[i + 1 :] + texts[:i])
        if new is not None and "\n" not in new:
            old = source.text(ret.value)
            desc = f"returns `{_short(new)}` instead of `{_short(old)}`"
            sites += _site("wrong_return", ret, desc, source.replace(ret.value, new))
    return sites


def swap_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    if isinstance(node, ast.Call) and len(node.args) >= 2:
        a, b = node.args[0], node.args[1]
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in SYMMETRIC_CALLS or isinstance(a, ast.Starred) or isinstance(b, ast.Starred):
            return []
        ta, tb = source.text(a), source.text(b)
        if ta == tb:
            return []
        desc = f"swapped the arguments `{_short(ta)}` and `{_short(tb)}` of `{_short(source.text(node.func))}`"
        return _site("swapped_arguments", node, desc, source.replace(a, tb), source.replace(b, ta))
    if isinstance(node, ast.BinOp) and isinstance(node.op, NON_COMMUTATIVE):
        if _is_text(node.left) or source.text(node.left) == source.text(node.right):
            return []
        new_left, new_right = _wrapped(source, node.right), _wrapped(source, node.left)
        desc = f"swapped the operands of `{_short(source.text(node))}`"
        edits = (source.replace(node.left, new_left), source.replace(node.right, new_right))
        return _site("swapped_operands", node, desc, *edits)
    return []


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)
    )


def constant_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return []
    if isinstance(node.value, int):
        new = str(node.value + 1)
    elif isinstance(node.value, float):
        new = repr(node.value * 2 if node.value else 1.0)
    elif node.value in ("", " "):
        new = repr(" " if node.value == "" else "")
    else:
        return []
    desc = f"constant `{source.text(node)}` became `{new}`"
    return _site("changed_constant", node, desc, source.replace(node, new))


def arithmetic_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    if isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC:
        if _is_text(node.left) or _is_text(node.right):
            return []
        old, new = OP_PATTERNS[type(node.op)][1], ARITHMETIC[type(node.op)]
        edit = source.operator(node.left, node.right, node.op, new)
        return _site("arithmetic_operator", node, f"`{old}` became `{new}`", edit)
    if isinstance(node, ast.AugAssign) and type(node.op) in ARITHMETIC:
        old, new = OP_PATTERNS[type(node.op)][1] + "=", ARITHMETIC[type(node.op)] + "="
        start, end = source.end(node.target), source.start(node.value)
        match = re.search(re.escape(old), source.code[start:end])
        if match is None:
            return []
        edit = Edit(start + match.start(), start + match.end(), new)
        return _site("arithmetic_operator", node, f"`{old}` became `{new}`", edit)
    return []


def condition_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    """Filters of comprehensions and conditional expressions that lose their condition."""
    if isinstance(node, ast.comprehension):
        sites = []
        for previous, cond in zip([node.iter, *node.ifs], node.ifs, strict=False):
            start = source.end(previous)
            match = re.search(r"\s*\bif\b", source.code[start : source.start(cond)])
            if match is not None:
                desc = f"dropped the filter `if {_short(source.text(cond))}`"
                edit = Edit(start + match.start(), source.end(cond), "")
                sites += _site("dropped_condition", cond, desc, edit)
        return sites
    if isinstance(node, ast.IfExp):
        desc = f"dropped the condition `{_short(source.text(node.test))}` (always the first branch)"
        return _site(
            "dropped_condition", node, desc, source.replace(node, _wrapped(source, node.body))
        )
    return []


def call_sites(node: ast.AST, source: SourceMap, tree: ast.AST) -> list[Site]:
    """A function or method swapped for its opposite, or a transforming call left out."""
    if not isinstance(node, ast.Call):
        return []
    func = node.func
    name_node: ast.AST | None = None
    name = None
    if isinstance(func, ast.Name):
        name, name_node = func.id, func
    elif isinstance(func, ast.Attribute):
        name = func.attr
    sites: list[Site] = []
    if name in OPPOSITE_CALLS:
        new = OPPOSITE_CALLS[name]
        start = source.end(func) - len(name)
        if name_node is not None or source.code[start : source.end(func)] == name:
            edit = Edit(start, source.end(func), new)
            sites += _site("wrong_function", node, f"`{name}` became `{new}`", edit)
    if isinstance(func, ast.Attribute) and name in DROPPABLE_METHODS and not node.args:
        desc = f"left out `.{name}()` on `{_short(source.text(func.value))}`"
        sites += _site(
            "dropped_call", node, desc, source.replace(node, _wrapped(source, func.value))
        )
    if name_node is not None and name in DROPPABLE_WRAPPERS and len(node.args) == 1:
        arg = node.args[0]
        if not node.keywords and not isinstance(arg, ast.Starred | ast.GeneratorExp):
            desc = f"left out `{name}(...)` around `{_short(source.text(arg))}`"
            sites += _site("dropped_call", node, desc, source.replace(node, _wrapped(source, arg)))
    return sites


def site_finders() -> list[Finder]:
    return [
        range_sites, index_sites, comparison_sites, boolean_sites, guard_sites, return_sites,
        swap_sites, constant_sites, arithmetic_sites, condition_sites, call_sites,
    ]  # fmt: skip
