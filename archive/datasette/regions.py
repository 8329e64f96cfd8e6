"""The region rule, re-exported for the Datasette plugin: it lives in archive.regions so
the stored report rows (archive/report_rows.py) compute the same region at write time."""
from nianbao.archive.regions import CENTRAL, PROVINCES, UNKNOWN, region  # noqa: F401
