"""Plain `datasette archive.db` loads our plugin through its installed entry point."""
from __future__ import annotations

import asyncio
import re
from urllib.parse import quote

from datasette.app import Datasette

from tests.support import publish as sample


def test_plain_datasette_loads_the_plugin_with_its_search_and_css(tmp_path):
    db = tmp_path / "archive.db"
    sample.build(db)
    ds = Datasette([str(db)])            # no nianbao serve: only the entry point brings the plugin

    async def go():
        plugins = (await ds.client.get("/-/plugins.json")).json()
        r = await ds.client.get(f"/archive/reports.json?_shape=objects&_search={quote('复议')}")
        html = (await ds.client.get("/archive/reports")).text
        css = re.findall(r'href="([^"]*nianbao\.css)"', html)
        return plugins, r, css, [(await ds.client.get(u)).status_code for u in css]

    plugins, r, css, status = asyncio.run(go())
    # registered under the entry point's name (nianbao serve would register "nianbao.archive.datasette")
    assert "nianbao" in {p["name"] for p in plugins}
    assert r.status_code == 200
    assert {row["url"] for row in r.json()["rows"]} == {sample.SAMPLES[0].url}   # bigram search
    assert css and status == [200] * len(css)
