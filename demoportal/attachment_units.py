"""Three departments of the demo portal that publish their annual reports only as attachments.

They are kept apart from `units.UNITS` so that the documents generated for the fifteen
units (and every test that counts them) stay exactly as they were: these units' documents
come from their own random stream (`attachment_reports`). Like the other units they are
columns of the Hanweb site, listed in `crawler/sites/demo.yml`.
"""
from __future__ import annotations

from .units import Unit

ATTACHMENT_UNITS: tuple[Unit, ...] = (
    Unit("桐乡市教育局", "department", "桐乡市教育局", 1229427131, 7516352, 3291,
         "001008004002012", "桐教发", 5, "single_quote", 0.0),
    Unit("桐乡市民政局", "department", "桐乡市民政局", 1229427144, 7516363, 3291,
         "001008004002019", "桐民发", 14, "double_quote", 0.0),
    Unit("桐乡市市场监督管理局", "department", "桐乡市市场监督管理局", 1229427157, 7516374, 3291,
         "001008004002024", "桐市监发", 15, "bold_date", 0.0),
)
