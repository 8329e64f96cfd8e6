"""A page's decoding and shell verdict are worked out once while it is recent, and the
results are those of working them out."""
from nianbao.extract import decode
from nianbao.extract.html import shell
from nianbao.extract.memo import Recent

PAGE = ("<html><head><meta charset='gbk'><title>年报</title></head><body><div class='content'>"
        + "本机关主动公开政府信息，依申请公开办理。" * 30 + "</div></body></html>").encode("gb18030")
SHELL = b"<html><body><div id='app'></div><script src='/app.js'></script></body></html>"


def test_recent_keeps_the_last_results_by_value():
    made = []
    memo = Recent(2)
    make = lambda k: (lambda: made.append(k) or k * 2)  # noqa: E731
    assert memo.get("a", make("a")) == "aa" and memo.get("b", make("b")) == "bb"
    assert memo.get("a", make("a")) == "aa" and made == ["a", "b"]       # kept
    memo.get("c", make("c"))                                              # "b" is the oldest
    assert memo.get("a", make("a")) == "aa" and made == ["a", "b", "c"]
    memo.get("b", make("b"))
    assert made == ["a", "b", "c", "b"]


def test_a_body_is_decoded_once_while_it_is_recent(monkeypatch):
    calls = []
    real = decode._decode
    monkeypatch.setattr(decode, "_decode", lambda b, h: calls.append(b) or real(b, h))
    decode._RECENT.clear()
    first = decode.decode_body(PAGE, {"content-type": "text/html"})
    assert first == real(PAGE, {"content-type": "text/html"}) and first[1] == "gb18030"
    assert decode.decode_body(bytes(bytearray(PAGE)), {"Content-Type": "text/html"}) == first
    assert len(calls) == 1
    # another declared charset is another decoding
    assert decode.decode_body(PAGE, {"content-type": "text/html; charset=utf-8"})[0] == first[0]
    assert len(calls) == 2
    big = PAGE + b" " * decode.MEMO_BYTES                  # too large to keep
    decode.decode_body(big)
    decode.decode_body(big)
    assert len(calls) == 4


def test_a_page_is_checked_for_a_shell_once_while_it_is_recent(monkeypatch):
    calls = []
    real = shell._looks_like_shell
    monkeypatch.setattr(shell, "_looks_like_shell", lambda h: calls.append(h) or real(h))
    shell._RECENT.clear()
    assert shell.looks_like_shell(SHELL) is True and shell.looks_like_shell(SHELL.decode()) is True
    assert shell.looks_like_shell(PAGE) is False and shell.looks_like_shell(PAGE) is False
    assert len(calls) == 2
