"""The generic report spider: from a portal's home page to its OGI annual reports.

No per-site code. Every page's links are classified by `crawler.linkscore` (report titles,
disclosure sections, traps, news) and requested by priority; list paging of every family
(`crawler.discovery`) is followed only while the list keeps showing reports; links that say
nothing are parked and explored, on a small budget, only for sites that gave no report by
the time everything better was done (`spider_idle`). The spider stays inside the sites of
its start URLs; robots.txt, politeness and rendering are the middlewares' business.

    scrapy crawl reports -a urls=http://a.gov.cn/,http://b.gov.cn/ [-a portals=FILE]
"""
from __future__ import annotations

import heapq
import itertools
import logging
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import TextResponse

from nianbao.crawler import linkscore as ls
from nianbao.crawler import meta as M
from nianbao.archive.urls import SiteNames, fetch_url, is_gateway, ungateway
from nianbao.crawler.discovery.postapi import find_post_lists
from nianbao.crawler.discovery.redirects import script_redirect
from nianbao.crawler.discovery.sitemaps import read_sitemap
from nianbao.crawler.extensions.history import CrawlHistoryExtension
from nianbao.crawler.extensions.sitestats import SiteStats
from nianbao.crawler.middlewares.refusal import BLOCKED
from nianbao.crawler.distributed.findings import (HandedOverLinks, SitesWithReports, cluster_idle,
                                                  worker_retiring)
from nianbao.crawler.discovery import (
    Link, dataproxy_records, dedupe_links, find_dataproxy, find_pager, json_links,
    json_next_pages, page_links, page_titles, parse_html, parse_json_list,
    route_for_id,
)
from nianbao.archive.capture import CapturedImage, Listing
from nianbao.crawler.portals import Portal, load_registry, portals_from_urls

from . import captures
from .state import (
    API, ATTACHMENT, DATAPROXY, EXPLORE, HANDLED_STATUSES, HOME, IMAGE, LIST, REPORT, SECTION, SITEMAP,
    STORED_KINDS, ListPaging,
    SiteState, page_template_key, seen_key,
)

logger = logging.getLogger(__name__)

_HTML_TYPES = (b"text/html", b"application/xhtml")


