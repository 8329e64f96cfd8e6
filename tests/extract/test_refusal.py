"""Refusals (firewall pages, captchas, JavaScript challenges, refusing statuses) told apart
from content: on positive evidence only, so no real page and no sample-portal page is one."""
from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.demo.portals.realweb import CHALLENGE_PAGE, WAF_PAGE
from nianbao.extract.refusal import CAPTCHA, CHALLENGE, REFUSED, WAF, is_refusal_reason, refusal

HTML = {"content-type": "text/html; charset=utf-8"}
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("status, body, kind", [
    (403, WAF_PAGE.format(id=7), WAF),                       # the firewall's own page
    (200, WAF_PAGE.format(id=7), WAF),                       # ... also served as a normal page
    (412, CHALLENGE_PAGE, CHALLENGE),                        # a cookie/JS challenge
    (521, CHALLENGE_PAGE, CHALLENGE),
    (200, CHALLENGE_PAGE, CHALLENGE),
    (200, "<html><title>验证</title><body>请输入验证码后继续访问<img src=c.png></body></html>", CAPTCHA),
    (403, "", REFUSED),                                      # a bare refusal
    (401, "<html><body>Unauthorized</body></html>", REFUSED),
    (451, "<html><body>不可用</body></html>", REFUSED),
])
def test_refusals_are_recognized_with_their_kind(status, body, kind):
    r = refusal(status, body.encode("utf-8"), HTML)
    assert r is not None and r.kind == kind and r.status == status
    assert r.reason.startswith(f"refused: HTTP {status}, ") and is_refusal_reason(r.reason)
    assert r.may_yield_to_a_browser == (kind == CHALLENGE)


@pytest.mark.parametrize("status, body, headers", [
    (404, WAF_PAGE, HTML),                                   # gone is not refused
    (503, WAF_PAGE, HTML),                                   # a failing server is not a refusal
    (200, "<html><body><p>一段正文。</p></body></html>", HTML),
    (200, "拒绝访问" * 10, {"content-type": "application/pdf"}),    # a file is content
    (200, "<html><body>" + "网站防火墙拦截了一次攻击。" * 80 + "</body></html>", HTML),  # a long page about one
])
def test_answers_are_not_refusals(status, body, headers):
    assert refusal(status, body.encode("utf-8"), headers) is None
    assert not is_refusal_reason(None) and not is_refusal_reason("HTTP 404")


def test_no_real_page_and_no_test_page_but_the_challenge_is_a_refusal():
    pages = sorted((ROOT / "pages").rglob("*.htm*")) + sorted((ROOT / "data" / "real-pages").glob("*.htm*"))
    assert len(pages) > 30
    found = {p.name for p in pages if refusal(200, p.read_bytes(), HTML) is not None}
    assert found == {"js-challenge.html"}


@pytest.mark.slow
def test_no_sample_portal_page_is_a_refusal():
    from nianbao.demo.server import SamplePortals
    from tests.support.http import fetch
    with SamplePortals(port=0) as portals:
        urls = [p.url(path) for p in portals.portals for path in p.paths(portals.state)[:40]]
        answers = [fetch(u) for u in urls]
    refused = [u for u, (st, h, b) in zip(urls, answers) if refusal(st, b, h) is not None]
    assert len(urls) > 300 and refused == []
