"""Changing the demo portal between two crawls: a document edited, one withdrawn, new ones published.

Week-to-week, a real catalog gains a few items, loses one now and then, and sometimes a
published page is silently edited. The incremental crawl must report exactly those, so the
demo portal can do all three on request. Changes are deterministic (a new document clones
an existing clean one with the next article ids and later times), so the manifest built in
the test process by replaying the same calls matches what the server serves.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from .defects import short_publisher
from .model import Defect, Document
from .portal import Portal


def _template(portal: Portal) -> Document:
    """The newest routine item without injected defects: a safe pattern for new items."""
    clean = [d for d in portal.documents if d.unit.cms == "hanweb" and d.report_type == "routine" and not d.defects
             and not d.shown
             and not d.flags and d.http_status == 200]
    return max(clean, key=lambda d: (d.published, d.doc_id))


# Metadata defects a webmaster can correct in place; the others are in the document's dates,
# text or tables and would make it another document.
CORRECTABLE = ("META-1", "META-3")


def _correct(portal: Portal, doc: Document) -> None:
    other = [d.rule_id for d in doc.defects if d.rule_id not in CORRECTABLE]
    if other or not doc.defects:
        raise ValueError(f"document {doc.doc_id} cannot be corrected: only {', '.join(CORRECTABLE)} defects can be, "
                         f"it has {', '.join(d.rule_id for d in doc.defects) or 'none'}")
    doc.shown, doc.publisher, doc.defects = {}, doc.unit.full_name, []
    portal.touch(doc)


def _shorten_publisher(portal: Portal, doc: Document) -> None:
    """A clean page's 发布机构 edited to a short form: a new META-3 defect."""
    if doc.defects or doc.http_status != 200:
        raise ValueError(f"document {doc.doc_id} is not a clean page; shorten a clean one")
    short = short_publisher(doc.unit)
    doc.publisher = short
    doc.defects = [Defect("META-3", f"发布机构 {short} instead of {doc.unit.full_name} (edited after publication)")]
    portal.touch(doc)


def _retitle(portal: Portal, doc: Document) -> None:
    """The title of `doc` revised in place (catalog entry and page heading): its URL stays."""
    doc.title = f"{doc.title}（修订）"
    portal.touch(doc)


def apply_changes(portal: Portal, change: Sequence[int] = (), delete: Sequence[int] = (), add: int = 0,
                  correct: Sequence[int] = (), shorten: Sequence[int] = (),
                  retitle: Sequence[int] = ()) -> dict[str, list]:
    """Edit the bodies of `change`, withdraw `delete` from catalog and site, publish `add` new items,
    correct the metadata defects of `correct`, shorten the 发布机构 of the clean pages `shorten`,
    revise the titles of `retitle` (the catalog entry changes, the URL does not).

    Returns {"changed": [doc ids], "deleted": [doc ids], "added": [{"doc_id", "url_path", "unit"}],
    "corrected": [doc ids], "shortened": [doc ids], "retitled": [doc ids]}.
    An unknown id is an error naming it: a test that changes nothing must not pass silently.
    """
    by_id = {d.doc_id: d for d in portal.documents}
    unknown = [i for i in [*change, *delete, *correct, *shorten, *retitle] if int(i) not in by_id]
    if unknown:
        raise KeyError(f"no document with id {', '.join(map(str, unknown))} in the demo portal "
                       f"(seed={portal.seed}, size={portal.size})")
    for doc_id in map(int, change):
        portal.revise(by_id[doc_id])
    for doc_id in map(int, correct):
        _correct(portal, by_id[doc_id])
    for doc_id in map(int, shorten):
        _shorten_publisher(portal, by_id[doc_id])
    for doc_id in map(int, retitle):
        _retitle(portal, by_id[doc_id])
    for doc_id in map(int, delete):
        portal.withdraw(by_id[doc_id])
    added = []
    if add:
        template = _template(portal)
        latest = max(d.published for d in portal.documents)
        next_id, next_serial = max(by_id) + 1, max(d.serial for d in portal.documents) + 1
        for k in range(add):
            published = latest + timedelta(minutes=10 * (k + 1))
            doc = replace(template, key=len(portal.by_key), doc_id=next_id + k, serial=next_serial + k,
                          published=published, issued=published.date(), title=f"{template.title}（补充通知{k + 1}）",
                          attachments=[], shown={}, flags={}, defects=[])
            portal.publish(doc)
            added.append({"doc_id": doc.doc_id, "url_path": doc.url_path, "unit": doc.unit.name})
    return {"changed": [int(i) for i in change], "deleted": [int(i) for i in delete], "added": added,
            "corrected": [int(i) for i in correct], "shortened": [int(i) for i in shorten],
            "retitled": [int(i) for i in retitle]}
