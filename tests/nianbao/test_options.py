"""The crawl options table: one place for flag, setting, type, default and check."""
from __future__ import annotations

import argparse

import pytest

from nianbao import options
from nianbao.crawler import settings as defaults


def test_every_option_sets_a_setting_that_has_a_default_or_is_a_user_string():
    for o in options.OPTIONS:
        assert o.flag == "--" + o.name.replace("_", "-")
        assert hasattr(defaults, o.setting), o.setting


def test_check_converts_and_rejects_with_the_flag_named():
    assert options.check({"concurrency": "3", "delay": "0.5", "render": "never", "depth": None}) == \
        {"concurrency": 3, "delay": 0.5, "render": "never"}
    for values, message in [({"concurrency": "0"}, "--concurrency must be at least 1"),
                            ({"timeout": "0"}, "--timeout must be more than 0"),
                            ({"render": "sometimes"}, "--render must be one of auto, always, never"),
                            ({"max_pages": "many"}, "--max-pages needs a int")]:
        with pytest.raises(options.OptionError, match=message):
            options.check(values)
    with pytest.raises(TypeError, match="unknown crawl option"):
        options.check({"speed": 1})


def test_argv_settings_and_help_come_from_the_same_table():
    values = options.check({"max_pages": 5, "render": "always"})
    assert options.to_argv(values) == ["--max-pages", "5", "--render", "always"]
    assert options.to_settings(values) == {"NIANBAO_MAX_PAGES_PER_SITE": 5, "NIANBAO_RENDER": "always"}
    parser = argparse.ArgumentParser()
    options.add_arguments(parser)
    assert vars(parser.parse_args(["--max-pages", "5"]))["max_pages"] == "5"
    assert f"(default: {defaults.NIANBAO_MAX_PAGES_PER_SITE})" in parser.format_help().replace("\n", " ")


def test_set_pairs_parse_json_values():
    assert options.parse_set(["A=1", "B=[1, 2]", "C=text"]) == {"A": 1, "B": [1, 2], "C": "text"}
    with pytest.raises(options.OptionError, match="NAME=VALUE"):
        options.parse_set(["nothing"])
