"""A real redis-server for the distributed-crawl tests (started on a free port, stopped after)."""
import pytest

from tests.support.ops import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url
