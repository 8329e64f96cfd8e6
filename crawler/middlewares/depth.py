"""Link depth that list paging does not use up.

Scrapy's DepthMiddleware gives every request its source's depth plus one, and DEPTH_LIMIT
drops what goes past it. A report column of dozens of pages (a city's column of all its
departments' reports) then loses everything past about page 6 to `--depth 8`. Here the
next page of a list (`nianbao_paging`) keeps its list's depth; a list's own page budget
(NIANBAO_LIST_MAX_PAGES, crawler.spiders.state.ListPaging) bounds paging instead.
"""
from __future__ import annotations

from scrapy.spidermiddlewares.depth import DepthMiddleware

from nianbao.crawler import meta as M


class ListDepthMiddleware(DepthMiddleware):
    def get_processed_request(self, request, response):
        if response is not None and request.meta.get(M.PAGING):
            request.meta.pop("depth_reset", None)
            request.meta["depth"] = response.meta.get("depth", 0)
            return request
        return super().get_processed_request(request, response)
