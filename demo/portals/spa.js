// The sample SPA portal's front end: every URL serves the same loading shell; this
// script reads the route from location.pathname, asks the JSON API and renders the page.
(function () {
  "use strict";
  var app = document.getElementById("app");

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function get(url, done) {
    var x = new XMLHttpRequest();
    x.open("GET", url);
    x.setRequestHeader("Accept", "application/json");
    x.onload = function () {
      if (x.status === 200) { done(JSON.parse(x.responseText)); }
      else { app.innerHTML = '<div class="error">页面不存在</div>'; }
    };
    x.onerror = function () { app.innerHTML = '<div class="error">网络连接失败</div>'; };
    x.send();
  }

  function links(items) {
    return "<ul class=\"list\">" + items.map(function (it) {
      return '<li><a href="' + esc(it.url) + '">' + esc(it.title) + '</a><span class="date">' +
        esc(it.date) + "</span></li>";
    }).join("") + "</ul>";
  }

  function frame(site, crumbs, inner) {
    var nav = site.nav.map(function (n) { return '<a href="' + esc(n.url) + '">' + esc(n.title) + "</a>"; }).join(" ");
    var bc = ['<a href="/">首页</a>'].concat(crumbs.map(function (c) {
      return '<a href="' + esc(c.url) + '">' + esc(c.title) + "</a>";
    })).join(" &gt; ");
    return '<div class="topbar">' + esc(site.name) + ' <a href="/wza">无障碍</a></div>' +
      '<div class="nav"><a href="/">首页</a> ' + nav + "</div>" +
      '<div class="position">当前位置：' + bc + "</div>" + inner +
      '<div class="footer"><p>主办：' + esc(site.name) + " " + esc(site.icp) + "</p>" +
      "<p>网站更新日期：" + esc(site.footer_date) + " 访问量：" + esc(site.views) + "</p></div>";
  }

  function route() {
    var path = location.pathname;
    var m;
    if ((m = path.match(/^(?:\/archive)?\/article\/(\d+)$/))) {
      get("/api/article?id=" + m[1], function (a) {
        document.title = a.title + " - " + a.site.name;
        var inner = '<div class="article"><h1 class="title">' + esc(a.title) + "</h1>" +
          '<div class="info">来源：' + esc(a.source) + "　发布时间：" + esc(a.published) +
          "　浏览次数：" + esc(a.views) + "</div>" +
          '<div class="tools">【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】【<a href="javascript:print()">打印</a>】【<a href="javascript:close()">关闭窗口</a>】</div>' +
          '<div class="article-content" id="content">' + a.html + "</div>" +
          '<div class="share">分享到：微信 微博</div><div class="qr">扫一扫在手机打开当前页面</div>' +
          '<div class="prev-next"><p>上一篇：' + (a.prev ? '<a href="' + esc(a.prev.url) + '">' + esc(a.prev.title) + "</a>" : "没有了") +
          "</p><p>下一篇：" + (a.next ? '<a href="' + esc(a.next.url) + '">' + esc(a.next.title) + "</a>" : "没有了") + "</p></div></div>";
        app.innerHTML = frame(a.site, a.crumbs, inner);
      });
    } else if ((m = path.match(/^\/list\/(\w+)$/))) {
      var page = parseInt(new URLSearchParams(location.search).get("page") || "0", 10);
      get("/api/list?col=" + m[1] + "&page=" + page, function (l) {
        document.title = l.name + " - " + l.site.name;
        var pager = '<div class="pager">共' + l.pages + "页 ";
        if (l.page > 0) { pager += '<a href="/list/' + m[1] + "?page=" + (l.page - 1) + '">上一页</a> '; }
        if (l.page + 1 < l.pages) { pager += '<a href="/list/' + m[1] + "?page=" + (l.page + 1) + '">下一页</a>'; }
        app.innerHTML = frame(l.site, l.crumbs, "<h2>" + esc(l.name) + "</h2>" + links(l.items) + pager + "</div>");
      });
    } else {
      get("/api/home", function (h) {
        document.title = h.site.name;
        var inner = h.sections.map(function (s) {
          return '<div class="section"><h3><a href="' + esc(s.url) + '">' + esc(s.title) + "</a></h3>" + links(s.items) + "</div>";
        }).join("");
        app.innerHTML = frame(h.site, [], inner);
      });
    }
  }

  route();
})();
