"""nianbao (年报): crawl, archive and publish Chinese government information-disclosure
annual reports (政府信息公开工作年度报告).

This package is the application layer: the command line and crawl start-up. The wheel
installs the project's other packages under it, each mapped from its folder at the top
of the repository: `nianbao.crawler` (Scrapy components), `nianbao.extract` (pure
extraction), `nianbao.archive` (SQLite archive and Datasette) and `nianbao.demo` (the
sample portals).
"""
__version__ = "0.1.0"
