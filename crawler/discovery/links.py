"""Every followable link of a page: anchors, Hanweb datastore records, iframes; one Link
per URL; and what a page says it is (its titles)."""
from __future__ import annotations

from .hanweb import datastore_fragments
from .html import HtmlInput, Link, absolute, anchors, base_url, clean_text, parse_html


def page_links(html: HtmlInput, url: str) -> list[Link]:
    """Every followable link of a page: anchors, datastore records, iframes.

    The same URL may appear several times (menu and list); callers dedupe by URL keeping
    the most informative label.
    """
    tree = parse_html(html)
    if tree is None:
        return []
    base = base_url(tree, url)
    links = anchors(tree, base, "a")
    for frag in datastore_fragments(tree):
        sub = parse_html("<html><body>" + frag + "</body></html>")
        if sub is not None:
            links.extend(anchors(sub, base, "datastore"))
    for fr in tree.iter("iframe", "frame"):
        u = absolute(base, fr.get("src"))
        if u:
            links.append(Link(u, clean_text(fr.get("title")), "", "iframe"))
    return links


def dedupe_links(links: list[Link]) -> list[Link]:
    """One Link per URL, keeping the longest label seen for it (first position kept)."""
    best: dict[str, Link] = {}
    for ln in links:
        cur = best.get(ln.url)
        if cur is None or len(ln.label) > len(cur.label):
            if cur is not None:
                ln = Link(ln.url, ln.text, ln.title, cur.source if cur.source == "datastore" else ln.source)
            best[ln.url] = ln
    return list(best.values())


def page_titles(html: HtmlInput) -> list[str]:
    """`<title>` and the first h1/h2 text: what a page says it is."""
    tree = parse_html(html)
    if tree is None:
        return []
    out = [clean_text(t.text_content()) for t in tree.iter("title")][:1]
    for tag in ("h1", "h2"):
        hs = [h for h in (clean_text(e.text_content()) for e in tree.iter(tag)) if h]
        if hs:
            out.append(hs[0])
            break
    return [t for t in out if t]


