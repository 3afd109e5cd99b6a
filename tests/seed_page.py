"""The seed page (濮院镇2022年法治政府建设年度报告) as the crawler would store it.

Read from the copy the demo portal carries in the repository (identical to the shared corpus's
000_b0bbcd55e46bbf4d.txt), so tests of the real text run on every checkout.
"""
from __future__ import annotations

from pathlib import Path

from audits.normalize.metadata import pairs_from_text
from govaudit.records import PageRecord

SEED = Path(__file__).resolve().parents[1] / "demoportal" / "data" / "seed_puyuan_2022.txt"
URL = "https://www.tx.gov.cn/art/2023/2/20/art_1229518003_59563128.html"


def seed_record() -> PageRecord:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    published = next(i for i, line in enumerate(lines) if line.startswith("发布时间"))
    paragraphs = [line.strip() for line in lines[published + 1:] if line.strip()]
    return PageRecord(
        url=URL, site="tongxiang", unit="濮院镇", unit_level="township", dialect="hanweb",
        list_title="濮院镇2022年法治政府建设年度报告", list_date="2023-02-20", http_status=200,
        fetched_at="2026-03-01T02:00:00+00:00", page_title=lines[published - 1].strip(),
        meta_pairs=pairs_from_text("\n".join(lines[:published + 1])),
        meta_tags={"PubDate": "2023-02-20 08:57"},
        body_text="\n".join(paragraphs), body_html="".join(f"<p>{p}</p>" for p in paragraphs),
    )


def seed_store(ref):
    """A store (SQLite path or PostgreSQL URL) holding one complete crawl (id 1) of the seed page."""
    from govaudit.store import Store

    with Store(ref) as st:
        crawl_id = st.start_crawl("demo", ["濮院镇"])
        st.save_page(crawl_id, seed_record())
        st.finish_crawl(crawl_id, "complete", {})
    return ref
