"""The statistics of a report as data: tables 2-4 of the 2019/2021 formats, read from
grids (`grid`), from text (`text`), from prose (`prose`), and checked (`checks`);
`figures.extract_figures` is the entry point."""
from .checks import table3_checks, table4_checks
from .figures import extract_figures

__all__ = ["extract_figures", "table3_checks", "table4_checks"]
