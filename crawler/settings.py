"""Scrapy settings for nianbao: polite by default, a browser only when a page needs one.

Everything here can be overridden from `nianbao crawl` options (see
`nianbao/options.py`) or `scrapy crawl reports -s NAME=VALUE`. This module is the one place
of every default: our components read the `NIANBAO_*` settings through `from_crawler`,
never by importing this module and without defaults of their own.
"""
from __future__ import annotations

from nianbao.crawler.browser import launch_options

BOT_NAME = "nianbao"
SPIDER_MODULES = ["nianbao.crawler.spiders"]
NEWSPIDER_MODULE = "nianbao.crawler.spiders"

# --- identity ---------------------------------------------------------------------------
# An honest User-Agent: who we are and how to reach whoever runs the crawl. The contact is
# appended by `nianbao.launch.user_agent()` from NIANBAO_CONTACT (`--contact`).
NIANBAO_CONTACT = "https://github.com/nianbao/nianbao"
NIANBAO_BOT_VERSION = "0.1"
USER_AGENT = f"nianbao/{NIANBAO_BOT_VERSION} (+{NIANBAO_CONTACT}; OGI annual report archiver)"
ROBOTSTXT_OBEY = True
# RFC 9309: a robots.txt is parsed up to this size (the RFC's minimum) and the rest ignored; an
# answer 5xx or no answer keeps the crawl off the site (crawler/middlewares/robots.py)
NIANBAO_ROBOTS_MAX_BYTES = 500 * 1024

# --- politeness ---------------------------------------------------------------------------
# A "site" is host:port (crawler.canonical.site_of); SiteScopeMiddleware puts every request
# of a site in its own download slot, so these limits apply per site, not per host name.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
CONCURRENT_REQUESTS_PER_IP = 0
DOWNLOAD_DELAY = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
# 429 and 503 are handled by BackoffMiddleware (it honours Retry-After); the stock
# RetryMiddleware keeps the other transient failures.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 504, 522, 524, 408]
NIANBAO_BACKOFF_CODES = [429, 503]
NIANBAO_BACKOFF_BASE = 2.0          # seconds; doubled per retry when no Retry-After
NIANBAO_BACKOFF_MAX = 120.0         # never wait longer than this for one Retry-After
COOKIES_ENABLED = True
REFERER_ENABLED = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False     # Scrapy's remote control runs arbitrary Python: never on

# --- crawl shape ----------------------------------------------------------------------------
# Priorities decide the order (reports and disclosure sections first); the budgets below
# decide when to stop exploring a site that is not giving reports.
DEPTH_LIMIT = 8
NIANBAO_MAX_PAGES_PER_SITE = 400    # hard ceiling of requests to one site (0 = none)
NIANBAO_EXPLORE_BUDGET = 6          # pages fetched through links that score nothing
NIANBAO_LIST_PAGES_WITHOUT_REPORT = 1  # list pages followed past one that showed no report
NIANBAO_LIST_MAX_PAGES = 500        # pages of one list followed at most (paging uses no link depth)
NIANBAO_SECTION_PAGES = 3           # pages of a disclosure list followed before reports show
NIANBAO_SITEMAP_MAX_URLS = 5000     # URLs read from one sitemap file
NIANBAO_EXPLORE_DEPTH = 3           # link depth up to which pages that score nothing are parked for exploring
# longer URLs than nginx's and Apache's default request-line limits (8 KiB) are answered by
# no common server; Scrapy's 2083 is an old browser's limit
URLLENGTH_LIMIT = 8192
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"

# --- rendering --------------------------------------------------------------------------------
# Plain HTTP first; RenderOnDemandMiddleware re-fetches through Chromium only when
# extract.looks_like_shell() says the page is a loading shell ("auto"), or always/never.
NIANBAO_RENDER = "auto"
NIANBAO_RENDER_CONCURRENCY = 2      # pages open in the browser at once, all sites together
NIANBAO_RENDER_TIMEOUT = 15.0       # seconds to wait for content to appear
NIANBAO_BLOCK_RESOURCES = ["image", "media", "font"]
# scrapy-playwright's handler without its silent retries and with a deadline per download
DOWNLOAD_HANDLERS = {
    "http": "nianbao.crawler.download_handler.BrowserDownloadHandler",
    "https": "nianbao.crawler.download_handler.BrowserDownloadHandler",
}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Scrapy's caching resolver, with names under .test (RFC 2606: never a real site) on the
# loopback address, where the sample portals answer to several host names
TWISTED_DNS_RESOLVER = "nianbao.crawler.resolver.LoopbackTestHostsResolver"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
# Debian's Chromium (crawler/browser.py); a long crawl keeps its shared memory out of a
# container's small /dev/shm.
PLAYWRIGHT_LAUNCH_OPTIONS = launch_options("--disable-dev-shm-usage")
# One short-lived context per render (closed by RenderOnDemandMiddleware), so memory stays
# flat; the number of contexts is the render concurrency.
PLAYWRIGHT_MAX_CONTEXTS = NIANBAO_RENDER_CONCURRENCY
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 1
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000