class ReportSpider(scrapy.Spider):
    name = "reports"

    def __init__(self, urls: str | list[str] | None = None, portals=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plist: list[Portal] = []
        if portals:
            if isinstance(portals, (str, Path)):
                plist.extend(load_registry(portals))
            else:
                plist.extend(portals)
        if urls:
            if isinstance(urls, str):
                urls = [u for u in re.split(r"[,\s]+", urls) if u]
            known = {site for p in plist for site in p.all_sites()}
            plist.extend(p for p in portals_from_urls(list(urls)) if p.all_sites()[0] not in known)
        if not plist:
            raise ValueError("nothing to crawl: give start URLs (-a urls=URL,URL) or a registry (-a portals=FILE)")
        self.portals = plist
        # a site is known by its first name; its other names (www. and bare, registry
        # `sites`, hosts its home page redirects to) map to it (archive.urls.SiteNames)
        self.names = SiteNames.of_portals(plist)
        self.site_state: dict[str, SiteState] = {}
        for p in plist:
            site = self.names.site_of(f"http://{p.all_sites()[0]}/")
            self.site_state.setdefault(site, SiteState(portal=p, site=site))
        self.sites = set(self.site_state)
        self.seen: set[str] = set()
        self._seq = itertools.count()
        self._ignore = {id(p): [re.compile(x) for x in p.ignore] for p in plist}
        self._follow = {id(p): [re.compile(x) for x in p.follow] for p in plist}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.max_pages = s.getint("NIANBAO_MAX_PAGES_PER_SITE")
        spider.explore_budget = s.getint("NIANBAO_EXPLORE_BUDGET")
        spider.paging = ListPaging(s.getint("NIANBAO_LIST_PAGES_WITHOUT_REPORT"),
                                   s.getint("NIANBAO_SECTION_PAGES"), s.getint("NIANBAO_LIST_MAX_PAGES"))
        spider.explore_depth = s.getint("NIANBAO_EXPLORE_DEPTH")
        spider.render_default = s.get("NIANBAO_RENDER")
        spider.store_all = s.getbool("NIANBAO_STORE_ALL")
        spider.sitemap_max = s.getint("NIANBAO_SITEMAP_MAX_URLS")
        spider.cluster = SitesWithReports.from_settings(s)
        spider.handed = HandedOverLinks.from_settings(s)
        spider.retiring = False
        spider.ocr_images = s.getint("NIANBAO_OCR_IMAGES") if s.getbool("NIANBAO_OCR") else 0
        if spider.cluster is None:
            crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        else:                   # a worker: the crawl is idle when every worker is
            crawler.signals.connect(spider._on_idle, signal=cluster_idle)
            crawler.signals.connect(spider._on_worker_idle, signal=signals.spider_idle)
            crawler.signals.connect(spider._on_retiring, signal=worker_retiring)
        crawler.signals.connect(spider._robots_parsed, signal=signals.robots_parsed)
        return spider

    # -- start ---------------------------------------------------------------------------
    async def start(self):
        history = CrawlHistoryExtension.of(self.crawler)
        # where earlier crawls found these sites living (their home pages' redirects)
        self.names.apply(history.site_names())
        for portal in self.portals:
            for url in portal.start_urls:
                req = self._request(url, kind=HOME, priority=ls.PRIORITY[ls.SECTION] + 60)
                if req is not None:
                    yield req
            for url in portal.list_urls:
                req = self._request(url, kind=SECTION, priority=ls.PRIORITY[ls.SECTION] + 50,
                                    strong=True)
                if req is not None:
                    yield req
        # reports archived by earlier runs are fetched again, so a removal (404) is noticed
        for url in sorted(history.known_reports(sorted(self.sites))):
            if self.names.site_of(url) not in self.sites:
                continue
            req = self._request(url, kind=REPORT, priority=ls.PRIORITY[ls.REPORT] - 50,
                                extra_meta={"nianbao_revisit": True})
            if req is not None:
                self._candidate(self.site_state[self.names.site_of(req.url)], url)
                yield req

    # -- request building ----------------------------------------------------------------
    def _stat(self, site: str, name: str, n: int = 1) -> None:
        SiteStats.of(self.crawler).inc(site, name, n)

    def _request(self, url: str, *, kind: str, priority: int, link: Link | None = None,
                 parent_url: str | None = None, strong: bool = False, list_key: str | None = None,
                 callback=None, method: str = "GET", formdata: dict | None = None,
                 body: bytes | None = None, headers: dict | None = None,
                 extra_meta: dict | None = None, for_site: str | None = None) -> scrapy.Request | None:
        """A request for `url` unless it is off-site, ignored, seen, or over the site budget.
        `for_site`: a file linked from that site's report page may live on another host (a
        CDN): it is fetched for that site, and nothing on it is followed."""
        url = fetch_url(url)
        if is_gateway(url):
            native = fetch_url(ungateway(url))
            if self.names.site_of(native) in self.sites:
                url = native          # the mirrored site is crawled anyway: fetch the original
        site = self.names.site_of(url)
        st = self.site_state.get(site)
        offsite = False
        if st is None and for_site is not None and kind == ATTACHMENT:
            site, st, offsite = for_site, self.site_state.get(for_site), True
        if st is None:
            return None
        if any(p.search(url) for p in self._ignore[id(st.portal)]):
            return None
        key = seen_key(self.names.canonical(url))
        if method != "GET" or formdata:
            key = f"{method} {url} {sorted((formdata or {}).items())} {body!r}"
        elif kind in (API, DATAPROXY):
            key = f"{kind} {url}"
        if key in self.seen:
            return None
        cap = st.portal.max_pages or self.max_pages
        if cap and not st.capped and self.cluster is not None:
            # a distributed crawl: the ceiling counts every worker's requests for the site
            st.requests = self.cluster.count_request(site) - 1
        if cap and (st.capped or st.requests >= cap):
            if not st.capped:
                st.capped = True
                logger.warning("site %s reached its request ceiling (%d); not following further links", site, cap)
                self._stat(site, "capped")
            return None
        self.seen.add(key)
        st.requests += 1
        meta = {
            "nianbao_kind": kind,
            "nianbao_site": site,
            "download_slot": site,       # per host:port, from the scheduler's queues on
            "nianbao_link_text": (link.label if link else ""),
            "nianbao_parent_url": parent_url,
            "nianbao_strong": strong,
            "nianbao_list_key": list_key,
            "handle_httpstatus_list": HANDLED_STATUSES,
            "nianbao_render_mode": st.portal.render or self.render_default,
        }
        if st.portal.wait_for:
            meta["nianbao_render_wait_for"] = st.portal.wait_for
        if kind in (API, DATAPROXY, ATTACHMENT):
            meta["nianbao_render_mode"] = "never"
        elif urlsplit(url).fragment and (st.shells or st.rendered) and meta["nianbao_render_mode"] == "auto":
            # a single-page-app route: the server never sees the fragment and answers the same
            # shell as for the app's root, which was already found to be one
            meta["nianbao_render_mode"] = "always"
        if offsite:
            meta["nianbao_offsite_ok"] = True
        if extra_meta:
            meta.update(extra_meta)
        cb = callback or self.parse
        if formdata is not None:
            return scrapy.FormRequest(url, formdata=formdata, callback=cb, errback=self.failed,
                                      priority=priority, meta=meta)
        return scrapy.Request(url, method=method, callback=cb, errback=self.failed, body=body,
                              headers=headers, priority=priority, meta=meta)

    # -- items ---------------------------------------------------------------------------
    def failed(self, failure):
        """Errback: robots refusals are counted, real failures stored as failed captures."""
        request = failure.request
        meta = request.meta
        site = meta.get("nianbao_site") or self.names.site_of(request.url)
        if failure.check(IgnoreRequest):
            msg = str(failure.value)
            if "robots.txt" in msg:
                self._stat(site, "robots_blocked")
            elif not msg.startswith(BLOCKED):          # counted by the refusal middleware
                self._stat(site, "ignored")
            return
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        self._stat(site, "failed")
        url = request.url if len(request.url) <= 300 else request.url[:300] + "…"
        logger.info("fetch failed: %s (%s)", url, reason)
        if meta.get("nianbao_kind") not in STORED_KINDS:
            return
        yield captures.from_failure(request, site, reason, self.names)

    def _count_response(self, site: str, response, error: str | None) -> None:
        self._stat(site, "fetched")
        if response.meta.get("nianbao_rendered"):
            self._stat(site, "rendered")
        if response.meta.get("nianbao_shell_detected"):
            self._stat(site, "shells")
        if error:
            self._stat(site, "failed")
        if response.status == 304:
            self._stat(site, "not_modified")

    # -- parsing -------------------------------------------------------------------------
    def _is_html(self, response) -> bool:
        ctype = (response.headers.get(b"Content-Type") or b"").lower()
        if ctype:
            return ctype.startswith(_HTML_TYPES)
        return isinstance(response, TextResponse) and b"<html" in response.body[:2048].lower()

    def parse(self, response):
        meta = response.meta
        kind = meta.get("nianbao_kind", HOME)
        site = meta.get("nianbao_site") or self.names.site_of(response.url)
        st = self.site_state.get(site)
        status = response.status
        error = captures.http_error(response)
        self._count_response(site, response, error)
        is_html = self._is_html(response) and isinstance(response, TextResponse)
        html = response.text if is_html else ""
        tree = parse_html(html) if is_html else None        # one parse: titles, links, pager
        titles = page_titles(tree)
        if self.store_all or kind in (REPORT, ATTACHMENT) or error \
                or any(ls.is_dated_report_label(t) for t in titles):
            cap = captures.from_response(response, error, self.names)
            images = self._ocr_images(response, cap) if is_html and not error and status < 300 else []
            yield self._next_image(cap, images) if images else cap
        if st is None or error or status == 304 or kind == ATTACHMENT or not is_html \
                or meta.get("nianbao_offsite_ok"):
            return
        if kind == HOME:
            if meta.get(M.RENDERED) and response.url != response.request.url \
                    and self.names.site_of(response.url) == site:
                # the browser followed the home page's redirects itself: the site lives there
                self.names.learn(site, response.url)
                self.names.prefer(site, response.url)
            target = script_redirect(tree, response.url)
            if target is not None:
                yield from self._follow_home_redirect(response, target)
                return
        st.pages += 1
        if meta.get("nianbao_rendered"):
            st.rendered += 1
        if meta.get("nianbao_shell_detected"):
            st.shells += 1
        depth = meta.get("depth", 0)
        links = dedupe_links(page_links(tree, response.url))
        page_is_report = (kind == REPORT and ls.is_report_label(meta.get("nianbao_link_text", ""))) \
            or any(ls.is_dated_report_label(t) for t in titles)
        page_url = self.names.canonical(response.url)
        scored = [self._classify(ln, page_is_report, st) for ln in links]
        report_links = [s for s in scored if s.kind == ls.REPORT]
        yield from self._follow_links(scored, kind, page_url, depth, st)
        if report_links:
            yield self._listing(page_url, site, report_links)
        listish = kind != REPORT or len(report_links) >= 2
        if not listish:
            return
        # list paging: script pagers, index_N, ?page=N, next links
        pager = find_pager(tree, response.url, links)
        list_key = pager.template or meta.get("nianbao_list_key") or page_url
        strong = bool(meta.get("nianbao_strong"))
        if self.paging.keep_paging(list_key, len(report_links), strong):
            for url in pager.following():
                req = self._request(url, kind=LIST, priority=self.paging.priority(list_key),
                                    strong=strong, list_key=list_key,
                                    extra_meta={"nianbao_paging": True})
                if req is not None:
                    yield req
                    break
        # Hanweb: the rest of the column through dataproxy.jsp
        dp = find_dataproxy(html, response.url)
        if dp is not None:
            dkey = f"dataproxy {dp.endpoint} {sorted(dp.params.items())}"
            self.paging.state(dkey, strong)
            if report_links or strong:
                yield from self._dataproxy_next(dp, dkey, depth)
        # lists a script loads from an API that answers only to POST
        if kind != REPORT:
            for pl in find_post_lists(tree, response.url):
                yield from self._post_list_page(pl, pl.first_page, site, strong or bool(report_links))
        # single-page apps: the JSON lists the browser fetched
        if meta.get("nianbao_rendered") and kind != REPORT:
            routes = [ln.url for ln in links][:300]
            for xhr in meta.get("nianbao_xhr_urls") or []:
                if self.names.site_of(xhr) != site:
                    continue
                req = self._request(xhr, kind=API, priority=ls.PRIORITY[ls.SECTION] + 40,
                                    callback=self.parse_api, strong=strong,
                                    list_key=f"api {page_template_key(xhr)}",
                                    extra_meta={"nianbao_route_links": routes})
                if req is not None:
                    yield req

    # -- images of a report page, for OCR ---------------------------------------------
    def _ocr_images(self, response, cap) -> list[str]:
        """Images the extractor would read with OCR (a 图片版 page, tables as pictures):
        on the page's site or another http(s) host (a file host), at most NIANBAO_OCR_IMAGES.
        The page's Document goes with the capture: the pipeline stores it as extracted here."""
        if not self.ocr_images:
            return []
        from nianbao import extract
        try:
            cap.extracted = extract.extract_document(cap.body, cap.final_url, cap.headers)
        except Exception:  # noqa: BLE001 - the pipeline records extraction problems
            return []
        wanted = cap.extracted.ocr_inputs
        return [u for u in wanted if u.startswith(("http://", "https://"))][:self.ocr_images]

    def _next_image(self, cap, todo: list[str]):
        """The request for the next image of a page (the capture travels with it), or the
        capture itself when all were fetched."""
        if not todo:
            return cap
        url = todo[0]
        site = self.names.site_of(url)            # the page's site, or the file host's
        return scrapy.Request(url, callback=self._got_image, errback=self._image_failed, dont_filter=True,
                              priority=ls.PRIORITY[ls.REPORT] + 10,
                              meta={"nianbao_kind": IMAGE, "nianbao_site": site, "download_slot": site,
                                    "nianbao_offsite_ok": True, "handle_httpstatus_all": True,
                                    "nianbao_render_mode": "never", "nianbao_capture": cap,
                                    "nianbao_images": todo[1:]})

    def _got_image(self, response):
        meta = response.meta
        cap = meta["nianbao_capture"]
        ok = 200 <= response.status < 300
        cap.images.append(CapturedImage(response.url, response.body if ok else b"",
                                        (response.headers.get(b"Content-Type") or b"").decode("latin-1"),
                                        response.status))
        yield self._next_image(cap, meta["nianbao_images"])

    def _image_failed(self, failure):
        meta = failure.request.meta
        cap = meta["nianbao_capture"]
        cap.images.append(CapturedImage(failure.request.url))
        yield self._next_image(cap, meta["nianbao_images"])

    def _classify(self, link: Link, page_is_report: bool, st: SiteState) -> ls.Scored:
        scored = ls.classify(link, page_is_report)
        if scored.kind in (ls.EXPLORE, ls.SKIP) and any(p.search(link.url) for p in self._follow[id(st.portal)]):
            return ls.Scored(link, ls.SECTION, ls.PRIORITY[ls.SECTION] + 30, "registry follow")
        return scored

    def _follow_links(self, scored: list[ls.Scored], kind: str, page_url: str, depth: int,
                      st: SiteState):
        for s in scored:
            if s.kind == ls.REPORT:
                yield from self._report_request(s, st)
            elif s.kind == ls.ATTACHMENT:
                req = self._request(s.link.url, kind=ATTACHMENT, priority=s.priority, link=s.link,
                                    parent_url=page_url, for_site=self.names.site_of(page_url))
                if req is not None:
                    yield req
            elif kind in (REPORT, ATTACHMENT):
                continue              # from a report page only reports and its files
            elif s.kind == ls.SECTION:
                strong = s.priority >= ls.PRIORITY[ls.SECTION] + 30
                req = self._request(s.link.url, kind=SECTION, priority=s.priority, link=s.link,
                                    strong=strong)
                if req is not None:
                    yield req
            elif s.kind == ls.EXPLORE and depth < self.explore_depth:
                site = self.names.site_of(s.link.url)
                target = self.site_state.get(site)
                if target is None or self.names.canonical(s.link.url) in self.seen:
                    continue
                heapq.heappush(target.parked, (-s.priority, depth, next(self._seq),
                                               dict(url=s.link.url, link=s.link)))

    def _report_request(self, s: ls.Scored, st: SiteState):
        """The request for a report link (none when already seen), counted as a candidate."""
        req = self._request(s.link.url, kind=REPORT, priority=s.priority, link=s.link)
        if req is not None:
            self._candidate(st, s.link.url)
            yield req

    def _candidate(self, st: SiteState, url: str) -> None:
        """A report candidate of a site: the site needs no exploring, in any worker."""
        st.candidates.add(self.names.canonical(url))
        if self.cluster is not None:
            self.cluster.add(st.site)

    def _listing(self, url: str, site: str, report_links: list[ls.Scored]) -> Listing:
        """What a list page showed: the report links the archive records for removal checks."""
        return Listing(url=url, site=site, links=[self.names.canonical(s.link.url) for s in report_links],
                       fetched_at=captures.now())

    # -- Hanweb dataproxy ----------------------------------------------------------------
    def _dataproxy_next(self, dp, dkey: str, depth: int):
        for url, form in dp.requests(group=3, limit=1):
            req = self._request(url, kind=DATAPROXY, priority=self.paging.priority(dkey),
                                callback=self.parse_dataproxy, list_key=dkey,
                                method="POST" if form is not None else "GET", formdata=form,
                                extra_meta={"nianbao_dataproxy": dp, "nianbao_paging": True})
            if req is not None:
                yield req

    def parse_dataproxy(self, response):
        meta = response.meta
        site = meta["nianbao_site"]
        st = self.site_state[site]
        self._count_response(site, response, captures.http_error(response))
        if response.status >= 400 or not isinstance(response, TextResponse):
            return
        links, total = dataproxy_records(response.text, response.url)
        links = dedupe_links(links)
        scored = [self._classify(ln, False, st) for ln in links]
        report_links = [s for s in scored if s.kind == ls.REPORT]
        yield from self._follow_links(scored, LIST, self.names.canonical(response.url), meta.get("depth", 0), st)
        if report_links:
            yield self._listing(self.names.canonical(response.url), site, report_links)
        dkey = meta["nianbao_list_key"]
        dp = meta["nianbao_dataproxy"]
        if not links:
            return
        if self.paging.keep_paging(dkey, len(report_links), False):
            q = dict(pair.split("=", 1) for pair in urlsplit(response.url).query.split("&") if "=" in pair)
            end = int(q.get("endrecord", dp.seen + dp.perpage * 3))
            if total is not None:
                dp.total = total
            dp.seen = end
            yield from self._dataproxy_next(dp, dkey, meta.get("depth", 0))

    # -- JSON list APIs ------------------------------------------------------------------
    def parse_api(self, response):
        meta = response.meta
        site = meta["nianbao_site"]
        st = self.site_state[site]
        self._count_response(site, response, captures.http_error(response))
        if response.status >= 400:
            return
        jl = parse_json_list(response.body)
        if jl is None or not jl.items:
            return
        route = None
        route_links = [Link(u) for u in meta.get("nianbao_route_links") or []]
        for _, _, ident in jl.items:
            if ident:
                route = route_for_id(route_links, ident)
                if route:
                    break
        links = json_links(response.url, jl, route)
        scored = [self._classify(ln, False, st) for ln in links]
        report_links = [s for s in scored if s.kind == ls.REPORT]
        for s in report_links:
            yield from self._report_request(s, st)
        if report_links:
            yield self._listing(self.names.canonical(response.url), site, report_links)
        key = meta["nianbao_list_key"]
        if not self.paging.keep_paging(key, len(report_links), bool(meta.get("nianbao_strong"))):
            return
        post = meta.get("nianbao_post_list")
        if post is not None:
            pl, n = post
            if jl.total_pages is None or n - pl.first_page + 1 < jl.total_pages:
                yield from self._post_list_page(pl, n + 1, site, bool(meta.get("nianbao_strong")))
            return
        for url in json_next_pages(response.url, jl.total_pages, limit=1, jl=jl):
            req = self._request(url, kind=API, priority=self.paging.priority(key),
                                callback=self.parse_api, list_key=key,
                                extra_meta={"nianbao_route_links": meta.get("nianbao_route_links"),
                                            "nianbao_paging": True})
            if req is not None:
                yield req

    def _post_list_page(self, pl, n: int, site: str, strong: bool):
        """Page `n` of a list API that answers only to POST (its items: parse_api)."""
        key = f"post {pl.url} {sorted(pl.form.items())}"
        req = self._request(pl.url, kind=API, priority=self.paging.priority(key) + 40,
                            callback=self.parse_api, list_key=key, strong=strong, method="POST",
                            body=pl.body(n), headers={"Content-Type": pl.content_type,
                                                      "X-Requested-With": "XMLHttpRequest"},
                            extra_meta={"nianbao_post_list": (pl, n),
                                        "nianbao_paging": n != pl.first_page})
        if req is not None:
            yield req

    # -- where the home page sends the visitor ----------------------------------------------
    def _follow_home_redirect(self, response, target: str):
        """A home page that only sends the browser on (script, meta refresh) is followed as
        a redirect: the site may live at the new address from now on (SiteScopeMiddleware)."""
        chain = list(response.meta.get("redirect_urls") or []) + [response.url]
        if target in chain:
            return                        # a loop: the home page sends the browser to itself
        req = self._request(target, kind=HOME, priority=ls.PRIORITY[ls.SECTION] + 60,
                            extra_meta={"redirect_urls": chain, "nianbao_script_redirect": True})
        if req is not None:
            req.meta["nianbao_site"] = response.meta.get("nianbao_site")
            yield req

    # -- sitemaps ------------------------------------------------------------------------------
    def _robots_parsed(self, robotparser, request, **kwargs):
        """A crawl site's robots.txt names its sitemaps: fetch them."""
        site = self.names.site_of(request.url)
        if site not in self.site_state:
            return
        rp = getattr(robotparser, "rp", None)
        for url in list(getattr(rp, "sitemaps", None) or [])[:5]:
            self._crawl_now(self._sitemap_request(url, site))

    def _sitemap_request(self, url: str, site: str):
        st = self.site_state[site]
        st.sitemap_asked = True
        return self._request(url, kind=SITEMAP, priority=ls.PRIORITY[ls.SECTION] + 20,
                             callback=self.parse_sitemap, for_site=site,
                             extra_meta={"nianbao_render_mode": "never"})

    def _crawl_now(self, req) -> None:
        if req is not None:
            self.crawler.engine.crawl(req)

    def parse_sitemap(self, response):
        meta = response.meta
        site = meta["nianbao_site"]
        st = self.site_state[site]
        self._count_response(site, response, captures.http_error(response))
        if response.status >= 400:
            return
        content = read_sitemap(response.body, response.url, limit=self.sitemap_max)
        for url in content.sitemaps[:20]:
            req = self._request(url, kind=SITEMAP, priority=ls.PRIORITY[ls.SECTION] + 20,
                                callback=self.parse_sitemap, extra_meta={"nianbao_render_mode": "never"})
            if req is not None:
                yield req
        # a sitemap gives URLs without labels: only what a URL says can rank them
        for url in content.urls:
            scored = ls.classify_url(url)
            if scored.kind == ls.REPORT:
                yield from self._report_request(scored, st)
            elif scored.kind == ls.SECTION:
                req = self._request(url, kind=SECTION, priority=scored.priority, link=scored.link)
                if req is not None:
                    yield req

    # -- exploration on idle -------------------------------------------------------------
    def _on_retiring(self):
        self.retiring = True

    def _hand_over_parked(self) -> None:
        """A retiring worker is idle because it takes no more requests, not because the
        crawl's better links are done: its parked links go to the next idle worker."""
        for site, st in self.site_state.items():
            if st.parked:
                self.handed.hand_over(site, st.explored, st.parked)
                self.crawler.stats.inc_value("nianbao/redis/parked_handed_over", len(st.parked))
                st.parked = []

    def _adopt_parked(self) -> None:
        for site, (explored, entries) in self.handed.adopt().items():
            st = self.site_state.get(site)
            if st is None:
                continue
            st.explored += explored
            for negprio, depth, _, kw in entries:   # numbered anew: heap order stays total
                heapq.heappush(st.parked, (negprio, depth, next(self._seq), kw))
            self.crawler.stats.inc_value("nianbao/redis/parked_adopted", len(entries))

    def _on_worker_idle(self):
        if self.retiring:
            self._hand_over_parked()

    def _on_idle(self):
        """Everything promising is done: explore parked links of sites with no report yet."""
        if self.handed is not None:
            self._adopt_parked()
        scheduled = 0
        for site, st in self.site_state.items():
            if not st.candidates and self.cluster is not None and self.cluster.has(site):
                continue                  # another worker found its reports
            if not st.candidates and not st.sitemap_asked:
                # no report yet: the site's sitemap may list what no page links
                home = st.portal.start_urls[0] if st.portal.start_urls else f"http://{site}/"
                req = self._sitemap_request(urljoin(home, "/sitemap.xml"), site)
                if req is not None:
                    self.crawler.engine.crawl(req)
                    scheduled += 1
                    continue
            if st.candidates or st.explored >= self.explore_budget or not st.parked:
                continue
            while st.parked and st.explored < self.explore_budget:
                negprio, depth, _, kw = heapq.heappop(st.parked)
                req = self._request(kw["url"], kind=EXPLORE, priority=-negprio - 100, link=kw["link"],
                                    extra_meta={"depth": depth + 1})
                if req is None:
                    continue
                st.explored += 1
                self._stat(site, "explored")
                self.crawler.engine.crawl(req)
                scheduled += 1
                break                 # one at a time: a found report stops exploring
        if scheduled:
            raise DontCloseSpider
