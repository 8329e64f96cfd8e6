"""Government-page rules as data: content containers, chrome, labels and title traps.

Chinese government CMSs (TRS, Hanweb/JCMS, UCAP, Kaipu, …) share a small vocabulary of
container ids/classes and page furniture. Keeping that vocabulary here, as plain data,
lets a new portal family be supported by adding a line instead of writing code.
Selectors are simple: `#id`, `.class`, `tag`, `tag.class`, `tag#id` (exact tokens).
"""
from __future__ import annotations

import re

# Known main-text containers, most specific first. The first selector whose matches hold
# real text wins; several non-nested matches of it (a body split into fragments) are joined.
CONTENT_SELECTORS: list[str] = [
    ".TRS_Editor",
    ".TRS_UEDITOR",
    "#UCAP-CONTENT",
    "#zoom",
    "#Zoom",
    "#ivs_content",
    "#fontzoom",
    "#BodyLabel",
    ".article-content",
    ".article_content",
    ".articleContent",
    ".art_content",
    ".arc-content",
    ".detail-content",
    ".details-content",
    ".news_content",
    ".news-content",
    ".newsContent",
    ".content_text",
    ".main-txt",
    ".pages_content",
    ".view_content",
    ".zw",
    "#zw",
    "#CCMS_Content",
    ".area-essay",
    ".wzcon",
    ".bt_content",
    ".xxgk_content",
    "#content",
    ".article-body",
    "article",
]

# How a table row is written into the text (HTML, DOCX, Word 97, ruled PDF and OCR tables
# alike): "published" — each published cell once, in the row where it starts (a rowspan
# label on its first row only), so the text holds each character once and word counts are
# not inflated (the sample portals' gold); "rows" — each row with its own cells and the
# rowspan cells covering it, a colspan cell once, so every line reads on its own;
# "expanded" — the span-expanded grid row. Empty rows are left out ("rows": rows whose own
# cells are empty). The expanded grids always go to `Document.tables`: the row-repeated
# form is read from them.
TEXT_TABLE_CELLS = "published"

# Elements that are page furniture wherever they appear (exact class/id tokens or tags).
CHROME_SELECTORS: list[str] = [
    "script", "style", "noscript", "template", "iframe", "object", "embed", "button",
    "select", "input", "textarea", "svg", "canvas", "map",
    "nav", "header", "footer",
    ".bdsharebuttonbox", ".bdshare", ".share", ".shares", ".share-box", ".sharebox",
    ".article-share", ".article-share-cnt", ".bshare-custom", ".jiathis_style",
    ".fenxiang", "#share", ".share-weixin",
    ".print", "#print", ".article-priter", "#myPrint", ".dayin",
    ".article-zoom", ".article-tools", ".zoom", ".fontsize", ".font-size", ".zihao", ".article-func", ".article-infos-func",
    ".ewm", ".qrcode", ".qr-code", ".erweima", "#qrcode", ".code-box", ".wxewm",
    ".position", ".location", ".breadcrumb", ".crumbs", ".crumb", ".bread", "#location",
    ".dqwz", ".current-position", ".curpos",
    ".prev-next", ".pre-next", ".prevnext", ".sxp", ".pagebox", ".next-pre",
    ".related", ".xglj", ".relevant", ".related-links", ".xgwz",
    ".footer", "#footer", ".foot", "#foot", ".bottom", "#bottom", ".copyright", ".site-footer",
    ".header", "#header", ".top", "#top", ".top_link", ".topbar", ".nav", "#nav", ".menu",
    ".search", "#search", ".sidebar", ".side", ".left-nav",
    ".loading", "#loading", ".load-tip",
    "#hiddenLocation",
]

# Text markers of a JavaScript loading shell (content arrives later by XHR).
LOADING_MARKERS: list[str] = [
    "正在加载中", "正在加载", "加载中...", "加载中…", "Loading connection", "Loading...", "loading...",
    "请开启JavaScript", "请启用JavaScript", "enable JavaScript", "JavaScript is required",
    "您的浏览器不支持JavaScript",
]

# Script fingerprints of anti-bot JavaScript challenge pages (cookie set, then reload).
CHALLENGE_PATTERNS: list[str] = [
    r"__jsl_clearance", r"acw_sc__v2", r"_waf_", r"WZWS", r"wzwschallenge", r"yunsuo_session",
    r"\bjsl_", r"document\.cookie\s*=.*?location", r"challenge-platform", r"cf_chl_",
    r"setTimeout\(\s*function\s*\(\)\s*\{\s*location", r"window\.location\.reload",
]

