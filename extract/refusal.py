"""Is an answer a refusal? A firewall page, a captcha, a JavaScript challenge, a login.

A refusal says nothing about the document asked for: it must never count toward the
document's removal, and a site that answers only refusals is *blocked* for that crawl,
not emptied. Refusals come with 401/403/407/412/451/521, and also with 200: many Chinese
firewalls (安全狗, 云锁, 创宇盾, 加速乐) serve their block page or their challenge script as a
normal page. A page is only taken for one on positive evidence (the status, or the
firewall's own words or script) and little other text.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import rules
from .decode import decode_body
from .html.dom import WS, parse_html

WAF, CHALLENGE, CAPTCHA, REFUSED = "waf", "challenge", "captcha", "refused"
_DESCRIBED = {WAF: "firewall block page", CHALLENGE: "JavaScript challenge", CAPTCHA: "captcha page"}


@dataclass(frozen=True)
class Refusal:
    kind: str        # waf | challenge | captcha | refused
    status: int

    @property
    def reason(self) -> str:
        """One line for the capture's error: `refused: HTTP 403, firewall block page`."""
        what = _DESCRIBED.get(self.kind) or rules.REFUSAL_STATUSES.get(self.status, "refused")
        return f"refused: HTTP {self.status}, {what}"

    @property
    def may_yield_to_a_browser(self) -> bool:
        """A challenge a visitor's browser passes by running its script."""
        return self.kind == CHALLENGE


def _visible_text(html: str) -> str:
    tree = parse_html(html)
    body = tree.find("body") if tree is not None else None
    root = body if body is not None else tree
    if root is None:
        return ""
    for el in list(root.iter("script", "style", "noscript", "template")):
        if el.getparent() is not None:
            el.getparent().remove(el)
    title = tree.findtext(".//title") or ""
    return title + " " + WS.sub("", root.text_content())


def _kind(html: str, text: str) -> str | None:
    if any(m.lower() in text.lower() for m in rules.WAF_MARKERS):
        return WAF
    if "<script" in html.lower() and any(p.search(html) for p in rules.COMPILED_CHALLENGE):
        return CHALLENGE
    if any(m.lower() in text.lower() for m in rules.CAPTCHA_MARKERS):
        return CAPTCHA
    return None


def refusal(status: int | None, body: bytes | str | None, headers: dict | None = None) -> Refusal | None:
    """The refusal this answer is, or None when it is an answer (content, 404, 5xx, ...)."""
    if status is None:
        return None
    refusing_status = status in rules.REFUSAL_STATUSES
    if not refusing_status and not 200 <= status < 300:
        return None
    if isinstance(body, (bytes, bytearray)):
        ctype = (headers or {}).get("content-type", "")
        if ctype and "html" not in ctype.lower() and not refusing_status:
            return None                    # a PDF or a JSON answer is content
        html = decode_body(bytes(body[:262144]), headers)[0] if body else ""
    else:
        html = body or ""
    text = _visible_text(html) if html.strip() else ""
    if not refusing_status and len(text) > rules.REFUSAL_TEXT_MAX:
        return None
    kind = _kind(html, text) if html else None
    if kind is None:
        return Refusal(REFUSED, status) if refusing_status else None
    return Refusal(kind, status)


def is_refusal_reason(error: str | None) -> bool:
    """Whether a capture's recorded error is a refusal (see `Refusal.reason`)."""
    return bool(error) and error.startswith("refused:")


