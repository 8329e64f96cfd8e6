"""A Capture fills what the crawler left empty from what it gave."""
from nianbao.archive.capture import Capture, Listing


def test_derived_fields():
    c = Capture(url="http://BIG5.Example.gov.cn/gate/big5/www.example.gov.cn/a.html?utm_source=x", status=304)
    assert c.final_url == c.url
    assert c.canonical_url == "http://www.example.gov.cn/a.html"
    assert c.site == "www.example.gov.cn" and c.not_modified and c.kind == "page"
    assert c.fetched_at.endswith("Z")
    kept = Capture(url="http://a.gov.cn/x", site="a.gov.cn:8080", fetched_at="2024-01-01T00:00:00+00:00")
    assert kept.site == "a.gov.cn:8080" and kept.fetched_at == "2024-01-01T00:00:00+00:00"
    assert Listing(url="http://a.gov.cn:81/list/").site == "a.gov.cn:81"
