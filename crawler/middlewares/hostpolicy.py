"""Which origins a crawl may touch: the site's own, those the config allows, never private ones.

Catalogs link to other hosts (provincial platforms, mirrors) and, now and then, to intranet or
loopback addresses left in by editors, or to `file://` and `ftp://` URLs. Following them would
audit the wrong site, probe a network the operator never meant to reach, or read the crawling
machine's own files, so such requests are refused with a message that names the setting to
change. An origin is scheme + host + port: the site's host on another port is another server.
Only http(s) ever reaches the downloader (the other download handlers are switched off in
settings as well). The demo portal's config allows loopback.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

WEB_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of an http(s) URL, the port made explicit; None otherwise."""
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in WEB_SCHEMES or not parts.hostname:
            return None
        return scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[scheme]
    except ValueError:  # a malformed port or IPv6 literal
        return None


def allowed_origins(base_url: str, catalogs: list[str], allowed_hosts: tuple[str, ...]) -> set[Origin]:
    """The site's own origins (base URL and unit catalogs; an http origin on the default port
    also allows its https upgrade, which portals redirect to), plus `allowed_hosts`: a bare
    host name allows it on the default http and https ports, a full origin exactly that."""
    origins: set[Origin] = set()
    for url in [base_url, *catalogs]:
        origin = origin_of(url)
        if origin:
            origins.add(origin)
            if origin[0] == "http" and origin[2] == 80:
                origins.add(("https", origin[1], 443))
    for entry in allowed_hosts:
        origin = origin_of(entry) if "://" in entry else None
        if origin:
            origins.add(origin)
        else:
            host = entry.strip().lower()
            origins |= {("http", host, 80), ("https", host, 443)}
    return origins


def shown(origin: Origin) -> str:
    scheme, host, port = origin
    return f"{scheme}://{host}" + ("" if DEFAULT_PORTS[scheme] == port else f":{port}")


def is_private_host(host: str) -> bool:
    """True for loopback, private, link-local and reserved addresses (resolving names once)."""
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            addresses = {ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, None)}
        except OSError:
            return False  # unresolvable: let the download fail and be recorded as such
    return any(a.is_private or a.is_loopback or a.is_link_local or a.is_reserved for a in addresses)


class HostPolicyMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self._private: dict[str, bool] = {}
        self._origins: set[Origin] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "HostPolicyMiddleware":
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        scheme = request.url.split(":", 1)[0].lower() if ":" in request.url else ""
        if scheme not in WEB_SCHEMES:
            # Before any site check: nothing but http(s) is downloaded, whatever the config says.
            raise IgnoreRequest(f"not followed: {scheme or 'no'} scheme in {request.url[:200]}; "
                                "only http and https links are crawled")
        site = getattr(self.crawler.spider, "site_config", None)
        if site is None:
            return None
        origin = origin_of(request.url)
        if origin is None:
            raise IgnoreRequest(f"not followed: {request.url[:200]} is not a well-formed http(s) URL")
        if self._origins is None:
            catalogs = [c for u in site.units for c in u.catalogs]
            self._origins = allowed_origins(site.base_url, catalogs, site.allowed_hosts)
        if origin not in self._origins:
            raise IgnoreRequest(f"not followed: host {shown(origin)} is not one of the site's hosts; add it "
                                f"to 'allowed_hosts' in {site.path} to crawl it (scheme://host:port for another "
                                "scheme or port)")
        host = origin[1]
        if not site.allow_private_hosts:
            if host not in self._private:
                self._private[host] = is_private_host(host)
            if self._private[host]:
                raise IgnoreRequest(f"not followed: {host} is a private or loopback address; "
                                    f"set 'allow_private_hosts: true' in {site.path} if that is intended")
        return None
