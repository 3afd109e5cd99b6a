"""Recognise a portal's CMS dialects from page fingerprints and draft a site config from them.

An analyst starts from a URL (a portal's 政府信息公开 home or one catalog column), not from
reading HTML. Each fetched page is matched against the fingerprints of the four platforms
(cms_structures.md §0); a page that matches is a catalog column, a page that does not is
searched for links to columns on the same host, each fetched once. Columns whose link names a
unit are grouped into units (several columns of one unit become its `catalogs`). The result is
a YAML draft that `crawler.sites` accepts as it stands; the analyst reviews levels and names.
Requests go only to the hosts given, never to private addresses unless allowed.
"""
from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

from crawler.middlewares.hostpolicy import is_private_host
from crawler.settings import USER_AGENT
from crawler.spiders.trs import PAGER_RE

# (dialect, what a page must hold, how it is described to the analyst); first match wins.
FINGERPRINTS: tuple[tuple[str, tuple[re.Pattern[str], ...], str], ...] = (
    ("gkmlpt", (re.compile(r"window\._CONFIG\s*=\s*\{"), re.compile(r"\bSID\s*:"), re.compile(r"\bTREE\s*:")),
     "gkmlpt: window._CONFIG = {SID: …, TREE: […]}"),
    ("jpaas", (re.compile(r"queryData\s*=", re.I), re.compile(r"jpaas-publish-server|unitUrl\s*=", re.I)),
     "jpaas: a pager with queryData=\"{'webId':…,'pageId':…}\" and the jpaas-publish-server build/unit endpoint"),
    ("hanweb", (re.compile(r"<datastore>", re.I), re.compile(r"dataproxy\.jsp|\.jpage\(")),
     "Hanweb: a <datastore> data island with dataproxy.jsp / jpage paging"),
    ("trs", (PAGER_RE,), "TRS WCM: a createPageHTML(…) / createPage(…) pager script"),
)
# Column names that say what a column holds, not whose it is: the unit is named before them.
COLUMN_WORDS = ("年度报告", "通知公告", "政策文件", "信息公开", "工作动态", "规划计划", "财政预决算", "其他文件",
                "法定主动公开内容", "政府信息公开目录", "更多")
UNIT_SUFFIX = re.compile(r"(人民政府|办事处|委员会|办公室|局|街道|镇|乡|中心)$")


class DetectError(RuntimeError):
    pass


@dataclass
class DetectedUnit:
    name: str
    level: str
    cms: str
    catalogs: list[str] = field(default_factory=list)


@dataclass
class Detection:
    title: str = ""
    units: list[DetectedUnit] = field(default_factory=list)
    checked: int = 0  # pages fetched and fingerprinted


def fingerprint(text: str) -> str | None:
    for dialect, patterns, _ in FINGERPRINTS:
        if all(p.search(text) for p in patterns):
            return dialect
    return None


def level_of(name: str) -> str:
    if name.endswith("街道") or name.endswith("街道办事处"):
        return "subdistrict"
    if re.search(r"(镇|乡)(人民政府)?$", name):
        return "township"
    if re.search(r"(市|县|区|旗)(人民政府|政府办公室|人民政府办公室)$", name):
        return "county_gov"
    return "department"


