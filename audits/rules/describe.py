"""Plain-language wording of a rule, for `govaudit rules list` and for reports."""
from __future__ import annotations

from audits.rules import builtin_types
from audits.rules.audit_types import AUDIT_TYPES
from audits.rules.model import Rule


def what_it_checks(rule: Rule) -> str:
    audit = AUDIT_TYPES.get(rule.type)
    text = audit.describe(rule.kwargs) if audit is not None else builtin_types.describe(rule.type, rule.kwargs)
    if rule.row_condition:
        text += f"\n适用于：{rule.row_condition}"
    if rule.kind == "could_not_check":
        text += "\n不满足时记为“无法检查”"
    return text
