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


def test_the_extracted_document_stays_in_the_process():
    import pickle

    from nianbao.extract import extract_document
    body = "<html><head><title>t</title></head><body><p>正文</p></body></html>".encode("utf-8")
    c = Capture(url="http://a.gov.cn/x.html", status=200, body=body)
    c.extracted = extract_document(body, c.final_url)
    again = pickle.loads(pickle.dumps(c, protocol=4))
    assert again.extracted is None and again.body == body and again == c
    assert c.extracted is not None          # the original keeps it
