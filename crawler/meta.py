"""Every request meta key nianbao uses, in one place: who sets it, who reads it.

All keys are `nianbao_*` (Scrapy's own keys — `depth`, `download_slot`, `redirect_urls`,
`handle_httpstatus_all`, `dont_retry` — and scrapy-playwright's `playwright_*` keep their
names). A key's value lives only as long as its request and the requests made from it.

| key | set by | read by | meaning |
|---|---|---|---|
| nianbao_kind | spider | spider, pipelines, conditional | home, section, list, report, attachment, explore, api, dataproxy, image |
| nianbao_site | spider | spider, pipelines | the crawl's site of the request |
| nianbao_link_text | spider | spider (Capture.link_text) | label of the link that led here |
| nianbao_parent_url | spider | spider (Capture.parent_url) | for an attachment, its page |
| nianbao_strong | spider | spider | reached through a report column or a registry hint |
| nianbao_list_key | spider | spider | the list (page template) a list page belongs to |
| nianbao_revisit | spider | — (debugging) | a report archived by an earlier run, fetched again |
| nianbao_dataproxy | spider | spider | the Hanweb DataProxy of a dataproxy.jsp request |
| nianbao_route_links | spider | spider | links of a rendered page, to learn SPA item routes |
| nianbao_offsite_ok | spider, site scope | site scope, spider | may leave the crawl's sites (a file host, a redirected report); no link on it is followed |
| nianbao_paging | spider | list depth | the next page of a list: it keeps its list's depth |
| nianbao_post_list | spider | spider | the POST list API (and its page) of a list request |
| nianbao_script_redirect | spider | — (debugging) | the home page sent the browser on by script |
| nianbao_render_mode | spider | render | auto, always or never for this request |
| nianbao_render_wait_for | spider | render | CSS selector a render waits for (registry wait_for) |
| nianbao_rendered | render | spider, pipelines | the response came through the browser |
| nianbao_shell_detected | render | spider | the plain answer was a loading shell |
| nianbao_xhr_urls | render | spider | JSON/XHR URLs the rendered page fetched |
| nianbao_render_timed_out | render | — (stats) | content did not show within the render timeout |
| nianbao_challenge | render | render | a JavaScript challenge, rendered once as a visitor's browser would |
| nianbao_challenge_failed | render | refusals | the challenge did not yield content in the browser |
| nianbao_refused | refusals | spider (Capture.error) | why the answer is a refusal (`refused: HTTP 403, firewall block page`) |
| nianbao_render_token | fault guard | fault guard | the watchdog's handle on one render |
| nianbao_render_init | fault guard | fault guard | the page init callback the watchdog wraps |
| nianbao_render_fault | fault guard | fault reasons | "hung" or "crashed" |
| nianbao_render_crashes | fault reasons | fault reasons | crashed renders retried so far |
| nianbao_backoff_times | backoff | backoff | 429/503 retries so far |
| nianbao_robots_bytes | robots.txt | robots.txt | body bytes of a robots.txt download so far (marks the download the size cap stops) |
| nianbao_conditional | conditional | conditional | the request carries validators |
| nianbao_frontier_id | journal frontier | journal frontier | the request's row in the crawl journal |
| nianbao_worker | Redis frontier | Redis frontier | the worker that took the request from Redis |
| nianbao_lease | Redis frontier | Redis frontier, leased download handler | the request's lease token in Redis (kept by its retries, renders, redirects) |
| nianbao_capture | spider | spider | a report page's capture, waiting for its images (OCR) |
| nianbao_images | spider | spider | image URLs of that page still to fetch |
"""
KIND = "nianbao_kind"
SITE = "nianbao_site"
LINK_TEXT = "nianbao_link_text"
PARENT_URL = "nianbao_parent_url"
STRONG = "nianbao_strong"
LIST_KEY = "nianbao_list_key"
REVISIT = "nianbao_revisit"
DATAPROXY = "nianbao_dataproxy"
ROUTE_LINKS = "nianbao_route_links"
OFFSITE_OK = "nianbao_offsite_ok"
PAGING = "nianbao_paging"
POST_LIST = "nianbao_post_list"
SCRIPT_REDIRECT = "nianbao_script_redirect"
RENDER_MODE = "nianbao_render_mode"
RENDER_WAIT_FOR = "nianbao_render_wait_for"
RENDERED = "nianbao_rendered"
SHELL_DETECTED = "nianbao_shell_detected"
XHR_URLS = "nianbao_xhr_urls"
RENDER_TIMED_OUT = "nianbao_render_timed_out"
CHALLENGE = "nianbao_challenge"
CHALLENGE_FAILED = "nianbao_challenge_failed"
REFUSED = "nianbao_refused"
RENDER_TOKEN = "nianbao_render_token"
RENDER_INIT = "nianbao_render_init"
RENDER_FAULT = "nianbao_render_fault"
RENDER_CRASHES = "nianbao_render_crashes"
BACKOFF_TIMES = "nianbao_backoff_times"
ROBOTS_BYTES = "nianbao_robots_bytes"
CONDITIONAL = "nianbao_conditional"
FRONTIER_ID = "nianbao_frontier_id"
WORKER = "nianbao_worker"
LEASE = "nianbao_lease"
CAPTURE = "nianbao_capture"
IMAGES = "nianbao_images"

ALL = frozenset(v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str))