class Fetcher:
    """GET with the crawler's User-Agent; charset as Scrapy reads it (gb2312/gbk as gb18030)."""

    def __init__(self, allow_private: bool, delay: float = 0.5, timeout: float = 20.0):
        self.allow_private, self.delay, self.timeout = allow_private, delay, timeout
        self._private: dict[str, bool] = {}
        self._last = 0.0

    def get(self, url: str) -> str:
        host = urlparse(url).hostname or ""
        if urlparse(url).scheme not in ("http", "https") or not host:
            raise DetectError(f"{url!r} is not an http(s) URL")
        if not self.allow_private and self._private.setdefault(host, is_private_host(host)):
            raise DetectError(f"not fetched: {host} is a private or loopback address; pass --allow-private-hosts "
                              "if that is intended (the draft then sets allow_private_hosts: true)")
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        # The same User-Agent bytes Scrapy sends (UTF-8); http.client wants them as latin-1 text.
        agent = USER_AGENT.encode("utf-8").decode("latin-1")
        request = urllib.request.Request(url, headers={"User-Agent": agent, "Accept-Language": "zh-CN,zh;q=0.9"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                body, content_type = resp.read(4 * 1024 * 1024), resp.headers.get("Content-Type")
        except (urllib.error.URLError, OSError) as exc:
            raise DetectError(f"could not fetch {url}: {getattr(exc, 'reason', exc)}") from None
        finally:
            self._last = time.monotonic()
        return html_to_unicode(content_type, body)[1]


def _links(text: str, base: str) -> list[tuple[str, str]]:
    """(absolute URL, unit-ish name) of the same-host links of a page, in page order, once each."""
    try:
        doc = lxml.html.fromstring(text)
    except (etree.ParserError, ValueError):
        return []
    host = urlparse(base).netloc
    out: dict[str, str] = {}
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base, href).split("#")[0] if "/gkmlpt/" not in href else urljoin(base, href)
        if urlparse(url).netloc != host or url in out or url.rstrip("/") == base.rstrip("/"):
            continue
        name = re.sub(r"\s+", "", a.text_content())
        if not name or name in COLUMN_WORDS or not UNIT_SUFFIX.search(name):
            holder = next((p for p in a.iterancestors() if p.tag in ("li", "td", "dd", "p")), None)
            lead = re.split(r"[：:]", re.sub(r"\s+", "", (holder.text or "") if holder is not None else ""))[0]
            name = lead if UNIT_SUFFIX.search(lead) else name
        out[url] = name
    return list(out.items())


def _page_name(text: str) -> str:
    """A unit name for a catalog given directly: ColumnName, else the title part that reads like one."""
    for pattern in (r'<meta\s+name="ColumnName"\s+content="([^"]+)"', r"<title>(.*?)</title>"):
        if m := re.search(pattern, text, re.S | re.I):
            for part in re.split(r"[_\-|｜\s]+", m.group(1)):
                if UNIT_SUFFIX.search(part):
                    return part
    return ""


def _site_title(text: str) -> str:
    for pattern in (r'<meta\s+name="SiteName"\s+content="([^"]+)"', r"<title>(.*?)</title>"):
        if m := re.search(pattern, text, re.S | re.I):
            return re.sub(r"\s+", " ", m.group(1)).strip()
    return ""


def detect(urls: list[str], allow_private: bool = False, max_links: int = 120, delay: float = 0.5) -> Detection:
    fetcher = Fetcher(allow_private, delay)
    result = Detection()
    units: dict[str, DetectedUnit] = {}
    for url in urls:
        text = fetcher.get(url)
        result.checked += 1
        result.title = result.title or _site_title(text)
        found: list[tuple[str, str, str]] = []  # (catalog URL, unit name, dialect)
        if dialect := fingerprint(text):
            found.append((url, _page_name(text) or urlparse(url).path, dialect))
        else:
            for link, name in _links(text, url)[:max_links]:
                try:
                    page = fetcher.get(link)
                except DetectError:
                    continue
                result.checked += 1
                if dialect := fingerprint(page):
                    found.append((link, name or _page_name(page) or urlparse(link).path, dialect))
        for link, name, dialect in found:
            unit = units.setdefault(f"{name}\0{dialect}", DetectedUnit(name, level_of(name), dialect))
            if link not in unit.catalogs:
                unit.catalogs.append(link)
    result.units = list(units.values())
    if not result.units:
        looked = "; ".join(desc for _, _, desc in FINGERPRINTS)
        raise DetectError(f"no catalog recognised at {', '.join(urls)} (fetched {result.checked} page(s), the given "
                          f"ones and the same-host links on them). Looked for: {looked}. Pass a catalog column's URL, "
                          "or a page that links to the columns")
    return result


def draft_yaml(found: Detection, urls: list[str], name: str, allow_private: bool) -> str:
    """A site config `crawler.sites` accepts; comments say what to review."""
    first = urlparse(urls[0])
    base = f"{first.scheme}://{first.netloc}/"
    cms = Counter(u.cms for u in found.units).most_common(1)[0][0]

    def rel(url: str) -> str:
        return url[len(base) - 1:] if url.startswith(base) else url

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"# Draft written by `govaudit sites detect {' '.join(urls)}`: review unit names and levels.",
             f"name: {q(name)}", f"title: {q(found.title or name)}",
             f"# Dialects found: {', '.join(f'{k} ×{v}' for k, v in Counter(u.cms for u in found.units).items())}",
             f"cms: {cms}", f"base_url: {q(base)}"]
    if allow_private:
        lines.append("allow_private_hosts: true")
    hosts = sorted({urlparse(c).hostname or "" for u in found.units for c in u.catalogs} - {first.hostname, ""})
    if hosts:
        lines.append(f"allowed_hosts: [{', '.join(q(h) for h in hosts)}]")
    lines += ["politeness: {concurrency_per_host: 2, delay: 1.0, obey_robots: true}", "units:"]
    for unit in found.units:
        own = f", cms: {unit.cms}" if unit.cms != cms else ""
        where = (f"catalog: {q(rel(unit.catalogs[0]))}" if len(unit.catalogs) == 1
                 else f"catalogs: [{', '.join(q(rel(c)) for c in unit.catalogs)}]")
        lines.append(f"  - {{name: {q(unit.name)}, level: {unit.level}{own}, {where}}}")
    return "\n".join(lines) + "\n"
