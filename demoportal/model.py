"""What the generator knows about one document of the demo portal.

A `Document` holds every value its detail page shows, plus the ground truth the page does
not show (true report year, injected defects, body flags). Page-visible metadata that a
defect removes or blanks is recorded in `shown`: a value of None means the label/value
pair is absent from the page, "" means the label is printed with an empty value.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from .units import Unit

SEVERITY = {
    "FZ-DATE-1": "critical", "FZ-DATE-2": "warning", "XX-DATE-1": "critical", "XX-DATE-2": "warning",
    "ROUTINE-LAG-1": "warning", "FZ-SEC-1": "critical", "FZ-SEC-2": "critical", "FZ-SEC-3": "critical",
    "FZ-SEC-4": "critical", "FZ-SEC-3-FOLDED": "warning", "FZ-NEXT-1": "warning", "TITLE-YEAR-1": "warning",
    **{f"XX-SEC-{n}": "critical" for n in range(1, 7)}, "XX-FMT-1": "critical",
    "I3-1": "critical", "I3-2": "critical", "I3-3": "critical", "I3-6": "critical", "I4-1": "critical",
    "T2-1": "warning", "FIG-1": "critical", "FIG-2": "warning", "FIG-3": "critical",
    "META-1": "critical", "META-2": "critical", "META-3": "warning", "META-4": "critical",
    "IDX-1": "warning", "IDX-2": "warning", "DOC-1": "warning",
    "COPY-1": "warning", "COPY-2": "warning", "COPY-3": "warning",
    "ATTACH-1": "warning", "ATTACH-2": "could_not_check",
    "FETCH-1": "could_not_check", "WORDING-1": "critical", "WORDING-2": "warning",
    "COL-STALE": "warning", "COL-BLANK": "warning", "COL-BURST": "warning",
    "VETO-COL-A": "critical", "VETO-COL-B": "critical", "VETO-COL-C": "critical", "VETO-AVAIL": "critical",
}

# The six metadata labels in page order (three rows of two pairs, as on the seed page).
META_FIELDS = (("index_no", "索引号"), ("publisher", "发布机构"), ("disclosure_mode", "公开方式"),
               ("issued_date", "发文日期"), ("category", "组配分类"), ("doc_no", "文件编号"))


def trs_attachment_name(name: str) -> str:
    """TRS names attachments W0 + 20 digits; derived from the generated name, so reversible by lookup."""
    return f"W0{int(name[:16], 16) % 10**20:020d}.pdf"


@dataclass(slots=True)
class Defect:
    rule_id: str
    detail: str

    @property
    def severity(self) -> str:
        return SEVERITY[self.rule_id]

    @property
    def kind(self) -> str:
        return "could_not_check" if self.severity == "could_not_check" else "failure"

    def to_dict(self) -> dict[str, str]:
        return {"rule_id": self.rule_id, "severity": self.severity, "kind": self.kind, "detail": self.detail}


@dataclass(slots=True)
class Document:
    key: int  # position in the generated list (stable before ids are assigned)
    unit: Unit
    report_type: str  # fazhi_annual | xxgk_annual | budget | final_accounts | routine
    report_year: int | None  # year the body reports on (reports, budgets); None for routine items
    title: str
    title_year: int | None
    category: str
    issued: date  # true 发文日期
    published: datetime
    doc_no: str = ""
    publisher: str = ""
    source: str = ""
    disclosure_mode: str = "主动公开"
    index_year: int | None = None  # year printed in the 索引号 (defaults to issued.year)
    index_override: str | None = None  # a malformed 索引号 printed verbatim
    county_scheme: bool = False  # 330483ZFC00000/YYYY-NNNNNN instead of the 15-digit code
    encoding: str = "utf-8"  # utf-8 | gbk
    charset_in_header: bool = True
    http_status: int = 200
    table_template: str | None = None
    attachments: list[list] = field(default_factory=list)  # [[filename, status], ...]
    shown: dict[str, str | None] = field(default_factory=dict)  # META-1 blanks/removals
    flags: dict = field(default_factory=dict)  # body defects (see fazhi_report / xxgk_report)
    defects: list[Defect] = field(default_factory=list)
    reserved: bool = False  # source of a COPY-1/COPY-2 copy or the seed page: takes no other defect
    doc_id: int = 0
    serial: int = 0

    @property
    def reported_year(self) -> int:
        """The year a report or budget is about; asking it of a routine item is a generator bug."""
        if self.report_year is None:
            raise ValueError(f"document {self.key} ({self.report_type}) has no report year")
        return self.report_year

    @property
    def url_path(self) -> str:
        d, unit = self.published, self.unit
        if unit.cms == "trs":
            return f"{self.channel}{d:%Y%m}/t{d:%Y%m%d}_{self.doc_id}.{unit.list_ext}"
        if unit.cms == "gkmlpt":
            return f"{unit.home}gkmlpt/content/{self.doc_id // 10**6}/{self.doc_id // 1000}/post_{self.doc_id}.html"
        if unit.cms == "jpaas":
            return f"/col/col{unit.column_id}/art/{d.year}/art_{self.hex_id}.html"
        return f"/art/{d.year}/{d.month}/{d.day}/art_{unit.column_id}_{self.doc_id}.html"

    @property
    def channel(self) -> str:
        """TRS: the channel directory the document lives in (annual reports in the first sub-channel)."""
        unit = self.unit
        if not unit.columns:
            return unit.home
        return f"{unit.home}{unit.columns[0 if self.report_type.endswith('_annual') else -1]}/"

    @property
    def hex_id(self) -> str:
        """jpaas article ids are 32 hex digits."""
        return hashlib.md5(f"jpaas:{self.doc_id}".encode()).hexdigest()

    def attachment_path(self, name: str) -> str:
        """Where an attachment is served: Hanweb/jpaas downfile.jsp, TRS W0… files, gkmlpt /attachment/."""
        if self.unit.cms == "trs":
            return f"{self.channel}{self.published:%Y%m}/{trs_attachment_name(name)}"
        if self.unit.cms == "gkmlpt":
            return f"{self.unit.home}attachment/0/{name}"
        return f"/module/download/downfile.jsp?classid=0&filename={name}"

    @property
    def published_at(self) -> str:
        return self.published.strftime("%Y-%m-%d %H:%M")

    @property
    def index_no(self) -> str:
        if self.index_override is not None:
            return self.index_override
        year = self.index_year or self.issued.year
        if self.county_scheme:
            return f"330483ZFC00000/{year}-{self.serial:06d}"
        return f"{self.unit.index_code}/{year}-{self.serial:06d}"

    def meta_value(self, name: str) -> str | None:
        """The value the page prints for one of META_FIELDS (None: pair absent)."""
        if name in self.shown:
            return self.shown[name]
        if name == "issued_date":
            return self.issued.isoformat()
        return getattr(self, name)
