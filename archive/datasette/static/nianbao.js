/* nianbao: copy buttons of the cite box, and the sort links of a search. No network. */
document.addEventListener("click", function (ev) {
  var button = ev.target.closest && ev.target.closest("button[data-copy]");
  if (!button) return;
  var pre = document.getElementById(button.getAttribute("data-copy"));
  if (!pre) return;
  var text = pre.textContent;
  var done = function () { button.textContent = "Copied 已复制"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done);
  } else {
    var range = document.createRange();
    range.selectNodeContents(pre);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try { document.execCommand("copy"); done(); } catch (e) { /* selected: copy by hand */ }
  }
});

document.addEventListener("DOMContentLoaded", function () {
  var params = new URLSearchParams(window.location.search);
  if (!params.get("_search") || !/\/reports$/.test(window.location.pathname)) return;
  var table = document.querySelector("table.rows-and-columns");
  if (!table) return;
  var bar = document.createElement("p");
  bar.className = "nianbao-sortbar";
  var current = params.get("_sort_desc") === "published" ? "date" : "rank";
  function link(label, key, value) {
    var p = new URLSearchParams(window.location.search);
    p.delete("_sort"); p.delete("_sort_desc"); p.delete("_next");
    if (key) p.set(key, value);
    var a = document.createElement("a");
    a.href = "?" + p.toString();
    a.textContent = label;
    return a;
  }
  bar.appendChild(document.createTextNode("Sort 排序: "));
  var rel = link("relevance 相关度", "_sort", "rank");
  var date = link("newest first 最新发布", "_sort_desc", "published");
  (current === "rank" ? rel : date).className = "nianbao-current";
  bar.appendChild(rel);
  bar.appendChild(document.createTextNode(" · "));
  bar.appendChild(date);
  table.parentNode.insertBefore(bar, table);
});
