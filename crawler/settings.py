"""Scrapy settings of govaudit: every crawl default lives here.

A site config (crawler/sites/*.yml) overrides the politeness values per portal at run time
(`crawler.crawl_subprocess.settings_for`); nothing else should set Scrapy settings.
"""
BOT_NAME = "govaudit"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# One spider per CMS dialect; a site's or unit's `cms:` names one of these keys. A new dialect
# is a module in crawler/spiders plus one line here.
GOVAUDIT_SPIDERS = {
    "hanweb": "crawler.spiders.hanweb.HanwebSpider",
    "trs": "crawler.spiders.trs.TrsSpider",
    "gkmlpt": "crawler.spiders.gkmlpt.GkmlptSpider",
    "jpaas": "crawler.spiders.jpaas.JpaasSpider",
}

# Government portals often block anonymous clients; an honest, identifying agent is the
# polite choice and the one a webmaster can whitelist.
USER_AGENT = "govaudit/0.1 (government disclosure audit; contact: the operating 政务公开办)"

ROBOTSTXT_OBEY = True

# Many townships share one county host, so limits are per host, not per unit.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy's downloader with the per-host limit kept under the asyncio reactor (see the module).
DOWNLOADER = "crawler.politedownloader.PoliteDownloader"
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
GOVAUDIT_RETRY_BACKOFF_BASE = 0.5  # seconds; doubled on each retry, Retry-After honoured
GOVAUDIT_RETRY_BACKOFF_MAX = 30.0
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = True

# Only http(s) is ever downloaded: a catalog link to file:///etc/passwd or /proc/self/environ
# must not be read from the crawling machine, nor ftp:// or s3:// fetched (HostPolicyMiddleware
# refuses them first; without a handler they could not be fetched even past it).
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.hostpolicy.HostPolicyMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.backoff.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    "crawler.middlewares.freshcache.FreshOnlyHttpCacheMiddleware": 900,
    "crawler.middlewares.wirestats.WireStatsMiddleware": 950,
}
# Weekly re-crawls revalidate instead of refetching: cache on disk (per site, beside the store,
# set by crawler.crawl_subprocess), never expire entries, and make every request stale so it is
# always revalidated with the server (If-None-Match / If-Modified-Since → 304). A download
# that fails is never answered from the cache (crawler.middlewares.freshcache).
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "crawler.cachepolicy.RevalidatingPolicy"
HTTPCACHE_EXPIRATION_SECS = 0
HTTPCACHE_STORAGE = "crawler.cachestorage.SqliteCacheStorage"
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
    "Cache-Control": "max-age=0",
}

# A callback that raises is recorded as a failure of its page, never a silent loss.
SPIDER_MIDDLEWARES = {"crawler.middlewares.callbackerrors.CallbackErrorMiddleware": 50}

# The pipeline stores every page, failed ones included ("could not check" is a finding).
ITEM_PIPELINES = {"crawler.pipelines.store.StorePipeline": 300}
EXTENSIONS = {
    "crawler.extensions.progress.ProgressReporter": 500,
    "scrapy.extensions.telnet.TelnetConsole": None,
}
# Non-2xx responses go to the errback, where they are recorded with their status.
HTTPERROR_ALLOW_ALL = False

# Hanweb list paging guards: a portal that keeps answering with new windows forever (or the
# same window again) must not trap the crawl.
GOVAUDIT_MAX_CATALOG_PAGES = 2000
GOVAUDIT_PROXY_WINDOW = 45
GOVAUDIT_CHECK_ATTACHMENTS = True
# Attachments that look like a report's file (crawler.attachments) are downloaded and kept in
# the store so the auditor can read reports published as PDF, Word or Excel: at most this many
# per page, each within its own size limit and timeout (a larger or slower file is recorded
# with the reason and reported "could not check").
GOVAUDIT_DOWNLOAD_ATTACHMENTS = True
GOVAUDIT_ATTACHMENT_MAX_PER_PAGE = 3
GOVAUDIT_ATTACHMENT_MAXSIZE = 20 * 1024 * 1024
GOVAUDIT_ATTACHMENT_TIMEOUT = 60.0
# Re-crawl budget (crawler.recrawl): a re-crawl reads every catalog but fetches a detail page
# only when its catalog entry (URL, title, date) is new or changed, when it has an open
# finding, when its last fetch failed, or when it is due: every page is fetched again at least
# once in this many weeks (a site config overrides it as politeness.recheck_weeks), spread
# evenly over the crawls in between. `govaudit crawl --full` fetches everything.
GOVAUDIT_RECHECK_WEEKS = 13
# A crawl that outlives its time budget (politeness.max_minutes) by this much is stopped hard
# (CLOSESPIDER_TIMEOUT); the spider's own budget checks normally stop listing well before.
GOVAUDIT_HARD_STOP_GRACE_SECS = 300

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# A crawl spread over `govaudit worker` processes (crawler/frontier.py, `govaudit crawl --workers
# redis://…`): these settings are laid over the ones above in every worker. scrapy-redis keeps the
# frontier and the duplicate filter in Redis; its queue is extended with leases, so a request a
# worker took is back in the queue once that worker stops heartbeating. The queue must outlive
# any one worker (SCHEDULER_PERSIST): the crawl command clears it when the crawl is over.
GOVAUDIT_WORKER_SETTINGS = {
    "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
    "SCHEDULER_QUEUE_CLASS": "crawler.leasedqueue.LeasedQueue",
    "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    "SCHEDULER_PERSIST": True,
    "SCHEDULER_SERIALIZER": "scrapy_redis.picklecompat",
    # The per-host delay is kept in Redis for all workers together (crawler/politedownloader.py),
    # spaced evenly: a random jitter per worker would let two workers' requests bunch up.
    "DOWNLOAD_DELAY_JITTER": 0,
    "EXTENSIONS": {**EXTENSIONS, "crawler.extensions.leases.LeaseKeeper": 400},
    "SPIDER_MIDDLEWARES": {**SPIDER_MIDDLEWARES, "crawler.middlewares.seeded.SeededStartMiddleware": 10},
}
# Seconds a worker may go without a heartbeat before the requests it holds go back to the queue.
GOVAUDIT_LEASE_TTL = 15.0
# How often an idle worker looks in the shared queue for requests other workers added.
GOVAUDIT_WORKER_POLL = 0.5
