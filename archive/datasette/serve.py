"""Build and run the Datasette instance that publishes archives, read-only.

Datasette 0.65 reads facets, sort orders and canned queries from metadata and settings
from `settings=`; our `datasette.yaml` holds both, so `load_config()` splits it: its
`settings` go to Datasette(settings=...), the rest is merged into `metadata.yaml`. The
placeholder database key `archive` is applied to every database served, whatever the
file is called (`data/foo.db` is served as /foo).

Safety: databases open read-only (`mode=ro`, or `immutable=1` with `immutable=True`),
no canned query writes, every query is time-limited, raw captures are downloads.
"""
from __future__ import annotations

import copy
import socket
import sqlite3
from pathlib import Path
from urllib.parse import quote

import yaml

from nianbao.archive import search
from nianbao.archive.store import ArchiveError

HERE = Path(__file__).resolve().parent
PLACEHOLDER = "archive"


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_config(db_names: list[str] | tuple[str, ...] = (PLACEHOLDER,)) -> tuple[dict, dict]:
    """(metadata, settings) for serving databases named `db_names`."""
    metadata = yaml.safe_load((HERE / "metadata.yaml").read_text(encoding="utf-8")) or {}
    config = yaml.safe_load((HERE / "datasette.yaml").read_text(encoding="utf-8")) or {}
    settings = dict(config.pop("settings", None) or {})
    metadata = _merge(metadata, config)
    template = (metadata.get("databases") or {}).pop(PLACEHOLDER, {})
    metadata["databases"] = {name: copy.deepcopy(template) for name in db_names}
    first = db_names[0] if db_names else PLACEHOLDER
    if "description_html" in metadata and first != PLACEHOLDER:
        metadata["description_html"] = metadata["description_html"].replace(
            f"/{PLACEHOLDER}/", f"/{first}/")
    return metadata, settings


def is_archive_file(path: str | Path) -> bool:
    """Whether a database file holds a nianbao archive (our configuration applies to it)."""
    try:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
        try:
            names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return {"reports", "versions", "captures"} <= names


def _register_plugin() -> None:
    """Register our plugin package once per process, unless its installed entry point
    (`nianbao`, pyproject.toml) already did."""
    from datasette.plugins import pm

    import nianbao.archive.datasette as plugin

    if not pm.is_registered(plugin) and pm.get_plugin("nianbao.archive.datasette") is None:
        pm.register(plugin, name="nianbao.archive.datasette")


def refresh_index(db_path: str | Path) -> str:
    """Bring the schema (e.g. the stored columns the facets read) and the search index of
    an archive up to date before serving; returns a note."""
    from nianbao.archive.store import Archive

    if not is_archive_file(db_path):
        return "not a nianbao archive: served as it is"
    with Archive(db_path, create=False) as archive:
        if search.pending(archive.conn) == 0:
            return "search index up to date"
        stats = archive.refresh_search()
    return (f"search index {'rebuilt' if stats.rebuilt else 'updated'}: "
            f"{stats.indexed} report(s) indexed, {stats.total} in the index")


def build_datasette(db_paths, *, immutable: bool = False, settings: dict | None = None):
    """A Datasette serving `db_paths` read-only with our metadata, settings and plugin."""
    from datasette.app import Datasette

    if isinstance(db_paths, (str, Path)):
        db_paths = [db_paths]
    paths = [str(Path(p)) for p in db_paths]
    for p in paths:
        if not Path(p).is_file():
            raise FileNotFoundError(f"no database at {p}")
    names = [Path(p).stem for p in paths if is_archive_file(p)]
    metadata, config_settings = load_config(names)
    _register_plugin()
    kwargs = {"immutables": paths} if immutable else {"files": paths}
    return Datasette(metadata=metadata, settings={**config_settings, **(settings or {})},
                     cors=False, **kwargs)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0 picks a free one), so callers know the real port."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def make_server(ds, sock: socket.socket):
    """A uvicorn server for `ds` on an already bound socket (run it with .run(sockets=[sock]))."""
    import uvicorn

    config = uvicorn.Config(ds.app(), log_level="warning", lifespan="on")
    return uvicorn.Server(config)


def examples(base: str, name: str) -> list[str]:
    """Lines that show where to start, each working when pasted into a shell (search
    words percent-encoded, or sent by curl -G --data-urlencode)."""
    return [f"reports:  {base}/{name}/reports",
            f"search:   {base}/{name}/reports?_search={quote('复议')}   (复议, ranked by relevance)",
            f"coverage: {base}/-/nianbao/coverage",
            f"JSON:     curl -G '{base}/{name}/reports.json' --data-urlencode '_search=复议' "
            f"--data-urlencode '_shape=array'"]


def serve(db_path, *, host: str = "127.0.0.1", port: int = 8001, immutable: bool = False,
          refresh: bool = True, log=print, sock: socket.socket | None = None) -> int:
    """Run the server until interrupted (uvicorn, one process); returns an exit code.
    `sock`: a socket the caller bound already (nianbao demo takes its port before crawling)."""
    if not Path(db_path).is_file():
        log(f"no database at {db_path}")
        return 2
    if sock is None:
        try:
            sock = bind(host, port)
        except OSError as exc:
            log(f"port {port} on {host} is not free ({exc.strerror}): choose another with --port")
            return 2
    if refresh:
        try:
            log(refresh_index(db_path))
        except (sqlite3.Error, ArchiveError) as exc:   # a read-only file, a busy writer: serve anyway
            log(f"search index not refreshed ({exc}); search may miss recent reports")
    ds = build_datasette([db_path], immutable=immutable)
    actual = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    log(f"serving {db_path} read-only at http://{shown}:{actual}/  (Ctrl-C to stop)")
    server = make_server(ds, sock)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
