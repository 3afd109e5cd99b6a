"""Site configs: which portal, which CMS dialect, which units, how politely.

An analyst writes one YAML file per portal (`crawler/sites/*.yml`). A county mixes platforms,
so `cms:` names the site's dialect and any unit may name its own; a unit may list several
catalog columns (`catalogs:`), read as one catalog with each document counted once. It is validated strictly
before any request is made: an unknown key or a bad value is an error that names the file,
line and field, because a silently ignored typo (`obey_robot: false`) would change what the
crawl does without anyone noticing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

from govaudit.vocabulary import COLUMN_KINDS, UNIT_LEVELS
from govaudit.yamlsource import YamlDoc, YamlError, dotted, load_yaml
from crawler.settings import GOVAUDIT_RECHECK_WEEKS, GOVAUDIT_SPIDERS

SITES_DIR = Path(__file__).resolve().parent / "sites"
DIALECTS = tuple(GOVAUDIT_SPIDERS)
# A site name becomes a directory (the HTTP cache) and a log and mail header word: a slug only.
SITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class SiteConfigError(YamlError):
    pass


@dataclass(frozen=True)
class Politeness:
    concurrency_per_host: int = 2
    delay: float = 1.0
    obey_robots: bool = True
    robots_opt_out_reason: str | None = None
    autothrottle: bool = True
    # Budgets a catalog cannot talk the crawl past (a catalog claiming 10 million records):
    # documents listed per unit and per crawl, minutes per unit and per crawl. Reaching one
    # stops the listing and records the catalog as cut short ("could not check" the rest).
    max_pages_per_unit: int = 10_000
    max_pages: int = 100_000
    max_minutes_per_unit: float = 120
    max_minutes: float = 720
    # Re-crawls leave a page whose catalog entry is unchanged unfetched, but fetch every page
    # again at least once in this many weeks (crawler.recrawl), which catches silent edits.
    recheck_weeks: int = GOVAUDIT_RECHECK_WEEKS


@dataclass(frozen=True)
class Column:
    """A site column (工作动态, 通知公告…) whose listing is read for freshness, never crawled."""

    name: str
    url: str  # absolute after loading
    kind: str | None = None  # news | notices | personnel | other; None: inferred from the name by the audit


@dataclass(frozen=True)
class Unit:
    name: str
    level: str
    catalogs: tuple[str, ...]  # catalog start URLs (several columns of one unit), absolute after loading
    cms: str = "hanweb"  # the dialect of this unit's catalogs (the site's unless the unit says otherwise)
    full_name: str = ""  # standard full name (发布机构 on its pages), e.g. 桐乡市濮院镇人民政府; "" = not given
    columns: tuple[Column, ...] = ()  # site columns read for the spot check's freshness indicators

    @property
    def catalog(self) -> str:
        """The first catalog: where a unit is shown and linked from."""
        return self.catalogs[0]

    @property
    def hosts(self) -> set[str]:
        return {urlparse(c).hostname or "" for c in self.catalogs}

    @property
    def host(self) -> str:
        return urlparse(self.catalog).hostname or ""


@dataclass(frozen=True)
class SiteConfig:
    name: str
    cms: str
    base_url: str
    units: tuple[Unit, ...]
    title: str = ""
    allow_private_hosts: bool = False
    allowed_hosts: tuple[str, ...] = ()
    politeness: Politeness = field(default_factory=Politeness)
    path: str = ""

    def select_units(self, names: list[str] | None) -> "SiteConfig":
        """Limit to the named units; an unknown name is an error listing the known ones."""
        if not names:
            return self
        known = {u.name: u for u in self.units}
        missing = [n for n in names if n not in known]
        if missing:
            raise SiteConfigError(
                self.path, None,
                f"unknown unit {', '.join(missing)}; units of site {self.name}: {', '.join(known)}",
            )
        return replace(self, units=tuple(known[n] for n in names))

    @property
    def dialects(self) -> tuple[str, ...]:
        """The CMS dialects the units use, in the order they first appear."""
        return tuple(dict.fromkeys(u.cms for u in self.units))

    def units_of(self, cms: str) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.cms == cms)

    def with_base_url(self, base_url: str) -> "SiteConfig":
        """Re-root every catalog URL on another base (the demo portal's live port)."""
        old = urlparse(self.base_url)

        def moved(url: str) -> str:
            parsed = urlparse(url)
            if (parsed.hostname, parsed.port) != (old.hostname, old.port):
                return url
            path = (parsed.path + (f"?{parsed.query}" if parsed.query else "")
                    + (f"#{parsed.fragment}" if parsed.fragment else ""))
            return urljoin(base_url, path)

        units = tuple(replace(u, catalogs=tuple(moved(c) for c in u.catalogs),
                              columns=tuple(replace(c, url=moved(c.url)) for c in u.columns)) for u in self.units)
        return replace(self, base_url=base_url, units=units)


_TOP_KEYS = {"name", "title", "cms", "base_url", "allow_private_hosts", "allowed_hosts", "politeness", "units"}
_POLITENESS_KEYS = {f for f in Politeness.__dataclass_fields__}
_UNIT_KEYS = {"name", "level", "catalog", "catalogs", "cms", "full_name"}
_UNIT_OPTIONAL_KEYS = {"columns"}
_COLUMN_KEYS = {"name", "url", "kind"}


def resolve_site_path(ref: str | Path) -> Path:
    """A site name (`demo`, `tongxiang-demo`) or a path to a YAML file."""
    candidate = Path(ref)
    if candidate.suffix in (".yml", ".yaml") or candidate.exists():
        return candidate
    for path in sorted(SITES_DIR.glob("*.yml")):
        if path.stem == str(ref):
            return path
        try:
            if (load_yaml(path).data or {}).get("name") == str(ref):
                return path
        except YamlError:
            continue
    known = ", ".join(sorted(p.stem for p in SITES_DIR.glob("*.yml")))
    raise SiteConfigError(ref, None, f"no site config named {ref!r}; known: {known}; or pass a path to a .yml file")


def load_site(ref: str | Path) -> SiteConfig:
    path = resolve_site_path(ref)
    try:
        doc = load_yaml(path)
    except YamlError as exc:
        raise SiteConfigError(exc.file, exc.line, exc.message) from None
    return parse_site(doc)


def parse_site(doc: YamlDoc) -> SiteConfig:
    data = doc.data
    if not isinstance(data, dict):
        raise _err(doc, (), "a site config must be a mapping with name, cms, base_url and units")
    _no_unknown(doc, (), data, _TOP_KEYS)
    for key in ("name", "cms", "base_url", "units"):
        if key not in data:
            raise _err(doc, (), f"missing field '{key}'")
    name = _str(doc, ("name",), data["name"])
    if not SITE_NAME.match(name) or ".." in name:
        raise _err(doc, ("name",), f"field 'name': {name!r} is not a site name; use letters, digits, '-', '_' "
                                   "and '.' (at most 64, starting with a letter or digit), e.g. tongxiang-demo")
    cms = _dialect(doc, ("cms",), data["cms"])
    base_url = _url(doc, ("base_url",), data["base_url"])
    politeness = _politeness(doc, data.get("politeness") or {})
    units_raw = data["units"]
    if not isinstance(units_raw, list) or not units_raw:
        raise _err(doc, ("units",),
                   "field 'units': expected a non-empty list of {name, level, catalog or catalogs[, cms]}")
    units, names = [], set()
    for i, raw in enumerate(units_raw):
        where = ("units", i)
        if not isinstance(raw, dict):
            raise _err(doc, where, f"field '{dotted(where)}': expected a mapping with name, level, catalog")
        _no_unknown(doc, where, raw, _UNIT_KEYS | _UNIT_OPTIONAL_KEYS)
        for key in ("name", "level"):
            if key not in raw:
                raise _err(doc, where, f"field '{dotted(where)}': missing '{key}'")
        uname = _str(doc, where + ("name",), raw["name"])
        if uname in names:
            raise _err(doc, where + ("name",), f"field '{dotted(where + ('name',))}': unit {uname!r} listed twice")
        names.add(uname)
        level = raw["level"]
        if level not in UNIT_LEVELS:
            raise _err(doc, where + ("level",),
                       f"field '{dotted(where + ('level',))}': {level!r} is not one of {', '.join(UNIT_LEVELS)}")
        unit_cms = _dialect(doc, where + ("cms",), raw["cms"]) if "cms" in raw else cms
        full_name = _str(doc, where + ("full_name",), raw["full_name"]) if "full_name" in raw else ""
        columns = _columns(doc, where + ("columns",), raw.get("columns") or [], base_url)
        units.append(Unit(name=uname, level=level, catalogs=_catalogs(doc, where, raw, base_url), cms=unit_cms,
                          full_name=full_name, columns=columns))
    allowed = data.get("allowed_hosts") or []
    if not isinstance(allowed, list) or not all(isinstance(h, str) for h in allowed):
        raise _err(doc, ("allowed_hosts",), "field 'allowed_hosts': expected a list of host names")
    allow_private = data.get("allow_private_hosts", False)
    if not isinstance(allow_private, bool):
        raise _err(doc, ("allow_private_hosts",), "field 'allow_private_hosts': expected true or false")
    return SiteConfig(
        name=name, cms=cms, base_url=base_url, units=tuple(units), title=str(data.get("title") or ""),
        allow_private_hosts=allow_private, allowed_hosts=tuple(allowed), politeness=politeness, path=doc.file,
    )


def _dialect(doc: YamlDoc, where: tuple, value: Any) -> str:
    cms = _str(doc, where, value)
    if cms not in DIALECTS:
        raise _err(doc, where,
                   f"field '{dotted(where)}': {cms!r} is not a supported CMS dialect ({', '.join(DIALECTS)})")
    return cms


def _catalogs(doc: YamlDoc, where: tuple, raw: dict, base_url: str) -> tuple[str, ...]:
    """`catalog: URL` or `catalogs: [URL, ...]` (not both), resolved against base_url; no repeats."""
    if ("catalog" in raw) == ("catalogs" in raw):
        raise _err(doc, where, f"field '{dotted(where)}': give either 'catalog' (one URL) or 'catalogs' "
                               "(a list of URLs), not both and not neither")
    if "catalog" in raw:
        return (urljoin(base_url, _str(doc, where + ("catalog",), raw["catalog"])),)
    listed = raw["catalogs"]
    if not isinstance(listed, list) or not listed:
        raise _err(doc, where + ("catalogs",),
                   f"field '{dotted(where + ('catalogs',))}': expected a non-empty list of URLs")
    out: list[str] = []
    for j, item in enumerate(listed):
        url = urljoin(base_url, _str(doc, where + ("catalogs", j), item))
        if url in out:
            raise _err(doc, where + ("catalogs", j),
                       f"field '{dotted(where + ('catalogs', j))}': {item!r} listed twice")
        out.append(url)
    return tuple(out)


def _columns(doc: YamlDoc, where: tuple, raw: Any, base_url: str) -> tuple[Column, ...]:
    """A unit's site columns: `- {name: 工作动态, url: /col/col123/index.html, kind: news}`."""
    if not isinstance(raw, list):
        raise _err(doc, where, f"field '{dotted(where)}': expected a list of {{name, url, kind}}")
    columns, seen = [], set()
    for i, item in enumerate(raw):
        at = where + (i,)
        if not isinstance(item, dict):
            raise _err(doc, at, f"field '{dotted(at)}': expected a mapping with name, url and optionally kind")
        _no_unknown(doc, at, item, _COLUMN_KEYS)
        for key in ("name", "url"):
            if key not in item:
                raise _err(doc, at, f"field '{dotted(at)}': missing '{key}'")
        name = _str(doc, at + ("name",), item["name"])
        url = urljoin(base_url, _str(doc, at + ("url",), item["url"]))
        if url in seen:
            raise _err(doc, at + ("url",), f"field '{dotted(at + ('url',))}': column {url} listed twice")
        seen.add(url)
        kind = item.get("kind")
        if kind is not None and kind not in COLUMN_KINDS:
            raise _err(doc, at + ("kind",), f"field '{dotted(at + ('kind',))}': {kind!r} is not one of "
                                            f"{', '.join(COLUMN_KINDS)} (leave it out to infer it from the name)")
        columns.append(Column(name=name, url=url, kind=kind))
    return tuple(columns)


def _politeness(doc: YamlDoc, raw: Any) -> Politeness:
    where = ("politeness",)
    if not isinstance(raw, dict):
        raise _err(doc, where, "field 'politeness': expected a mapping")
    _no_unknown(doc, where, raw, _POLITENESS_KEYS)
    checks: dict[str, tuple[type, ...]] = {
        "concurrency_per_host": (int,), "delay": (int, float), "obey_robots": (bool,),
        "robots_opt_out_reason": (str,), "autothrottle": (bool,), "max_pages_per_unit": (int,),
        "max_pages": (int,), "max_minutes_per_unit": (int, float), "max_minutes": (int, float),
        "recheck_weeks": (int,),
    }
    for key, value in raw.items():
        if isinstance(value, bool) and bool not in checks[key] or not isinstance(value, checks[key]):
            raise _err(doc, where + (key,), f"field 'politeness.{key}': {value!r} has the wrong type")
    for key in ("max_pages_per_unit", "max_pages", "max_minutes_per_unit", "max_minutes", "recheck_weeks"):
        if key in raw and raw[key] <= 0:
            raise _err(doc, where + (key,), f"field 'politeness.{key}': must be above 0, got {raw[key]!r}")
    if raw.get("concurrency_per_host", 1) < 1 or raw.get("delay", 0) < 0:
        raise _err(doc, where, "field 'politeness': concurrency_per_host must be ≥ 1 and delay ≥ 0")
    if raw.get("obey_robots") is False and not raw.get("robots_opt_out_reason"):
        raise _err(doc, where + ("obey_robots",),
                   "field 'politeness.obey_robots': opting out of robots.txt needs 'robots_opt_out_reason'")
    return Politeness(**raw)


def _no_unknown(doc: YamlDoc, where: tuple, raw: dict, allowed: set[str]) -> None:
    for key in raw:
        if key not in allowed:
            field_name = dotted(where + (key,))
            raise _err(doc, where + (key,),
                       f"unknown field '{field_name}'; allowed here: {', '.join(sorted(allowed))}")


def _str(doc: YamlDoc, where: tuple, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _err(doc, where, f"field '{dotted(where)}': expected non-empty text, got {value!r}")
    if _CONTROL.search(value.strip()):
        # A line break in a unit name would split a log line or a mail header in two.
        raise _err(doc, where, f"field '{dotted(where)}': {value!r} contains a line break or control character")
    return value.strip()


def _url(doc: YamlDoc, where: tuple, value: Any) -> str:
    text = _str(doc, where, value)
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise _err(doc, where, f"field '{dotted(where)}': {text!r} is not an http(s) URL")
    return text if text.endswith("/") else text + "/"


def _err(doc: YamlDoc, where: tuple, message: str) -> SiteConfigError:
    return SiteConfigError(doc.file, doc.line(*where), message)
