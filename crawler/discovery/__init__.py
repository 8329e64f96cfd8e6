"""Find the links a government list page really has, including the ones no parser sees.

Portal CMSs hide their lists from a plain HTML parser in a few well-known ways:
- TRS writes its pager with `createPageHTML(total, current, "index", "html")` in a script;
- Hanweb puts the first records of a column inside `<script type="text/xml"><datastore>`
  as CDATA HTML and loads the rest from `/module/web/jpage/dataproxy.jsp`;
- other lists page with `index_N.html`, `?page=N` (and its cousins) or a 下一页 link;
- single-page apps fetch JSON lists by XHR (see `json_links` / `json_next_pages`).
These functions are pure (text in, URLs out), so each family is unit-tested on HTML.
"""
from .hanweb import DataProxy, dataproxy_records, find_dataproxy
from .html import Link, clean_text, parse_html
from .jsonapi import JsonList, json_links, json_next_pages, parse_json_list, route_for_id
from .links import dedupe_links, page_links, page_titles
from .paging import PAGE_PARAMS, Pager, find_pager, page_template

__all__ = [
    "PAGE_PARAMS", "DataProxy", "JsonList", "Link", "Pager", "clean_text", "dataproxy_records",
    "dedupe_links", "find_dataproxy", "find_pager", "json_links", "json_next_pages",
    "page_links", "page_template", "page_titles", "parse_html", "parse_json_list", "route_for_id",
]
