"""The portal registry: YAML and TOML, clear errors, and the shipped example."""
from pathlib import Path

import pytest

from nianbao.crawler.portals import (
    Portal, RegistryError, dump_registry, load_registry, portals_from_urls, sample_registry,
)

from tests.support import ROOT


def test_yaml_registry_with_every_hint(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("""portals:
  - name: yunxi
    start_urls: [http://www.yunxi.gov.cn/]
    list_urls: http://www.yunxi.gov.cn/zwgk/zfxxgknb/
    sites: [xxgk.yunxi.gov.cn]
    render: never
    wait_for: ".list li"
    follow: ['/zwgk/']
    ignore: ['/search/']
    max_pages: 50
  - name: spa
    start_urls: [http://127.0.0.1:8102/]
""", encoding="utf-8")
    a, b = load_registry(f)
    assert a.name == "yunxi" and a.list_urls == ["http://www.yunxi.gov.cn/zwgk/zfxxgknb/"]
    assert a.render == "never" and a.wait_for == ".list li" and a.max_pages == 50
    assert a.all_sites() == ["www.yunxi.gov.cn", "xxgk.yunxi.gov.cn"]
    assert b.all_sites() == ["127.0.0.1:8102"] and b.render is None


def test_toml_registry_and_round_trip(tmp_path):
    portals = [Portal("a", ["http://a.gov.cn/"], follow=["/xxgk/"], max_pages=9),
               Portal("b", ["http://127.0.0.1:9000/"], render="always")]
    for name in ("r.toml", "r.yaml"):
        path = dump_registry(portals, tmp_path / name)
        assert load_registry(path) == portals


@pytest.mark.parametrize("text, message", [
    ("portals: []", "non-empty"),
    ("portals:\n  - start_urls: [http://a/]", "'name' is required"),
    ("portals:\n  - name: a", "start_urls"),
    ("portals:\n  - name: a\n    start_urls: [ftp://a/]", r"not an http\(s\) URL"),
    ("portals:\n  - name: a\n    start_urls: [http://a/]\n    render: sometimes", "render must be"),
    ("portals:\n  - name: a\n    start_urls: [http://a/]\n    ignore: ['(']", "not a regex"),
    ("portals:\n  - name: a\n    start_urls: [http://a/]\n    colour: red", "unknown field"),
    ("portals:\n  - name: a\n    start_urls: [http://a/]\n  - name: a\n    start_urls: [http://b/]",
     "duplicate"),
    ("portals: [", "not valid"),
])
def test_bad_registries_say_why(tmp_path, text, message):
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_registry(f)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(tmp_path / "nope.yaml")


def test_start_urls_group_by_site():
    ps = portals_from_urls(["http://a.gov.cn/", "http://a.gov.cn/xxgk/", "http://127.0.0.1:1/"])
    assert [p.name for p in ps] == ["a.gov.cn", "127.0.0.1:1"]
    assert ps[0].start_urls == ["http://a.gov.cn/", "http://a.gov.cn/xxgk/"]
    with pytest.raises(RegistryError):
        portals_from_urls(["www.gov.cn"])


def test_the_shipped_example_names_every_sample_portal():
    from nianbao.demo.portals import ALL
    example = load_registry(ROOT / "crawler" / "portals.example.yaml")
    names = [p.name for p in example]
    assert names == [mod.build(news_count=1).name for mod in ALL]
    assert [p.all_sites()[0] for p in example] == [f"127.0.0.1:{8100 + i}" for i in range(len(ALL))]


@pytest.mark.slow
def test_sample_registry_follows_running_portals():
    from nianbao.demo.server import SamplePortals
    with SamplePortals(port=0) as sp:
        reg = sample_registry(sp)
        assert [p.start_urls[0] for p in reg] == sp.start_urls
