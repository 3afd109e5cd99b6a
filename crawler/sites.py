"""Site configs: which portal, which CMS dialect, which units, how politely.

An analyst writes one YAML file per portal (`crawler/sites/*.yml`). It is validated strictly
before any request is made: an unknown key or a bad value is an error that names the file,
line and field, because a silently ignored typo (`obey_robot: false`) would change what the
crawl does without anyone noticing.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

from govaudit.vocabulary import COLUMN_KINDS, UNIT_LEVELS
from govaudit.yamlsource import YamlDoc, YamlError, dotted, load_yaml
from crawler.settings import GOVAUDIT_SPIDERS

SITES_DIR = Path(__file__).resolve().parent / "sites"
DIALECTS = tuple(GOVAUDIT_SPIDERS)


class SiteConfigError(YamlError):
    pass


@dataclass(frozen=True)
class Politeness:
    concurrency_per_host: int = 2
    delay: float = 1.0
    obey_robots: bool = True
    robots_opt_out_reason: str | None = None
    autothrottle: bool = True


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
    catalog: str  # catalog start URL, absolute after loading
    columns: tuple[Column, ...] = ()

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

    def with_base_url(self, base_url: str) -> "SiteConfig":
        """Re-root every catalog URL on another base (the demo portal's live port)."""
        old = urlparse(self.base_url)
        units = []
        for unit in self.units:
            parsed = urlparse(unit.catalog)
            path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            same_host = (parsed.hostname, parsed.port) == (old.hostname, old.port)
            if same_host:
                unit = replace(unit, catalog=urljoin(base_url, path))
            units.append(replace(unit, columns=tuple(_rerooted(c, old, base_url) for c in unit.columns)))
        return replace(self, base_url=base_url, units=tuple(units))


_TOP_KEYS = {"name", "title", "cms", "base_url", "allow_private_hosts", "allowed_hosts", "politeness", "units"}
_POLITENESS_KEYS = {f for f in Politeness.__dataclass_fields__}
_UNIT_KEYS = {"name", "level", "catalog"}
_UNIT_OPTIONAL_KEYS = {"columns"}
_COLUMN_KEYS = {"name", "url", "kind"}


def _rerooted(column: Column, old: Any, base_url: str) -> Column:
    parsed = urlparse(column.url)
    if (parsed.hostname, parsed.port) != (old.hostname, old.port):
        return column
    return replace(column, url=urljoin(base_url, parsed.path + (f"?{parsed.query}" if parsed.query else "")))


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
    cms = _str(doc, ("cms",), data["cms"])
    if cms not in DIALECTS:
        raise _err(doc, ("cms",), f"field 'cms': {cms!r} is not a supported CMS dialect ({', '.join(DIALECTS)})")
    base_url = _url(doc, ("base_url",), data["base_url"])
    politeness = _politeness(doc, data.get("politeness") or {})
    units_raw = data["units"]
    if not isinstance(units_raw, list) or not units_raw:
        raise _err(doc, ("units",), "field 'units': expected a non-empty list of {name, level, catalog}")
    units, names = [], set()
    for i, raw in enumerate(units_raw):
        where = ("units", i)
        if not isinstance(raw, dict):
            raise _err(doc, where, f"field '{dotted(where)}': expected a mapping with name, level, catalog")
        _no_unknown(doc, where, raw, _UNIT_KEYS | _UNIT_OPTIONAL_KEYS)
        for key in _UNIT_KEYS:
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
        catalog = urljoin(base_url, _str(doc, where + ("catalog",), raw["catalog"]))
        columns = _columns(doc, where + ("columns",), raw.get("columns") or [], base_url)
        units.append(Unit(name=uname, level=level, catalog=catalog, columns=columns))
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
        "robots_opt_out_reason": (str,), "autothrottle": (bool,),
    }
    for key, value in raw.items():
        if isinstance(value, bool) and bool not in checks[key] or not isinstance(value, checks[key]):
            raise _err(doc, where + (key,), f"field 'politeness.{key}': {value!r} has the wrong type")
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
    return value.strip()


def _url(doc: YamlDoc, where: tuple, value: Any) -> str:
    text = _str(doc, where, value)
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise _err(doc, where, f"field '{dotted(where)}': {text!r} is not an http(s) URL")
    return text if text.endswith("/") else text + "/"


def _err(doc: YamlDoc, where: tuple, message: str) -> SiteConfigError:
    return SiteConfigError(doc.file, doc.line(*where), message)
