"""Row conditions: the small pandas-query language a rule uses to pick the rows it applies to.

A condition is handed to Great Expectations as a pandas `DataFrame.query` string. Before that
it is parsed here against a whitelist (never `eval`), for two reasons: a typo in a column name
must be a load-time error rather than a rule that quietly matches nothing, and a rule file must
not be able to run arbitrary code.

Allowed: column names, string/number/bool constants, lists of constants, comparisons
(== != < <= > >= in, not in), `and` / `or` / `not`, and three methods on a column:
`col.isna()`, `col.notna()`, `col.str.contains("regex", na=False)`.
"""
from __future__ import annotations

import ast
import re
from typing import cast

_COMPARE = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn)
_NULL_METHODS = ("isna", "notna")


class ConditionError(ValueError):
    pass


def condition_columns(condition: str) -> set[str]:
    """Columns named by `condition`; raises ConditionError for anything outside the whitelist."""
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"row_condition is not a valid expression: {exc.msg}") from None
    columns: set[str] = set()
    _check(tree.body, columns)
    return columns


def _check(node: ast.AST, columns: set[str]) -> None:
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, columns)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert, ast.USub)):
        _check(node.operand, columns)
    elif isinstance(node, ast.Compare):
        if not all(isinstance(op, _COMPARE) for op in node.ops):
            raise ConditionError("row_condition may only compare with == != < <= > >= in, not in")
        for part in [node.left, *node.comparators]:
            _check(part, columns)
    elif isinstance(node, ast.Name):
        columns.add(node.id)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, (str, int, float, bool)) and node.value is not None:
            raise ConditionError(f"row_condition constant {node.value!r} is not a string, number or bool")
    elif isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            if not isinstance(element, ast.Constant):
                raise ConditionError("row_condition lists may only hold constants")
    elif isinstance(node, ast.Call):
        _check_call(node, columns)
    else:
        raise ConditionError(f"row_condition may not use {type(node).__name__}")


def _check_call(node: ast.Call, columns: set[str]) -> None:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _NULL_METHODS and isinstance(func.value, ast.Name):
        if node.args or node.keywords:
            raise ConditionError(f"{func.attr}() takes no arguments")
        columns.add(func.value.id)
        return
    is_contains = (
        isinstance(func, ast.Attribute) and func.attr == "contains"
        and isinstance(func.value, ast.Attribute) and func.value.attr == "str"
        and isinstance(func.value.value, ast.Name)
    )
    if not is_contains:
        raise ConditionError("row_condition may only call col.isna(), col.notna() and col.str.contains(...)")
    if len(node.args) != 1 or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
        raise ConditionError("str.contains() takes one regular-expression string")
    try:
        re.compile(node.args[0].value)
    except re.error as exc:
        raise ConditionError(f"str.contains() pattern is not a valid regular expression: {exc}") from None
    keywords = {kw.arg for kw in node.keywords}
    if keywords != {"na"}:
        raise ConditionError('str.contains() needs na=False (or na=True) so that blank cells are decided')
    # is_contains above proved the shape col.str.contains; mypy does not carry that through a bool
    receiver = cast(ast.Attribute, cast(ast.Attribute, func).value).value
    columns.add(cast(ast.Name, receiver).id)
