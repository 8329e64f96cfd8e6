"""Registry schedules: intervals parsed and checked."""
import pytest

from nianbao.crawler.portals import RegistryError, parse_registry
from nianbao.crawler.schedule import parse_interval


def test_intervals_and_registry_schedules():
    assert parse_interval("90m") == 5400 and parse_interval("1d") == 86400 and parse_interval(30) == 30
    for bad in ("soon", "0h", "-1d", True):
        with pytest.raises(ValueError):
            parse_interval(bad)
    portals = parse_registry({"portals": [{"name": "a", "start_urls": ["http://a.test/"],
                                           "schedule": {"lists": "12h", "reports": "2w"}}]})
    assert portals[0].schedule == {"lists": "12h", "reports": "2w"}
    with pytest.raises(RegistryError, match="schedule.lists"):
        parse_registry({"portals": [{"name": "a", "start_urls": ["http://a.test/"],
                                     "schedule": {"lists": "often"}}]})
    with pytest.raises(RegistryError, match="revisited less often than lists"):
        parse_registry({"portals": [{"name": "a", "start_urls": ["http://a.test/"],
                                     "schedule": {"lists": "7d", "reports": "1d"}}]})
