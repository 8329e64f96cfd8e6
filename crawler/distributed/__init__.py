"""Distributed crawls through Redis: shared frontier, leases, politeness, one archive writer."""
