"""A crawl in this process runs with fewer garbage collections, and leaves the process's
collector as it found it."""
import gc

from nianbao import launch


def test_a_crawl_runs_with_fewer_collections_and_restores_the_threshold():
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with launch.fewer_collections():
            assert gc.get_threshold() == (launch.GC_THRESHOLD, 10, 10)
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(50_000, 10, 10)           # a process that asked for fewer already
        with launch.fewer_collections():
            assert gc.get_threshold() == (50_000, 10, 10)
    finally:
        gc.set_threshold(*before)
