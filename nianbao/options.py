"""The crawl options, in one table: the command line (`nianbao crawl`), the in-process
launcher and the subprocess launcher all read it, and `check()` validates a set of values
once, with one-line errors.

Each option is a command-line flag bound to one Scrapy setting; its default is that
setting's value in `crawler/settings.py` (shown by `--help`), so a default lives in one
place. Options that choose how a crawl runs rather than what it does (`--due`,
`--resume`, `--redis`, …) are not here: they are plans (`nianbao.plans`).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any, Callable

from nianbao.crawler import settings as defaults


class OptionError(ValueError):
    """A crawl option with a value it cannot take; the message names the flag."""


@dataclass(frozen=True)
class Option:
    name: str                          # keyword name: crawl(..., max_pages=10)
    flag: str                          # --max-pages
    setting: str                       # the Scrapy setting it sets
    type: Callable[[str], Any]
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    minimum: float | None = None       # smallest value allowed
    positive: bool = False             # strictly above zero

    @property
    def default(self):
        return getattr(defaults, self.setting, None)

    def convert(self, value):
        """The value as the setting takes it; OptionError when it cannot be."""
        try:
            v = self.type(value)
        except (TypeError, ValueError):
            raise OptionError(f"{self.flag} needs a {self.type.__name__}, not {value!r}") from None
        if self.choices and v not in self.choices:
            raise OptionError(f"{self.flag} must be one of {', '.join(self.choices)}, not {v!r}")
        if self.minimum is not None and v < self.minimum:
            raise OptionError(f"{self.flag} must be at least {self.minimum:g}, not {v!r}")
        if self.positive and v <= 0:
            raise OptionError(f"{self.flag} must be more than 0, not {v!r}")
        return v


OPTIONS: tuple[Option, ...] = (
    Option("render", "--render", "NIANBAO_RENDER", str,
           "when to use the browser: auto = only for loading-shell pages, always, never",
           choices=("auto", "always", "never")),
    Option("contact", "--contact", "NIANBAO_CONTACT", str,
           "contact put in the User-Agent so site operators can reach you", metavar="URL_OR_EMAIL"),
    Option("user_agent", "--user-agent", "USER_AGENT", str,
           "replace the whole User-Agent string (default: nianbao/VERSION (+CONTACT; ...))",
           metavar="UA"),
    Option("concurrency", "--concurrency", "CONCURRENT_REQUESTS_PER_DOMAIN", int,
           "concurrent requests per site", metavar="N", minimum=1),
    Option("render_concurrency", "--render-concurrency", "NIANBAO_RENDER_CONCURRENCY", int,
           "browser pages open at once, all sites together", metavar="N", minimum=1),
    Option("max_pages", "--max-pages", "NIANBAO_MAX_PAGES_PER_SITE", int,
           "request ceiling per site", metavar="N", minimum=1),
    Option("depth", "--depth", "DEPTH_LIMIT", int,
           "maximum link depth from the start URL", metavar="N", minimum=1),
    Option("explore", "--explore", "NIANBAO_EXPLORE_BUDGET", int,
           "links with no disclosure/report hint tried per site that showed no report",
           metavar="N", minimum=0),
    Option("delay", "--delay", "DOWNLOAD_DELAY", float,
           "minimum delay between requests to one site; AutoThrottle adapts above it",
           metavar="SECONDS", minimum=0),
    Option("timeout", "--timeout", "DOWNLOAD_TIMEOUT", float,
           "download timeout per request", metavar="SECONDS", positive=True),
    Option("render_timeout", "--render-timeout", "NIANBAO_RENDER_TIMEOUT", float,
           "how long the browser waits for a shell's content to show", metavar="SECONDS",
           positive=True),
    Option("removal_after", "--removal-after", "NIANBAO_REMOVAL_AFTER", int,
           "consecutive crawls a report must fail transiently (timeouts, 5xx) before it is "
           "marked removed; a 404 gone from its list counts at once", metavar="N", minimum=1),
    Option("progress", "--progress", "NIANBAO_PROGRESS", str,
           "live progress line on stderr: auto = only when stderr is a terminal, on, off "
           "(also drops the summary line)", choices=("auto", "on", "off")),
    Option("log_level", "--log-level", "LOG_LEVEL", str, "Scrapy log level",
           choices=("DEBUG", "INFO", "WARNING", "ERROR")),
)
BY_NAME = {o.name: o for o in OPTIONS}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per option; values are checked by `check()`, after parsing."""
    for o in OPTIONS:
        default = o.default
        shown = f" (default: {default})" if default not in (None, "") and o.name != "user_agent" else ""
        parser.add_argument(o.flag, dest=o.name, default=None, metavar=o.metavar,
                            choices=o.choices, help=o.help + shown)


def check(values: dict[str, Any]) -> dict[str, Any]:
    """The given options (None = not given) converted and checked; unknown names are a
    TypeError (a caller's bug), bad values an OptionError (the user's input)."""
    unknown = set(values) - set(BY_NAME)
    if unknown:
        raise TypeError(f"unknown crawl option(s): {sorted(unknown)}")
    return {name: BY_NAME[name].convert(v) for name, v in values.items() if v is not None}


def to_argv(values: dict[str, Any]) -> list[str]:
    """The command-line form of checked option values (for a subprocess)."""
    out: list[str] = []
    for name, v in values.items():
        out += [BY_NAME[name].flag, str(v)]
    return out


def to_settings(values: dict[str, Any]) -> dict[str, Any]:
    """The Scrapy settings of checked option values."""
    return {BY_NAME[name].setting: v for name, v in values.items()}


def parse_set(pairs: list[str]) -> dict[str, Any]:
    """`--set NAME=VALUE` pairs as raw Scrapy settings (VALUE parsed as JSON when it can be)."""
    import json

    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise OptionError(f"--set needs NAME=VALUE, got {pair!r}")
        k, v = pair.split("=", 1)
        try:
            out[k.strip()] = json.loads(v)
        except ValueError:
            out[k.strip()] = v
    return out
