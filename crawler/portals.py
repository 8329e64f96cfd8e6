"""The portal registry: which portals to crawl, as data (YAML or TOML), never as code.

    portals:
      - name: yunxi                       # unique, used in logs and statistics
        start_urls: [http://www.yunxi.gov.cn/]
        list_urls: [http://www.yunxi.gov.cn/zwgk/zfxxgknb/]   # optional: report columns
        sites: [xxgk.yunxi.gov.cn]        # optional: more hosts[:port] of the same portal
        render: auto                      # optional: auto | always | never
        wait_for: ".list li"              # optional: CSS selector a rendered page must show
        follow: ['/zwgk/']                # optional: URL regexes always worth following
        ignore: ['/search/', '\\?keyword='] # optional: URL regexes never requested
        max_pages: 300                    # optional: request ceiling for this portal
        schedule: {lists: 1d, reports: 30d}   # optional: revisit intervals (nianbao crawl --due)

TOML is the same with `[[portals]]` tables. A portal needs no code to be added: the
generic report spider reads these hints, nothing else.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from nianbao.archive.urls import site_of
from .schedule import validate_schedule

RENDER_MODES = ("auto", "always", "never")
_FIELDS = ("name", "start_urls", "list_urls", "sites", "render", "wait_for", "follow", "ignore",
           "max_pages", "schedule")


class RegistryError(ValueError):
    """A registry file that cannot be used; the message says which entry and why."""


@dataclass
class Portal:
    name: str
    start_urls: list[str]
    list_urls: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    render: str | None = None
    wait_for: str | None = None
    follow: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    max_pages: int | None = None
    schedule: dict = field(default_factory=dict)     # {lists: 1d, reports: 30d}: crawler/schedule.py

    def all_sites(self) -> list[str]:
        """host[:port] of every start URL, list URL and extra site, in order, once each."""
        out: list[str] = []
        for s in [site_of(u) for u in self.start_urls + self.list_urls] + [s.lower() for s in self.sites]:
            if s and s not in out:
                out.append(s)
        return out

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: v for k, v in d.items() if v not in (None, [], "")}


def _as_list(value, what: str, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise RegistryError(f"{where}: {what} must be a string or a list of strings")


def portal_from_dict(d: dict, where: str = "portal") -> Portal:
    if not isinstance(d, dict):
        raise RegistryError(f"{where}: expected a mapping, got {type(d).__name__}")
    unknown = set(d) - set(_FIELDS)
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {list(_FIELDS)}")
    name = d.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RegistryError(f"{where}: 'name' is required")
    where = f"{where} {name!r}"
    starts = _as_list(d.get("start_urls"), "start_urls", where)
    if not starts:
        raise RegistryError(f"{where}: 'start_urls' needs at least one URL")
    for u in starts + _as_list(d.get("list_urls"), "list_urls", where):
        if not re.match(r"^https?://[^/\s]+", u):
            raise RegistryError(f"{where}: {u!r} is not an http(s) URL")
    render = d.get("render")
    if render is not None and render not in RENDER_MODES:
        raise RegistryError(f"{where}: render must be one of {RENDER_MODES}, not {render!r}")
    for key in ("follow", "ignore"):
        for pat in _as_list(d.get(key), key, where):
            try:
                re.compile(pat)
            except re.error as exc:
                raise RegistryError(f"{where}: {key} pattern {pat!r} is not a regex: {exc}") from None
    max_pages = d.get("max_pages")
    if max_pages is not None and (not isinstance(max_pages, int) or max_pages <= 0):
        raise RegistryError(f"{where}: max_pages must be a positive integer")
    wait_for = d.get("wait_for")
    if wait_for is not None and not isinstance(wait_for, str):
        raise RegistryError(f"{where}: wait_for must be a CSS selector string")
    try:
        schedule = validate_schedule(d.get("schedule"), where)
    except ValueError as exc:
        raise RegistryError(str(exc)) from None
    return Portal(name=name.strip(), start_urls=starts,
                  list_urls=_as_list(d.get("list_urls"), "list_urls", where),
                  sites=_as_list(d.get("sites"), "sites", where), render=render, wait_for=wait_for,
                  follow=_as_list(d.get("follow"), "follow", where),
                  ignore=_as_list(d.get("ignore"), "ignore", where), max_pages=max_pages,
                  schedule=schedule)


def parse_registry(data, source: str = "registry") -> list[Portal]:
    if isinstance(data, dict) and "portals" in data:
        data = data["portals"]
    if not isinstance(data, list) or not data:
        raise RegistryError(f"{source}: expected a non-empty 'portals' list")
    portals = [portal_from_dict(d, f"{source}: portals[{i}]") for i, d in enumerate(data)]
    names = [p.name for p in portals]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise RegistryError(f"{source}: duplicate portal name(s) {dupes}")
    return portals


def load_registry(path: str | Path) -> list[Portal]:
    """Portals from a `.yaml`/`.yml` or `.toml` file; RegistryError with the reason if bad."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"{path}: not valid {path.suffix.lstrip('.').upper() or 'YAML'}: {exc}") from None
    return parse_registry(data, str(path))


def dump_registry(portals: list[Portal], path: str | Path) -> Path:
    """Write portals as YAML (or TOML when the name ends in .toml)."""
    path = Path(path)
    entries = [p.to_dict() for p in portals]
    if path.suffix.lower() == ".toml":
        lines = []
        for e in entries:
            lines.append("[[portals]]")
            for k, v in e.items():
                lines.append(f"{k} = {_toml_value(v)}")
            lines.append("")
        path.write_text("\n".join(lines), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump({"portals": entries}, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    return path


def _toml_value(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def portals_from_urls(urls: list[str]) -> list[Portal]:
    """One portal per site of plain start URLs (what `nianbao crawl URL...` gets)."""
    by_site: dict[str, Portal] = {}
    for u in urls:
        if not re.match(r"^https?://[^/\s]+", u):
            raise RegistryError(f"{u!r} is not an http(s) URL")
        s = site_of(u)
        if s in by_site:
            by_site[s].start_urls.append(u)
        else:
            by_site[s] = Portal(name=s, start_urls=[u])
    return list(by_site.values())


def sample_registry(sample_portals) -> list[Portal]:
    """Registry entries for running sample portals (`demo.server.SamplePortals`).

    The sample portals listen on ports chosen at start, so their entries are made here
    rather than written by hand; `portals.example.yaml` shows the same entries with fixed
    ports (`nianbao portals --port 8600`).
    """
    return [Portal(name=p.name, start_urls=[url])
            for p, url in zip(sample_portals.portals, sample_portals.start_urls)]
