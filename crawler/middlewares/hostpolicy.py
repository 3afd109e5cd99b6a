"""Which hosts a crawl may touch: the site's own, those the config allows, never private ones.

Catalogs link to other hosts (provincial platforms, mirrors) and, now and then, to intranet or
loopback addresses left in by editors. Following them would audit the wrong site or probe a
network the operator never meant to reach, so such requests are refused with a message that
names the setting to change. The demo portal's config allows loopback.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest


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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "HostPolicyMiddleware":
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        site = getattr(self.crawler.spider, "site_config", None)
        if site is None:
            return None
        host = urlparse(request.url).hostname or ""
        own = {urlparse(site.base_url).hostname} | {h for u in site.units for h in u.hosts} | set(site.allowed_hosts)
        if host not in own:
            raise IgnoreRequest(f"not followed: host {host} is not one of the site's hosts; "
                                f"add it to 'allowed_hosts' in {site.path} to crawl it")
        if not site.allow_private_hosts:
            if host not in self._private:
                self._private[host] = is_private_host(host)
            if self._private[host]:
                raise IgnoreRequest(f"not followed: {host} is a private or loopback address; "
                                    f"set 'allow_private_hosts: true' in {site.path} if that is intended")
        return None
