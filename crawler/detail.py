"""Read a disclosure detail page into its raw parts: head meta, metadata pairs, body, attachments.

Shared by every CMS dialect: real templates differ in class names but agree on the shape
(a label/value metadata table, a body container, attachment links), so one tolerant reader
serves Hanweb, TRS and others. Which labels mark the metadata table comes from the shared label
file (`crawler/metadata_labels.yml`); labels are kept as printed, and mapping them to fields is
the job of `audits.normalize`, which reads the same file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from crawler.labels import table_label_pattern

# Cells that end in a colon, or are short and followed by a value cell, are labels.
_LABEL_MAX = 8
_LABEL_RE = re.compile(r"^[\u4e00-\u9fa5\u3000\s\xa0]{2,16}[：:]?$")
# The body stops at the next marker of either kind, so a page of unclosed ContentStart markers
# costs linear time (a plain `.*?` rescanned the page from each: 28 s for 108 KB).
_CONTENT_MARKERS = re.compile(
    r"<meta\s+name=[\"']?ContentStart[\"']?\s*/?>((?:(?!<meta\s+name=[\"']?Content(?:Start|End)).)*)"
    r"<meta\s+name=[\"']?ContentEnd[\"']?\s*/?>",
    re.S | re.I,
)
_BODY_SELECTORS = (
    "//*[@id='zoom']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' zoom ')]",
    "//*[contains(@class, 'TRS_Editor')]",
    "//*[contains(@class, 'trs_editor_view')]",
    "//*[@id='UCAP-CONTENT']",
    "//*[contains(@class, 'article_content')]",
    "//*[contains(@class, 'artile_zw')]",
)
_ATTACHMENT_RE = re.compile(r"downfile\.jsp|/W0\d+\.|\.(pdf|docx?|xlsx?|zip|rar|wps|ofd)(\?|$)", re.I)
# Publication time and source are usually printed on a line above the body, not in the table.
_INLINE_PAIRS = (
    ("发布时间", re.compile(r"(发布时间|发布日期)\s*[:：]\s*"
                            r"(\[?\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}日?\]?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)")),
    ("来源", re.compile(r"((?:信息)?来源)\s*[:：]\s*([^\s:：|]+)")),
)
_CELL_TAGS = {"td", "th"}
# A table holding one of these labels (any spacing) is a metadata table: crawler/metadata_labels.yml.
_LABEL_TABLE = table_label_pattern()
_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"}


@dataclass
class DetailParts:
    page_title: str | None = None
    meta_tags: dict[str, str] = field(default_factory=dict)
    meta_pairs: list[list[str]] = field(default_factory=list)
    body_text: str = ""
    body_html: str = ""
    attachments: list[dict[str, str]] = field(default_factory=list)


def clean_text(text: str) -> str:
    return re.sub(r"[ \t\r\f\v\xa0]+", " ", text).strip()


def block_text(element: etree._Element) -> str:
    """Text of an element with a newline at every block boundary, so paragraphs survive."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style"):
            if el.tail:
                parts.append(el.tail)
            return
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        elif tag in _CELL_TAGS:
            parts.append(" ")
        if el.tail:
            parts.append(el.tail)

    walk(element)
    lines = (clean_text(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _meta_pairs(doc: etree._Element) -> list[list[str]]:
    """Label/value pairs from the metadata table(s): the table holding a 索引号-like label."""
    pairs: list[list[str]] = []
    seen: set[tuple[str, str]] = set()
    for table in doc.iter("table"):
        cells_text = clean_text(table.text_content())
        if not _LABEL_TABLE.search(cells_text):
            continue
        # A layout wrapper holds the labels in an inner table, which is visited too. A table
        # whose inner tables lack them is the metadata table with an unclosed cell swallowing
        # the rest of the page (hand-edited templates): read its own rows only.
        if any(_LABEL_TABLE.search(clean_text(inner.text_content())) for inner in table.iterdescendants("table")):
            continue
        for row in table.iter("tr"):
            if next(row.iterancestors("table"), None) is not table:
                continue
            cells = [_cell_text(c) for c in row if c.tag in ("td", "th")]
            i = 0
            while i < len(cells):
                label = cells[i]
                if _is_label(label) and i + 1 < len(cells):
                    value = cells[i + 1]
                    if _is_label(value) and value.rstrip().endswith(("：", ":")):
                        value, step = "", 1  # empty value cell omitted by the template
                    else:
                        step = 2
                    key = (label, value)
                    if key not in seen:  # desktop and mobile layouts repeat the block
                        seen.add(key)
                        pairs.append([label, value])
                    i += step
                elif ("：" in label or ":" in label) and _is_label(re.split("[：:]", label, maxsplit=1)[0] + "："):
                    name, value = re.split("[：:]", label, maxsplit=1)
                    if (name, value.strip()) not in seen:
                        seen.add((name, value.strip()))
                        pairs.append([name + "：", value.strip()])
                    i += 1
                else:
                    i += 1
    return pairs


def _cell_text(cell: etree._Element) -> str:
    """Text of a table cell up to its first block element: a cell left open by broken markup
    runs on over the article, which is not part of its value."""
    if not any(isinstance(el.tag, str) and el.tag in _BLOCK_TAGS for el in cell.iterdescendants()):
        return clean_text(cell.text_content())
    parts = [cell.text or ""]
    for child in cell:
        if isinstance(child.tag, str) and (child.tag in _BLOCK_TAGS or child.find(".//table") is not None):
            break
        parts.append(child.text_content() + (child.tail or ""))
    return clean_text("".join(parts))


def _add_inline_pairs(doc: etree._Element, pairs: list[list[str]]) -> None:
    labels = {re.sub(r"[\s\u3000\xa0：:]", "", label) for label, _ in pairs}
    body = doc.find("body")
    text = clean_text(" ".join((body if body is not None else doc).itertext()))
    for _, pattern in _INLINE_PAIRS:
        # The first line whose label the table lacks: TRS and gkmlpt print 发布日期 in the table
        # and 发布时间 with the hour above the body.
        match = next((m for m in pattern.finditer(text) if m.group(1) not in labels), None)
        if match:
            pairs.append([match.group(1) + ":", match.group(2).strip()])


def _is_label(text: str) -> bool:
    compact = re.sub(r"[\s\u3000\xa0]", "", text)
    return bool(_LABEL_RE.match(text.strip())) and 2 <= len(compact.rstrip("：:")) <= _LABEL_MAX


def _body(doc: etree._Element, html: str) -> tuple[str, str]:
    match = _CONTENT_MARKERS.search(html)
    if match:
        fragment = lxml.html.fragment_fromstring(match.group(1), create_parent="div")
        return block_text(fragment), match.group(1).strip()
    for selector in _BODY_SELECTORS:
        found = doc.xpath(selector)
        if found:
            el = found[0]
            return block_text(el), etree.tostring(el, encoding="unicode", method="html")
    return "", ""


def extract_detail(html: str, url: str) -> DetailParts:
    """Parse one detail page; never raises on odd HTML (an empty DetailParts says 'nothing found')."""
    parts = DetailParts()
    if not html.strip():
        return parts
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return parts
    for meta in doc.iter("meta"):
        name, content = meta.get("name"), meta.get("content")
        if name and content is not None:
            parts.meta_tags[name] = content.strip()
    parts.page_title = parts.meta_tags.get("ArticleTitle") or _heading(doc)
    parts.meta_pairs = _meta_pairs(doc)
    _add_inline_pairs(doc, parts.meta_pairs)
    parts.body_text, parts.body_html = _body(doc, html)
    parts.attachments = attachment_links(doc, url)
    return parts


def _heading(doc: etree._Element) -> str | None:
    for xpath in ("//*[contains(@class,'article-title')]", "//h1", "//title"):
        found = doc.xpath(xpath)
        if found:
            text = clean_text(found[0].text_content())
            if text:
                return text
    return None


def attachment_links(doc: etree._Element, url: str) -> list[dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if href and _ATTACHMENT_RE.search(href):
            try:
                absolute = urljoin(url, href)
            except ValueError:  # a malformed link is kept as written; the spider says why it is not followed
                absolute = href
            found.setdefault(absolute, {"url": absolute, "text": clean_text(a.text_content())})
    return list(found.values())
