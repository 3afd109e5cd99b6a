"""The xxgk annual-report tables 二, 三 and 四, read into cells with stable keys.

Tables are recognised by their labels, never by position on the page, and rows and columns get
keys from their printed labels (regulations.md B4–B6), so that a rule such as I3-1 can name
`new`/`carried`/`outcome_total`/`carry_next` whatever the site's layout.  "/" and blank cells
are null, never zero; anything else that is not a number is null with a reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from audits.normalize.grid import html_tables

T3_ROWS = ["new", "carried", "granted", "partial", *[f"refused_{i}" for i in range(1, 9)],
           *[f"unavailable_{i}" for i in range(1, 4)], *[f"not_processed_{i}" for i in range(1, 6)],
           *[f"other_{i}" for i in range(1, 4)], "other", "outcome_total", "carry_next"]
T3_COLS = ["natural", "commercial", "research", "public_interest", "legal_service", "other_org", "total"]
T4_BLOCKS = ["review", "suit_direct", "suit_after_review"]
T4_LEAVES = ["upheld", "corrected", "other", "pending", "total"]
T4_COLS = [f"{b}_{leaf}" for b in T4_BLOCKS for leaf in T4_LEAVES]
T2_ROWS = ["rules", "normative_docs", "licensing", "other_services", "penalty", "coercion", "fees", "procurement"]

_GROUPS = (("不予公开", "refused"), ("无法提供", "unavailable"), ("不予处理", "not_processed"), ("其他处理", "other"))
_ITEM_WORDS = {
    "refused": ["国家秘密", "禁止公开", "三安全一稳定", "第三方合法权益", "内部事务", "过程性信息",
                "行政执法案卷", "行政查询"],
    "unavailable": ["不掌握", "另行制作", "仍不明确"],
    "not_processed": ["信访举报投诉", "重复申请", "公开出版物", "大量反复", "重新出具"],
    "other": ["逾期不补正", "缴纳费用", "其他"],
}
_T3_COL_WORDS = [("自然人", "natural"), ("商业企业", "commercial"), ("科研机构", "research"),
                 ("社会公益组织", "public_interest"), ("法律服务机构", "legal_service"), ("总计", "total")]
_T2_COL_WORDS = [("本年制发件数", "made"), ("本年废止件数", "repealed"), ("现行有效件数", "in_force"),
                 ("本年新制作数量", "new_made"), ("本年新公开数量", "new_published"),
                 ("对外公开总数量", "total_published"), ("处理决定数量", "decisions"),
                 ("上一年项目数量", "prev_items"), ("本年增/减", "change"), ("收费金额", "fee_amount"),
                 ("采购项目数量", "procurement_items"), ("采购总金额", "procurement_amount")]
_T2_ROW_WORDS = [("规章", "rules"), ("规范性文件", "normative_docs"), ("行政许可", "licensing"),
                 ("其他对外管理服务事项", "other_services"), ("行政处罚", "penalty"), ("行政强制", "coercion"),
                 ("行政事业性收费", "fees"), ("政府集中采购", "procurement")]
_NULLS = {"", "/", "／", "-", "－", "—", "——", "\\", "、"}
_NUMBER = re.compile(r"^[-+]?\d+(?:,\d{3})*(?:\.\d+)?$")
_ITEM_NO = re.compile(r"^[(（]?(\d+)[)）]?[.．、]?")
T2_2021_COLS = {"made", "repealed", "in_force"}
T2_2019_COLS = {"new_made", "new_published", "total_published", "prev_items", "change"}


@dataclass
class Cell:
    table: str
    row_key: str
    row_label: str
    col_key: str
    col_label: str
    value: float | None
    raw: str


@dataclass
class Tables:
    cells: list[Cell] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    template: str | None = None


def read_number(raw: str) -> tuple[float | None, bool]:
    """(value, ok): '/' and blanks are (None, True); junk is (None, False)."""
    text = raw.strip()
    if text in _NULLS:
        return None, True
    if _NUMBER.match(text):
        return float(text.replace(",", "")), True
    return None, False


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def read_tables(body_html: str, body_text: str = "") -> Tables:
    out = Tables()
    seen: set[tuple[str, str, str]] = set()
    for grid in html_tables(body_html):
        joined = "".join("".join(r) for r in grid)
        if "本年新收" in joined or ("申请人情况" in joined and "自然人" in joined):
            _table3(grid, out, seen)
        elif "行政复议" in joined and "尚未审结" in joined:
            _table4(grid, out, seen)
        elif "第二十条" in joined or "信息内容" in joined:
            _table2(grid, out, seen)
    out.template = _template(out, body_text)
    return out


def with_missing_tables(primary: Tables, extra: Tables) -> Tables:
    """`primary` plus the tables only `extra` holds (an attachment's table 三 beside an HTML
    body that lacks it); a table both hold is taken from `primary` alone."""
    have = {c.table for c in primary.cells}
    added = [c for c in extra.cells if c.table not in have]
    if not added:
        return primary
    problems = primary.problems + [p for p in extra.problems if not any(p.startswith(f"table {t} ") for t in have)]
    merged = Tables(primary.cells + added, problems)
    merged.template = _template(merged, "") or primary.template or extra.template
    return merged


def _add(out: Tables, seen: set, table: str, row_key: str, row_label: str, col_key: str, col_label: str,
         raw: str) -> None:
    if (table, row_key, col_key) in seen:
        out.problems.append(f"table {table} cell {row_key}/{col_key} printed twice; kept the first")
        return
    seen.add((table, row_key, col_key))
    value, ok = read_number(raw)
    if not ok:
        out.problems.append(f"table {table} cell {row_key}/{col_key} {raw!r} is not a number")
    out.cells.append(Cell(table, row_key, row_label, col_key, col_label, value, raw))


def _t3_row_key(labels: list[str]) -> str | None:
    joined, leaf = "".join(labels), labels[-1] if labels else ""
    if "结转下年" in joined:
        return "carry_next"
    if "本年新收" in joined:
        return "new"
    if "上年结转" in joined:
        return "carried"
    for word, group in _GROUPS:
        if word in joined:
            m = _ITEM_NO.match(leaf)
            if m and leaf != word:
                return f"{group}_{int(m.group(1))}"
            for i, item in enumerate(_ITEM_WORDS[group], 1):
                if item in leaf and not leaf.endswith(word):
                    return f"{group}_{i}"
            return "other" if group == "other" else None
    if "部分公开" in joined:
        return "partial"
    if "予以公开" in joined:
        return "granted"
    if "总计" in leaf:
        return "outcome_total"
    return None


def _t3_columns(header: list[list[str]], width: int) -> dict[int, str]:
    cols: dict[int, str] = {}
    for c in range(width):
        leaf = next((row[c] for row in reversed(header) if c < len(row) and row[c]), "")
        key = next((k for word, k in _T3_COL_WORDS if word in leaf), None)
        if key is None and leaf == "其他":
            key = "other_org"
        if key and key not in cols.values():
            cols[c] = key
    return cols


def _table3(grid: list[list[str]], out: Tables, seen: set) -> None:
    first = next((i for i, row in enumerate(grid) if _t3_row_key(_labels(row)) == "new"), None)
    if first is None:
        return
    width = max(len(r) for r in grid)
    cols = _t3_columns(grid[:first], width)
    col_labels = [_col_label(grid[:first], c) for c in range(width)]
    for row in grid[first:]:
        labels = _labels(row)
        key = _t3_row_key(labels)
        if key is None:
            continue
        row_cols = cols if len(cols) == 7 else _positional(row, T3_COLS)
        row_label = " / ".join(labels)
        for c, col_key in row_cols.items():
            raw = row[c] if c < len(row) else ""
            _add(out, seen, "三", key, row_label, col_key, col_labels[c] if c < width else "", raw)


def _table4(grid: list[list[str]], out: Tables, seen: set) -> None:
    data = next((i for i, row in enumerate(grid) if sum(is_number(c) for c in row) >= 5), None)
    if data is None:
        return
    header = grid[:data]
    cols: dict[int, str] = {}
    for c in range(max(len(r) for r in grid)):
        path = "".join(row[c] for row in header if c < len(row))
        block = ("suit_direct" if "未经复议" in path else "suit_after_review" if "复议后" in path
                 else "review" if "行政复议" in path else None)
        leaf = next((k for w, k in (("维持", "upheld"), ("纠正", "corrected"), ("其他", "other"),
                                    ("未审结", "pending"), ("总计", "total")) if w in path[-6:]), None)
        if block and leaf and f"{block}_{leaf}" not in cols.values():
            cols[c] = f"{block}_{leaf}"
    for row in grid[data:data + 1]:
        row_cols = cols if len(cols) == 15 else _positional(row, T4_COLS)
        for c, col_key in row_cols.items():
            _add(out, seen, "四", "cases", "行政复议、行政诉讼案件数", col_key, _col_label(header, c),
                 row[c] if c < len(row) else "")


def _table2(grid: list[list[str]], out: Tables, seen: set) -> None:
    cols: dict[int, tuple[str, str]] = {}
    for row in grid:
        keyed: dict[int, tuple[str, str]] = {}
        for c, text in enumerate(row):
            key = next((k for w, k in _T2_COL_WORDS if w in text), None)
            if key and key not in (k for k, _ in keyed.values()):  # a colspan repeats the label
                keyed[c] = (key, text)
        if keyed:
            cols = keyed
            continue
        label = row[0] if row else ""
        row_key = next((k for w, k in _T2_ROW_WORDS if label.endswith(w) or label == w), None)
        if row_key is None or not cols:
            continue
        for c, (col_key, col_label) in cols.items():
            _add(out, seen, "二", row_key, label, col_key, col_label, row[c] if c < len(row) else "")


def _labels(row: list[str]) -> list[str]:
    """The distinct non-numeric leading cells of a row: its (nested) row label."""
    labels: list[str] = []
    for text in row:
        if is_number(text):
            break
        if text not in _NULLS and text not in labels:
            labels.append(text)
    return labels


def _positional(row: list[str], keys: list[str]) -> dict[int, str]:
    """When the header could not be read: the last len(keys) cells, in template order."""
    if len(row) < len(keys):
        return {}
    start = len(row) - len(keys)
    return {start + i: k for i, k in enumerate(keys)}


def _col_label(header: list[list[str]], c: int) -> str:
    parts = [row[c] for row in header if c < len(row) and row[c]]
    return "/".join(dict.fromkeys(parts))


def _template(out: Tables, body_text: str) -> str | None:
    cols = {c.col_key for c in out.cells if c.table == "二"}
    if cols & T2_2021_COLS:
        return "2021"
    if cols & T2_2019_COLS:
        return "2019"
    rows = {c.row_key for c in out.cells if c.table == "三"}
    if rows & {"other_1", "other_2", "other_3"}:
        return "2021"
    if "other" in rows:
        return "2019"
    if re.search(r"本年制发件数|本年废止件数|现行有效件数", body_text):
        return "2021"
    if re.search(r"本年新制作数量|本年新公开数量|对外公开总数量", body_text):
        return "2019"
    return None