# Refusals: statuses that mean "not you" (never "gone"), and the words of the pages that
# firewalls and captchas answer with (often with status 200). A page carrying them with
# little other text is a refusal, not content.
REFUSAL_STATUSES: dict[int, str] = {
    401: "login required", 403: "forbidden", 407: "proxy login required",
    412: "precondition failed", 451: "unavailable for legal reasons", 521: "origin refused",
}
WAF_MARKERS: list[str] = [
    "访问被拦截", "访问已被拦截", "请求已被拦截", "请求被拦截", "网站防火墙", "Web应用防火墙", "防火墙拦截",
    "安全狗", "云锁", "创宇盾", "知道创宇", "访问被拒绝", "拒绝访问", "Access Denied", "Request blocked",
    "Request Rejected", "The requested URL was rejected",
]
CAPTCHA_MARKERS: list[str] = [
    "请输入验证码", "滑动验证", "拖动滑块", "人机验证", "安全验证", "请完成验证", "captcha",
]
REFUSAL_TEXT_MAX = 600     # visible characters beyond which a page is content, whatever it says

# Element ids/classes of single-page-app mount points.
APP_ROOT_IDS: list[str] = ["app", "root", "__nuxt", "__next", "main-app", "appRoot"]

# Lines that are chrome when they are short (at most CHROME_LINE_MAX characters).
CHROME_LINE_MAX = 80
CHROME_LINE_PATTERNS: list[str] = [
    r"^(当前位置|您的位置|您现在的位置|你的位置|所在位置|当前的位置)\s*[:：]",
    r"^(首页|网站首页|主页)\s*(>|->|»|＞|›|/|>>|＞＞|&gt;)",
    r"^首页\s*$",
    r"字体\s*[:：]?\s*[【\[]?\s*(大|放大)\s*[】\]]?\s*[【\[]?\s*(中|正常)",
    r"^[【\[]?\s*字体\s*[:：]?\s*[】\]]?\s*$",
    r"[【\[]\s*(打印|打印本页|打印本稿|打印本文|打印此文|关闭|关闭窗口|关闭本页|返回顶部|收藏|推荐|推荐给朋友|"
    r"字体\s*[:：]?\s*)\s*[】\]]",
    r"^(\[\s*\d{1,3}\s*\]\s*){2,}(下一页|尾页)?\s*$",
    r"^【\s*(推荐|打印本稿)\s*$",
    r"^\s*\[?\s*字体\s*[:：]\s*\]?\s*(打印)?\s*$",
    r"^(打印|打印本页|关闭|关闭窗口|关闭本页|返回顶部|返回|收藏|分享|分享到)\s*[:：]?\s*$",
    r"^(打印|关闭窗口|关闭|打印本页)(\s+(打印|关闭窗口|关闭|打印本页|保存|收藏))+\s*$",
    r"^(上一篇|下一篇|上一条|下一条|上一页|下一页)\s*[:：]?",
    r"^(相关链接|相关文章|相关信息|相关阅读|相关新闻|相关稿件|相关文件)\s*[:：]?\s*$",
    r"^(相关链接|相关文章|相关阅读|相关解读|相关图解)\s*[:：]",
    r"扫一扫",
    r"^(分享到|分享至)",
    r"在手机(上)?打开",
    r"(版权所有|ICP\s*备|ICP证|公网安备|网站标识码|网站识别码|政府网站标识码)",
    r"^(主办|承办|主办单位|承办单位|技术支持|运行维护|维护单位)\s*[:：]",
    r"^(网站地图|联系我们|网站声明|关于我们|隐私声明)(\s*[|｜丨]\s*(网站地图|联系我们|网站声明|关于我们|隐私声明))*\s*$",
    r"(建议使用|最佳分辨率|分辨率).{0,20}(浏览器|以上)",
    r"(正在加载中|Loading connection|请开启JavaScript|请启用JavaScript)",
    r"^(【\s*)?图解\s*[】:：]",
    r"^(图解|一图读懂|一图看懂)[:：《【]",
    r"^(浏览次数|访问次数|阅读次数|点击数|点击次数|浏览量|阅读量)\s*[:：]",
    r"^(发布时间|发布日期|日期|时间|信息来源|来源|文章来源|作者|编辑|责任编辑)\s*[:：].{0,40}"
    r"(发布时间|发布日期|来源|浏览|点击|字体|打印|作者)",
    r"^(发布时间|发布日期|信息来源|来源|文章来源|浏览次数|点击数)\s*[:：][^。，；]{0,30}$",
    r"^\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}日?\s*(来源|信息来源)\s*[:：][^。，；]{0,30}$",
    r"^\[\s*字体\s*[:：]",
    r"^【\s*(大|中|小)\s*】",
    r"^(大|中|小)\s+(大|中|小)\s+(大|中|小)$",
    r"^(视力保护色|无障碍|无障碍浏览|简体|繁体|简|繁|English)(\s*[|｜丨]?\s*(视力保护色|无障碍|无障碍浏览|简体|繁体|简|繁|English))*\s*$",
    r"^(微信|微博|QQ空间|QQ好友|新浪微博|腾讯微博)(\s*[|｜丨]?\s*(微信|微博|QQ空间|QQ好友|新浪微博|腾讯微博))*\s*$",
    r"^附件\s*[:：]?\s*$",
    r"^【?\s*我要纠错\s*】?",
    r"[【\[]\s*字型\s*[:：]",
    r"[【\[]\s*(列印|关闭视窗)\s*[】\]]",
    r"^(释出时间|释出日期|发布时间|来源)\s*[:：].{0,30}(浏览|来源)",
    r"(责任编辑|责编|审核|校对|编辑)\s*[:：]\s*\S{1,12}\s*$",
    r"^(>>|》》|&gt;&gt;)?\s*(图解版|图解|视频解读|文字解读|政策解读)\s*$",
]