# --- components ---------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "nianbao.crawler.middlewares.site.SiteScopeMiddleware": 60,
    # Scrapy's, minus its bug: requests waiting for robots.txt skipped it (crawler/middlewares/robots.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "nianbao.crawler.middlewares.robots.RobotsTxtMiddleware": 100,
    # refusals judged on final answers (after renders), before the spider sees them
    "nianbao.crawler.middlewares.refusal.RefusalMiddleware": 530,
    "nianbao.crawler.middlewares.faults.FaultReasonMiddleware": 540,      # after RetryMiddleware gives up
    "nianbao.crawler.middlewares.backoff.BackoffMiddleware": 560,
    "nianbao.crawler.middlewares.conditional.ConditionalRequestMiddleware": 580,
    # Scrapy's, with a reason for a body that inflates past the size cap (a decompression bomb)
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "nianbao.crawler.middlewares.compression.HttpCompressionMiddleware": 590,
    # below HttpCompressionMiddleware (590): they see decompressed bodies
    "nianbao.crawler.middlewares.render.RenderOnDemandMiddleware": 585,
    "nianbao.crawler.middlewares.faults.BinaryBodyMiddleware": 588,
    "nianbao.crawler.middlewares.faults.FaultGuardMiddleware": 960,       # sees responses first
}
EXTENSIONS = {
    "nianbao.crawler.extensions.history.CrawlHistoryExtension": 100,   # what earlier crawls archived
    "nianbao.crawler.extensions.sitestats.SiteStats": 110,             # per-site counters
    "nianbao.crawler.extensions.progress.CrawlProgress": 500,
}
SPIDER_MIDDLEWARES = {
    # a URL over URLLENGTH_LIMIT fails with its reason instead of vanishing (crawler/middlewares/urllength.py)
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "nianbao.crawler.middlewares.urllength.UrlLengthMiddleware": 800,
    # list paging keeps its list's depth (crawler/middlewares/depth.py)
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "nianbao.crawler.middlewares.depth.ListDepthMiddleware": 900,
}
# Scrapy starts CONCURRENT_ITEMS tasks for every response's output, however small: 100 by
# default (~10% of a crawl's CPU); a page yields at most a capture and a listing
CONCURRENT_ITEMS = 8
ITEM_PIPELINES = {
    "nianbao.crawler.pipelines.archive.ArchivePipeline": 300,
}
NIANBAO_DB = "data/archive.db"
NIANBAO_STORE_ALL = False          # also store home, section and list pages (default: reports and files)
NIANBAO_DB_MAX_BYTES = 0            # stop the crawl (as on a full disk) before the archive grows past this; 0: no cap
NIANBAO_BUSY_TIMEOUT = 30.0         # seconds to wait for another writer before stopping the crawl
NIANBAO_CHALLENGE_TIMEOUT = 10.0    # seconds a JavaScript challenge gets in the browser to yield content
NIANBAO_BLOCKED_AFTER = 5           # refusals in a row, before any real answer, that block a site for the crawl
NIANBAO_REMOVAL_AFTER = 3           # consecutive failed runs (timeouts, 5xx) before a report counts as removed
NIANBAO_CONDITIONAL = True          # send If-None-Match / If-Modified-Since on recrawls
NIANBAO_CONDITIONAL_KINDS = ["report", "attachment"]   # request kinds that get validators
NIANBAO_LISTS_ONLY_SITES = []       # sites whose known report pages are not due (nianbao crawl --due)
NIANBAO_PROGRESS = "auto"           # live progress line: auto (on a TTY) | on | off
NIANBAO_PROGRESS_INTERVAL = 1.0     # seconds between redraws of the progress line
NIANBAO_RENDER_WATCHDOG = 0         # seconds before a hung render is closed (0: navigation + render timeout + 15)
NIANBAO_RENDER_CRASH_RETRIES = 1    # a crashed render is retried this often in a fresh context
NIANBAO_RENDER_DEADLINE = 0         # seconds any browser download may take (0: the watchdog's + 15)

# --- OCR (reports published as pictures: scans, 图片版 pages, image tables) -----------------------
NIANBAO_OCR = True                  # read images and scanned PDFs of report pages with OCR
NIANBAO_OCR_ENGINE = "rapidocr"     # rapidocr (models inside the wheel) | tesseract (Debian's, a baseline)
NIANBAO_OCR_CONCURRENCY = 1         # OCR worker processes (each a CPU core busy for seconds a page)
NIANBAO_OCR_IMAGES = 12             # images of one report page fetched for OCR at most

# --- distributed crawls (nianbao crawl --redis; crawler/distributed/) ------------------------------
NIANBAO_REDIS_URL = None            # redis://HOST:PORT/DB of the shared frontier; None: a local crawl
NIANBAO_REDIS_PREFIX = "nianbao"    # key prefix of one crawl in Redis
NIANBAO_REDIS_MAX_BACKLOG = 2000    # items a worker lets wait for the archive writer before it pauses
NIANBAO_REDIS_LEASE_TTL = 30.0      # seconds a dead worker's requests and site places stay leased
NIANBAO_WIRE_REQUESTS = 0           # requests a worker has on the wire at once, all sites (0: no bound
                                    # but CONCURRENT_REQUESTS; politeness.py says when to set it)
NIANBAO_REDIS_WRITE_BATCH = 200     # pages the archive writer stores in one transaction, at most
NIANBAO_WORKER_ID = None            # this worker's name (default: host-pid-random)
NIANBAO_WORKER_MAX_REQUESTS = 20000 # requests a worker takes from Redis before a fresh process takes
                                    # its place (bounds its memory: frontier.py; 0: never)
NIANBAO_WORKER_SUCCEEDS = None      # the retired worker this one replaces (set by the one retiring)
NIANBAO_JOIN_WAIT = 120.0           # seconds a --join worker waits for a writer to prepare the crawl

LOG_LEVEL = "INFO"
# Scrapy checks every callback's source (ast.parse) for a generator that also returns a
# value, and its cache never hits for bound methods: ~6% of a crawl's CPU, for a warning
# meant for spider authors
WARN_ON_GENERATOR_RETURN_VALUE = False
LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
FEED_EXPORT_ENCODING = "utf-8"
