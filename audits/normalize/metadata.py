"""The metadata block of a disclosure page, read into document fields.

Input is what the spider saw: label/value pairs as printed (`meta_pairs`), the <meta> tags of
the head and the page text.  Output is one value per field plus the reasons a field could not
be read.  Blocks printed twice (desktop and mobile layouts) collapse into one; two different
values for one field keep the first and say so.  When the page prints no publication date
label, the date is looked for, in order, in a "发布时间:" line of the body or page, the
<meta PubDate> tag, the catalog's list date and, when the page shows no other date, the
发文日期.  A fallback is not a problem and is not reported as one; `published_from` says where
the date came from so that a rule comparing it with the 发文日期 can skip a copied date.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time

from lxml import html as lxml_html

from audits.normalize.dates import parse_date
from audits.normalize.labels import (
    CANONICAL_LABEL, LABEL_TO_FIELD, clean_value, field_for, normalise_label, squeeze,
)
from govaudit.records import PageRecord

DATE_FIELDS = ("issued_date", "published_at")
TEXT_FIELDS = ("index_no", "publisher", "disclosure_mode", "category", "doc_no", "source", "title", "validity")

_SPACED = r"[\s\u00a0\u3000]*"
_KNOWN = "|".join(
    _SPACED.join(map(re.escape, label)) for label in sorted(LABEL_TO_FIELD, key=len, reverse=True)
)
# A known label followed by a colon, or any short run of Chinese followed by one (浏览次数:),
# which ends the previous value without being kept itself.
_LABEL_IN_TEXT = re.compile(rf"(?P<known>{_KNOWN}){_SPACED}[:：]|(?P<other>[\u4e00-\u9fff]{{2,6}})[:：]")
_PUBLISHED_IN_HTML = re.compile(
    r"(?:发布时间|发布日期|公开日期)(?:\s|&nbsp;)*[:：](?:\s|&nbsp;|<[^>]{0,200}>)*([^<]{6,40})"
)
_PUBDATE_TAGS = ("pubdate", "publishdate", "firstpublishedtime")


@dataclass
class Metadata:
    values: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def pairs_from_text(text: str, max_lines: int = 60) -> list[list[str]]:
    """[label, value] pairs from lines like '索引号: 001/2023-1 发布机构: 濮院镇' (colon required:
    without one a label is indistinguishable from prose)."""
    pairs: list[list[str]] = []
    for line in text.splitlines()[:max_lines]:
        hits = list(_LABEL_IN_TEXT.finditer(line))
        for i, hit in enumerate(hits):
            if not hit.group("known"):
                continue
            end = hits[i + 1].start() if i + 1 < len(hits) else len(line)
            pairs.append([hit.group("known"), line[hit.end():end].strip()])
    return pairs


def pairs_from_html(page_html: str) -> list[list[str]]:
    """Label/value cells of metadata tables (<td>/<th>/<dt>/<dd>), for pages stored without
    `meta_pairs`: a cell whose text is a known label names the value in the next cell."""
    try:
        root = lxml_html.fromstring(page_html)
    except Exception:  # noqa: BLE001 - an unreadable page simply has no pairs
        return []
    pairs: list[list[str]] = []
    cells = root.xpath("//td|//th|//dt|//dd")
    texts = [cell.text_content() for cell in cells]
    for i, text in enumerate(texts[:-1]):
        if len(text) <= 16 and field_for(text) and not field_for(texts[i + 1]):
            pairs.append([text, texts[i + 1]])
    return pairs


def read_metadata(record: PageRecord) -> Metadata:
    meta = Metadata()
    pairs = record.meta_pairs or (pairs_from_html(record.html) if record.html else [])
    seen: dict[str, list[tuple[str, str | None]]] = {}
    for pair in pairs:
        if len(pair) < 2:
            continue
        name = field_for(pair[0])
        if name:
            seen.setdefault(name, []).append((normalise_label(pair[0]), clean_value(pair[1])))
    for name in TEXT_FIELDS:
        _pick_text(meta, name, seen.get(name, []))
    for name in DATE_FIELDS:
        _pick_date(meta, name, seen.get(name, []))
    meta.values["published_from"] = "label" if meta.values.get("published_at") else None
    if meta.values.get("published_at") is None:
        found: object  # a date from the page, or issued_date as already read
        found, source = _fallback_published(record)
        if found is None and meta.values.get("issued_date") is not None:
            # The page shows one date only: for a reader that is when it was published.
            found, source = meta.values["issued_date"], "issued_date"
        meta.values["published_at"], meta.values["published_from"] = found, source
    return meta


def _pick_text(meta: Metadata, name: str, values: list[tuple[str, str | None]]) -> None:
    distinct = list(dict.fromkeys(v for _, v in values if v is not None))
    meta.values[name] = distinct[0] if distinct else None
    if len(distinct) > 1 and len({squeeze(v) for v in distinct}) > 1:
        shown = " / ".join(repr(v) for v in distinct)
        meta.problems.append(f"{CANONICAL_LABEL[name]} printed with different values: {shown}")


def _pick_date(meta: Metadata, name: str, values: list[tuple[str, str | None]]) -> None:
    """The field's date; a printed value that is no date (2023-02-29, 2023-13-01, 0000-00-00, a
    bare 2023-02) is kept raw in `<name>_malformed`, which is not the same as a missing field."""
    chosen: datetime | None = None
    malformed: str | None = None
    for label, value in values:
        parsed, problem = parse_date(value, label)
        if problem and problem not in meta.problems:
            meta.problems.append(problem)
        if parsed is None:
            if problem and malformed is None:
                malformed = (value or "").strip()[:40]
            continue
        if chosen is None:
            chosen = parsed
        elif parsed.date() != chosen.date():
            meta.problems.append(
                f"{CANONICAL_LABEL[name]} printed with different dates: {chosen:%Y-%m-%d} / {parsed:%Y-%m-%d}"
            )
        elif chosen.time() == time() and parsed.time() != time():
            # TRS and gkmlpt print 发布日期 as a day in the table and 发布时间 with the hour above
            # the body: the same day, told more precisely.
            chosen = parsed
    meta.values[name] = chosen
    # Kept even when another label gave a valid date (发布时间 2024-09-24 beside 公开日期 2024926):
    # the page still prints a date nobody can read.
    meta.values[f"{name}_malformed"] = malformed


def _fallback_published(record: PageRecord) -> tuple[datetime | None, str | None]:
    for label, value in pairs_from_text(record.body_text or "", max_lines=8):
        if LABEL_TO_FIELD.get(normalise_label(label)) == "published_at":
            parsed, _ = parse_date(value)
            if parsed:
                return parsed, "page_text"
    if record.html:
        m = _PUBLISHED_IN_HTML.search(record.html)
        if m:
            parsed, _ = parse_date(m.group(1))
            if parsed:
                return parsed, "page_text"
    tags = {k.lower(): v for k, v in (record.meta_tags or {}).items()}
    for key in _PUBDATE_TAGS:
        parsed, _ = parse_date(tags.get(key))
        if parsed:
            return parsed, "meta_tag"
    parsed, _ = parse_date(record.list_date)
    return (parsed, "list_date") if parsed else (None, None)