# Strings that must never survive in clean text (the bench counts them).
CHROME_STRINGS: list[str] = [
    "当前位置", "您现在的位置", "【字体", "字体：大", "【打印】", "【关闭窗口】", "关闭窗口",
    "扫一扫", "上一篇", "下一篇", "相关链接", "分享到", "版权所有", "ICP备", "网站标识码",
    "公网安备", "正在加载中", "Loading connection", "信息索引号", "主题分类", "浏览次数",
    "打印本稿", "【推荐",
]

# The 信息公开目录 block ("索引号 / 发布机构 / 主题分类 …"): labels, as regex alternatives.
INFO_LABELS: dict[str, str] = {
    "index_no": r"(?:信息|資訊|资讯)?索\s*引\s*[号號]",
    "publisher": r"[发發]\s*布\s*[机機]\s*[构構]|[发發]文[机機][关關]|公[开開]主[体體]|[发發]布[单單]位|[释釋]出[机機][构構]",
    "doc_no": r"文\s*[号號]|[发發]文字[号號]|[发發]\s*文\s*[号號]",
    "topic": r"主[题題]分[类類]|主\s*[题題]\s*[词詞]|[组組]配分[类類]|[体體]裁分[类類]|服[务務][对對]象",
    "written": r"成文日期|[发發]文日期|生成日期|公[开開]日期|[发發]布日期|[释釋]出日期",
    "validity": r"有\s*效\s*性|公[开開]方式|公[开開]范[围圍]|公[开開][时時]限|信息[时時]效期",
}
# An element is an info table when it holds at least this many distinct labels.
INFO_MIN_LABELS = 2

# Title parts that are site names, removed from <title> ends ("… - XX市人民政府门户网站").
TITLE_SEPARATORS = r"\s+[-–—]{1,2}\s+|\s*(?:_{1,2}|\||｜|——|::)\s*"
SITE_SUFFIX_HINTS = ("网站", "门户", "政府网", "人民政府", "政务网", "信息网", "官网", "首页", ".gov.cn",
                     "委员会", "厅", "局", "办公室", "gov")

# Title fields in page markup, best first.
# Page titles that name no article: a template's placeholder or a column/page type. The
# body's first heading line is the title then.
GENERIC_TITLE = (r"^(无标题(文档|页)?|未命名|untitled( document)?|新建网页\s*\d*|网页|document|index|home|首页|"
                 r"正文|详情|详细信息|文章详情|内容页|信息公开|政府信息公开|政务公开|信息公开目录|about:blank)$")
TITLE_META_NAMES = ["articletitle", "og:title", "dc.title", "title"]
TITLE_SELECTORS = [".con-title", ".article-title", ".title", "h1", ".tit", "#title", ".bt", "h2"]

# Date fields.
DATE_META_NAMES = ["pubdate", "publishdate", "firstpublishedtime", "dcterms.created", "dc.date",
                   "article:published_time", "createdate", "publishtime"]
DATE_LABELS = r"(?:发布时间|发布日期|公开日期|成文日期|发文日期|生成日期|日期|时间)"
SOURCE_META_NAMES = ["contentsource", "source", "dc.source"]
SOURCE_LABELS = r"(?:信息来源|文章来源|来源|稿源)"
# The 政府网站标识码 every government site shows (ten characters; for a local site the
# first six digits are the GB/T 2260 code of its sponsor's division): a meta tag of the
# page-design standard, else the footer's label.
SITE_CODE_META_NAMES = ["siteidcode", "sitecode"]
SITE_CODE_LABELS = r"(?:政府网站标识码|网站标识码|网站识别码)"

