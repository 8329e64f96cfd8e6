"""Page chrome the way government portals wrap an article: top bar, header, navigation,
breadcrumbs (当前位置：首页 > …), 【字体：大 中 小】【打印】【关闭窗口】, share widget, 扫一扫
QR block, 信息索引号/发布机构/主题分类 table, 上一篇/下一篇, 相关链接, footer with an ICP
number and a view counter.

Patterns follow real pages (class names, layout), written fresh. Everything here is
chrome: none of it belongs in a report's text, and the second state changes only the
counter and the footer date, so archives see a changed page but an unchanged document.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

from nianbao.demo.content import esc


@dataclass
class Chrome:
    """What varies per page render: the state-dependent numbers."""

    views: int
    footer_date: str


def chrome_for(path: str, state: str) -> Chrome:
    base = zlib.crc32(path.encode()) % 5000 + 100
    if state == "second":
        return Chrome(views=base + 17, footer_date="2024-06-02")
    return Chrome(views=base, footer_date="2024-06-01")


def top_bar(links: list[tuple[str, str]], traditional_link: str | None = None) -> str:
    a = "".join(f'<a href="{esc(h)}" target="_blank">{esc(t)}</a>' for t, h in links)
    trad = (f'<a href="{esc(traditional_link)}" id="StranLink">繁體</a>|' if traditional_link
            else '<a href="javascript:void(0)" id="StranLink">繁體</a>|')
    return (f'<div class="topbar"><div class="topbar-inner"><div class="topbar-link left">{a}</div>'
            f'<div class="topbar-right right">{trad}<a href="/wza/">无障碍浏览</a>|'
            f'<a href="javascript:void(0)">长者模式</a>|<a href="/m/">移动版</a></div></div></div>')


def header(site_name: str, nav: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for t, h in nav)
    return (f'<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" '
            f'alt="{esc(site_name)}"></a><h1 class="hide">{esc(site_name)}</h1></div>'
            f'<div class="search"><form action="/search/" method="get"><input name="q" '
            f'value="请输入关键字"><input type="submit" value="搜索"></form>'
            f'<p class="hotwords">热门搜索：<a href="/search/?q=年报">年报</a> '
            f'<a href="/search/?q=政务公开">政务公开</a></p></div></div>'
            f'<div class="nav"><ul class="main-nav"><li><a href="/">首页</a></li>{items}</ul></div>')


def breadcrumbs(crumbs: list[tuple[str, str]], sep: str = "&gt;") -> str:
    parts = ['<a href="/">首页</a>'] + [f'<a href="{esc(h)}">{esc(t)}</a>' for t, h in crumbs]
    return (f'<div class="position"><span class="ico"></span>当前位置：'
            f'{(" " + sep + " ").join(parts)}</div>')


def tools() -> str:
    return ('<div class="article-tools"><span class="zoom">【字体：<a href="javascript:doZoom(16)">大</a> '
            '<a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】</span>'
            '<span>【<a href="javascript:window.print()">打印</a>】</span>'
            '<span>【<a href="javascript:window.close()">关闭窗口</a>】</span></div>')


def share() -> str:
    return ('<div class="bdsharebuttonbox share"><span>分享到：</span>'
            '<a href="#" class="bds_weixin" data-cmd="weixin" title="分享到微信"></a>'
            '<a href="#" class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a>'
            '<a href="#" class="bds_qzone" data-cmd="qzone" title="分享到QQ空间"></a>'
            '<a href="#" class="bds_more" data-cmd="more"></a></div>')


def qr_block() -> str:
    return ('<dl class="detail-qcode"><dt>扫一扫在手机打开当前页面</dt>'
            '<dd><div id="qrcodeCanvas"><img src="/images/qrcode.png" width="120" height="120" '
            'alt="二维码"></div></dd></dl>')


def meta_table(index_no: str, publisher: str, topic: str, published: str, title: str,
               doc_no: str = "") -> str:
    return ('<table class="xxgk-meta" cellspacing="0" cellpadding="0"><tbody>'
            f'<tr><th>信息索引号：</th><td>{esc(index_no)}</td><th>发布机构：</th><td>{esc(publisher)}</td></tr>'
            f'<tr><th>主题分类：</th><td>{esc(topic)}</td><th>成文日期：</th><td>{esc(published)}</td></tr>'
            f'<tr><th>名　　称：</th><td colspan="3">{esc(title)}</td></tr>'
            f'<tr><th>文　　号：</th><td>{esc(doc_no)}</td><th>发布日期：</th><td>{esc(published)}</td></tr>'
            '</tbody></table>')


def info_line(published: str, source: str, views: int) -> str:
    return (f'<div class="article-info"><span>发布时间：{esc(published)}</span>'
            f'<span>来源：{esc(source)}</span><span>浏览次数：<em id="views">{views}</em></span></div>')


def prev_next(prev: tuple[str, str] | None, nxt: tuple[str, str] | None) -> str:
    p = f'<a href="{esc(prev[1])}">{esc(prev[0])}</a>' if prev else "没有了"
    n = f'<a href="{esc(nxt[1])}">{esc(nxt[0])}</a>' if nxt else "没有了"
    return f'<div class="prev-next"><p>上一篇：{p}</p><p>下一篇：{n}</p></div>'


def related(links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for t, h in links)
    return f'<div class="related"><h4>相关链接</h4><ul>{items}</ul></div>'


def footer(site_name: str, icp: str, police: str, site_code: str, ch: Chrome) -> str:
    return (f'<div class="footer"><p><a href="/about/">关于我们</a> | <a href="/sitemap/">网站地图</a> | '
            f'<a href="/contact/">联系我们</a></p>'
            f'<p>主办：{esc(site_name)} 版权所有　网站标识码：{esc(site_code)}</p>'
            f'<p><a href="https://beian.miit.gov.cn/" target="_blank">{esc(icp)}</a>　'
            f'<a href="http://www.beian.gov.cn/" target="_blank">{esc(police)}</a></p>'
            f'<p>网站更新日期：<span class="update">{ch.footer_date}</span>　'
            f'总访问量：<span class="counter">{ch.views * 131 + 902113}</span></p></div>')


def page(title: str, head_extra: str, body: str, charset: str = "utf-8",
         lang: str = "zh-CN") -> str:
    meta = (f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            if charset else "")
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head>{meta}'
            f'<meta http-equiv="X-UA-Compatible" content="IE=edge"><title>{esc(title)}</title>'
            f'<link rel="stylesheet" href="/css/style.css">{head_extra}</head>\n<body>\n{body}\n</body></html>\n')
