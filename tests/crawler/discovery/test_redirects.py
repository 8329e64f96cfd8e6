"""Home pages that only send the visitor on: script redirects and meta refresh."""
from nianbao.crawler.discovery.redirects import script_redirect


def test_script_and_meta_redirects_of_a_stub_page():
    base = "http://a.gov.cn/"
    stub = "<html><head>{}</head><body></body></html>"
    assert script_redirect(stub.format("<script>window.location.href = '/portal/';</script>"), base) \
        == "http://a.gov.cn/portal/"
    assert script_redirect(stub.format('<script>location.replace("index.shtml")</script>'), base) \
        == "http://a.gov.cn/index.shtml"
    assert script_redirect(stub.format("<script>top.location='https://www.a.gov.cn/'</script>"), base) \
        == "https://www.a.gov.cn/"
    assert script_redirect(stub.format('<meta http-equiv="Refresh" content="0; URL=/portal/">'), base) \
        == "http://a.gov.cn/portal/"


def test_a_real_page_that_assigns_location_in_a_handler_is_no_redirect():
    links = "".join(f'<li><a href="/col/{i}/">栏目{i}</a></li>' for i in range(10))
    page = (f"<html><head><script>function go(u){{window.location.href = '/search/?q=' + u;}}</script></head>"
            f"<body><ul>{links}</ul><p>{'本站介绍。' * 80}</p></body></html>")
    assert script_redirect(page, "http://a.gov.cn/") is None
    assert script_redirect("<html><body><p>欢迎</p></body></html>", "http://a.gov.cn/") is None
