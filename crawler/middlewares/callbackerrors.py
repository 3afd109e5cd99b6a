"""A callback that raises costs its own page, recorded, and nothing else.

Dialect spiders read markup written by strangers; a value no parser foresaw (a 5,000-digit
`totalRecord`, `perPage:abc`) makes a callback raise. Scrapy would log the traceback and
drop the rest of that callback's output, and the crawl would still say "complete": the unit's
catalog silently shorter, or a listed page missing. Here the exception becomes a stored
record of the page it happened on (a catalog problem, or a detail page that could not be
read), so the audit reports it as "could not check" with the reason. Output the callback
yielded before raising has already gone on.
"""
from __future__ import annotations

from typing import Any, Iterable

from scrapy.http import Response

MAX_MESSAGE = 300


class CallbackErrorMiddleware:
    def process_spider_exception(self, response: Response, exception: Exception, spider: Any) -> Iterable[Any] | None:
        request = response.request
        kwargs = request.cb_kwargs if request is not None else {}
        if not hasattr(spider, "record") or ("unit" not in kwargs and "record" not in kwargs):
            return None  # not one of ours: Scrapy's own handling
        spider.crawler.stats.inc_value("govaudit/callback_errors")
        reason = f"{type(exception).__name__}: {str(exception)[:MAX_MESSAGE]}"
        spider.logger.error("could not read %s: %s", response.url, reason)
        if "record" in kwargs:  # an attachment check: store the page with what was checked
            return [kwargs["record"]]
        unit = kwargs["unit"]
        if getattr(getattr(request, "callback", None), "__name__", "") == "parse_detail":
            return [spider.record(unit, response.url, kind="detail", list_title=kwargs.get("list_title"),
                                  list_date=kwargs.get("list_date"), http_status=response.status,
                                  error=f"the page could not be read ({reason})")]
        return [spider.catalog_problem(unit, response.url, status=response.status,
                                       reason=f"catalog could not be read ({reason}); the rest of this catalog "
                                              "page could not be checked")]
