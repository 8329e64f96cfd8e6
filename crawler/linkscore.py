"""Which links lead to annual reports: report titles first, disclosure sections next.

No per-site code: a link is judged by its label (anchor text or title attribute, turned
Simplified) and its URL, with the vocabulary Chinese portals share (信息公开, 政务公开,
年报, `xxgk`, `gknb`, …). Report titles themselves are judged by `extract.is_report_title`,
the same rule the archive uses, so a trap (政府网站工作年度报表, 解读, 通知…) is never fetched as
a report candidate.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from nianbao import extract
from .discovery import Link

# kinds, in the order the spider cares about them
REPORT = "report"            # a report candidate: fetch it
ATTACHMENT = "attachment"    # a file linked from a report page: fetch and attach
SECTION = "section"          # a disclosure section or report column: follow
EXPLORE = "explore"          # says nothing either way: only on a small budget
SKIP = "skip"                # trap, article that is not a report, news, chrome

PRIORITY = {REPORT: 200, ATTACHMENT: 300, SECTION: 100, EXPLORE: 0, SKIP: -100}

ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|rtf)(?:$|[?#&;])", re.I)

# Labels of report columns and of the disclosure sections holding them.
_STRONG_LABEL = re.compile(r"(信息公开|政务公开|公开)?(工作)?(年度报告|年报)")
_MEDIUM_LABEL = re.compile(r"政府信息公开|信息公开|政务公开|公开目录|主动公开|法定主动公开|资讯公开")
_WEAK_SECTION_LABEL = re.compile(r"指南|制度|依申请|申请表|意见箱|规定")
_STRONG_URL = re.compile(r"(gknb|xxgknb|zfxxgknb|ndbg|nianbao|gkndbg|ndgzbg|xxgkndbg|/nb/|/nb_|annual)", re.I)
_MEDIUM_URL = re.compile(r"(xxgk|zwgk|zfxxgk|gkml|xxgkml|fdzdgk|zdgk|govinfo|public|disclosure)", re.I)
# A report-ish word with a year: a specific document. If it is not a report, it is a trap.
_DOC_WITH_YEAR = re.compile(r"((19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年")
# Columns of other annual reports that share the words (政府网站年报, 法治政府建设年度报告).
_COLUMN_TRAP = re.compile(r"网站|法治|政务服务|报表|统计|财务|决算|预算|企业|年检|社会责任|解读|图解|"
                          r"审计|环境|质量|发展|国民经济")
_REPORTISH = re.compile(r"年度报告|年报|年度报表|工作报告|报告|报表")
# Section names are short ("政府信息公开", "法定主动公开内容"); a longer label is a document.
SECTION_LABEL_MAX = 12
_DOCUMENT_ENDING = re.compile(r"(通知|公告|通告|意见|办法|决定|批复|函|报道|活动|会议|（第\d+期）)$")
_SEARCH_URL = re.compile(r"(/search|/s\?|/login|/register|[?&](q|kw|keyword|keywords|searchword|wd)=)", re.I)
# Sections and links that lead away from reports.
_NEGATIVE_LABEL = re.compile(
    r"新闻|动态|要闻|资讯$|图片|视频|专题|互动|留言|信箱|招聘|招考|English|无障碍|长者|登录|注册|搜索|"
    r"网站地图|联系我们|关于我们|RSS|微博|微信|APP|客户端|办事|服务大厅|投诉|调查|访谈|直播|在线|热线|"
    r"天气|旅游|人物|领导|机构|首页|上一篇|下一篇|打印|关闭|收藏|分享|返回|加入收藏|设为首页|繁体|简体|"
    r"纠错|隐私|声明|版权|邮箱|政策解读|解读|图解|通知公告")
_NEGATIVE_URL = re.compile(
    r"(news|xwzx|xwdt|tpxw|video|spxw|hdjl|search|login|register|english|/en/|rss|weibo|weixin|"
    r"zxft|ldzc|jgzn|wzdt|lxwm|mailbox|survey|wsdc|zmhd|wzndbb|ndbb)", re.I)
_ARTICLE_URL = re.compile(
    r"(/t\d{8}_\d+|art_\d+_\d+|/content_\d+|/\d{6}/|/detail|/article|/art/\d{4}/|\d{5,}\.s?html?$|"
    r"[?&](id|docid|articleid|infoid|contentid)=\d+)", re.I)


@dataclass(frozen=True)
class Scored:
    link: Link
    kind: str
    priority: int
    reason: str


@lru_cache(maxsize=4)
def _converter(config: str):
    import opencc
    return opencc.OpenCC(config)


@lru_cache(maxsize=20000)
def simplified(label: str) -> str:
    """A link label in Simplified script (Taiwan phrasing too: 資訊公開 -> 信息公开)."""
    if not label:
        return label
    if _converter("t2s").convert(label) == label:
        return label
    return _converter("tw2sp").convert(label)


def is_report_label(label: str) -> bool:
    """A link label that names an annual report (any script), not a trap."""
    return bool(label) and extract.is_report_title(simplified(label))


def is_dated_report_label(label: str) -> bool:
    """A report label naming one report (it has a year), not its column."""
    return is_report_label(label) and bool(_DOC_WITH_YEAR.search(simplified(label)))


def is_attachment_url(url: str) -> bool:
    parts = urlsplit(url)
    return bool(ATTACHMENT_EXT.search(unquote(parts.path)) or ATTACHMENT_EXT.search(unquote(parts.query)))


def classify(link: Link, page_is_report: bool = False) -> Scored:
    """Kind and priority of one link found on a page.

    `page_is_report`: the page holding the link is itself a report (its title says so, or
    the link that led to it did): its file attachments are part of the report.
    """
    return Scored(link, *_verdict(link.url, link.label, page_is_report))


# the same links come back on every page of a site (navigation, columns): remembered
@lru_cache(maxsize=1 << 16)
def _verdict(url: str, raw_label: str, page_is_report: bool) -> tuple[str, int, str]:
    """(kind, priority, reason) of a link: a pure function of its URL and label."""
    label = simplified(raw_label)
    path = unquote(urlsplit(url).path + "?" + urlsplit(url).query)
    report_label = bool(label) and extract.is_report_title(label)

    if is_attachment_url(url):
        if page_is_report:
            return (ATTACHMENT, PRIORITY[ATTACHMENT], "file on a report page")
        if report_label:
            return (REPORT, PRIORITY[REPORT] + 10, "report-titled file")
        return (SKIP, PRIORITY[SKIP], "file elsewhere")
    if report_label:
        if not _DOC_WITH_YEAR.search(label) and len(label) <= 16:
            # "政府信息公开年度报告" with no year names the column, not one report
            return (SECTION, PRIORITY[SECTION] + 50, "report column label")
        return (REPORT, PRIORITY[REPORT], "report title")
    if label and _REPORTISH.search(label) and _DOC_WITH_YEAR.search(label):
        return (SKIP, PRIORITY[SKIP], "trap: a dated report that is not an OGI report")
    if _SEARCH_URL.search(path):
        return (SKIP, PRIORITY[SKIP], "search or login")
    if label and len(label) > 40:
        # a long label is a document title, and not a report's: an article, skip it
        return (SKIP, PRIORITY[SKIP], "other document")
    if _ARTICLE_URL.search(path):
        return (SKIP, PRIORITY[SKIP], "article that is not a report")
    if label and _NEGATIVE_LABEL.search(label) and not _STRONG_LABEL.search(label):
        return (SKIP, PRIORITY[SKIP], "negative label")
    if label and _STRONG_LABEL.search(label) and not _COLUMN_TRAP.search(label):
        return (SECTION, PRIORITY[SECTION] + 50, "report column label")
    if _STRONG_URL.search(path) and not _NEGATIVE_URL.search(path):
        return (SECTION, PRIORITY[SECTION] + 40, "report column url")
    if label and _MEDIUM_LABEL.search(label) and len(label) <= SECTION_LABEL_MAX \
            and not _DOCUMENT_ENDING.search(label):
        if _WEAK_SECTION_LABEL.search(label):
            return (EXPLORE, PRIORITY[EXPLORE] + 20, "disclosure aside")
        return (SECTION, PRIORITY[SECTION], "disclosure section label")
    if _NEGATIVE_URL.search(path):
        return (SKIP, PRIORITY[SKIP], "negative url")
    if label and _DOCUMENT_ENDING.search(label):
        return (SKIP, PRIORITY[SKIP], "a notice or other document")
    if _MEDIUM_URL.search(path):
        return (EXPLORE, PRIORITY[EXPLORE] + 30, "disclosure url")
    return (EXPLORE, PRIORITY[EXPLORE], "unscored")


def classify_url(url: str) -> Scored:
    """Kind and priority of a URL known without a label (a sitemap entry): only a report
    column's path says anything — its articles and files are report candidates, its list
    pages sections; everything else (news, services) is skipped."""
    link = Link(url)
    path = unquote(urlsplit(url).path + "?" + urlsplit(url).query)
    if not _STRONG_URL.search(path) or _NEGATIVE_URL.search(path) or _SEARCH_URL.search(path):
        return Scored(link, SKIP, PRIORITY[SKIP], "sitemap: outside any report column")
    if is_attachment_url(url) or _ARTICLE_URL.search(path):
        return Scored(link, REPORT, PRIORITY[REPORT] - 20, "sitemap: a page of a report column")
    return Scored(link, SECTION, PRIORITY[SECTION] + 40, "sitemap: a report column")
