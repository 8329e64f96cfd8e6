"""Sitemaps: page URLs, index files, gzip and plain text."""
import gzip

from nianbao.crawler.discovery.sitemaps import read_sitemap

URLSET = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
          '<url><loc>http://a.gov.cn/xxgk/nb/202301/t20230120_1.html</loc></url>'
          '<url><loc>http://a.gov.cn/</loc></url></urlset>').encode()


def test_urlset_index_gzip_and_text():
    got = read_sitemap(URLSET, "http://a.gov.cn/sitemap.xml")
    assert got.urls == ["http://a.gov.cn/xxgk/nb/202301/t20230120_1.html", "http://a.gov.cn/"]
    assert read_sitemap(gzip.compress(URLSET), "http://a.gov.cn/sitemap.xml.gz").urls == got.urls
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b'<sitemap><loc>http://a.gov.cn/s1.xml</loc></sitemap></sitemapindex>')
    got = read_sitemap(index, "http://a.gov.cn/sitemap.xml")
    assert got.sitemaps == ["http://a.gov.cn/s1.xml"] and got.urls == []
    assert read_sitemap(b"http://a.gov.cn/x.html\nnot a url\n", "http://a.gov.cn/s.txt").urls == ["http://a.gov.cn/x.html"]
    assert read_sitemap(b"<html><body>404</body></html>", "http://a.gov.cn/sitemap.xml").urls == []
    assert len(read_sitemap(URLSET, "http://a.gov.cn/sitemap.xml", limit=1).urls) == 1