# What makes a title an OGI annual report, and the traps that look like one.
REPORT_TITLE_PATTERNS: list[str] = [
    r"政府信息公开.{0,12}(年度报告|年报|工作报告|情况报告)",
    r"(信息公开|政务公开).{0,6}(年度报告|年报)",
    r"年度?政府信息公开(工作)?(年度)?报告",
    r"政府信息公开工作(年度)?报告",
]
# A report title names its year or its agency; a year-less title this short is a
# column heading ("政府信息公开工作年度报告", "政务公开年报专栏").
COLUMN_TITLE_MAX_LEN = 14
REPORT_TITLE_TRAPS: list[str] = [
    r"报表", r"法治政府", r"法治建设", r"政务服务", r"通知", r"公告", r"通报", r"解读", r"图解",
    r"一图", r"格式", r"编制", r"发布工作", r"考核", r"评估", r"测评", r"评议", r"检查", r"整改",
    r"征求意见", r"问答", r"答记者问", r"视频", r"意见", r"方案", r"要点", r"指南", r"目录", r"制度",
    r"培训", r"会议", r"座谈", r"工作报告的说明",
]

# "Page not found" pages served with status 200.
NOT_FOUND_PATTERNS: list[str] = [
    r"页面不存在", r"页面未找到", r"找不到(该|您要访问的|您请求的)?页面", r"您访问的页面(不存在|已删除|找不到)",
    r"信息已(删除|过期|撤销)", r"文章不存在", r"内容不存在", r"该信息不存在", r"\b404\b.{0,20}(Not Found|页面|错误)",
    r"Not Found", r"页面已(删除|失效)", r"访问的资源不存在",
]

# Agency-name endings, used to accept a title prefix or a signature line as the agency.
AGENCY_SUFFIXES = (
    "人民政府", "政府", "委员会", "办公室", "办公厅", "管理委员会", "管委会", "局", "厅", "委", "署", "院",
    "中心", "部", "会", "办", "所", "站", "处", "队", "公司", "街道办事处", "办事处", "街道", "乡", "镇",
)
PLACE_SUFFIXES = ("省", "市", "县", "区", "州", "旗", "盟", "自治区", "自治州", "自治县")

# Taiwan phrasing: evidence that a page went through a mainland->Taiwan phrase converter
# (s2twp). Only phrases that plain character conversion (s2t, big5 gateways) never produces.
TAIWAN_PHRASES: list[str] = [
    "網際網路", "最佳化", "入口網站", "軟體", "資訊科技", "數位化", "網路", "行動電話", "伺服器",
    "資料庫", "部落格", "介面", "列印", "螢幕", "硬碟", "滑鼠",
    # the Taiwan phrasing of 信息公开 itself: enough, even on a page too short for any other
    "資訊公開",
]
# With that evidence, these Taiwan phrases are mapped back to the mainland words before the
# character conversion (tw2s). Deliberately conservative: OpenCC's tw2sp also rewrites
# words a mainland text uses itself (執行->运行, 資料->数据, 指標->指针, 整合->集成,
# 查詢->查找, 線上->在线), which corrupts government reports.
TAIWAN_PHRASE_MAP: list[tuple[str, str]] = [
    ("網際網路", "互联网"), ("最佳化", "优化"), ("入口網站", "门户网站"), ("軟體", "软件"),
    ("硬體", "硬件"), ("資料庫", "数据库"), ("伺服器", "服务器"), ("網路", "网络"), ("數位", "数字"),
    ("列印", "打印"), ("螢幕", "屏幕"), ("滑鼠", "鼠标"), ("部落格", "博客"), ("介面", "界面"),
    ("行動電話", "手机"), ("硬碟", "硬盘"), ("資訊", "信息"), ("釋出", "发布"), ("檔案", "文件"), ("程式", "程序"), ("設定", "设置"),
    ("套用", "应用"), ("民眾", "群众"), ("覆核", "复核"), ("著重", "着重"), ("專案", "项目"),
    # 資料 is both 资料 and a converted 数据: only the report form's fixed phrases are mapped.
    ("本列資料", "本列数据"), ("所列資料", "所列数据"), ("資料的統計", "数据的统计"),
]
# Traditional 著 is Simplified 着 except in these words (t2s keeps 著 everywhere).
ZHU_KEEP_WORDS: list[str] = [
    "著作", "著名", "顯著", "显著", "著稱", "著称", "卓著", "昭著", "著述", "土著", "名著", "原著",
    "巨著", "專著", "专著", "編著", "编著", "論著", "论著", "著錄", "著录", "著者", "著書", "著书",
    "遺著", "遗著", "譯著", "译著", "新著", "合著", "拙著", "著有", "著說", "著说", "著見", "著见",
]
# Pinyin annotation left by some converters: "發(fā)", "規（guī）".
PINYIN_ANNOTATION = re.compile(
    r"(?<=[\u4e00-\u9fff])[(（]\s*"
    r"(?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ])"
    r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}\s*[)）]"
)

COMPILED_CHROME_LINES = [re.compile(p) for p in CHROME_LINE_PATTERNS]
COMPILED_CHALLENGE = [re.compile(p, re.S | re.I) for p in CHALLENGE_PATTERNS]
