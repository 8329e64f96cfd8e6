"""The data that extraction produces: one `Document` per fetched body.

Plain dataclasses so that the crawler, the archive and the CLI can share them without
sharing code paths; `to_dict()` gives the JSON form used by `nianbao extract --json`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .published import PublishedTable


@dataclass
class Figure:
    """One number from a report's statistical tables (or a sentence, for pre-2019 prose).

    `value` is None for a blank / "—" / "/" cell: blank and 0 are different facts.
    Keys are the stable English names of `extract.report_schema`.
    """

    table: int                      # 2, 3 or 4; 0 for a figure read from prose
    row_key: str
    col_key: str
    value: float | int | None
    raw: str = ""                   # the cell as published
    row_label: str = ""             # the original Chinese row label
    col_label: str = ""             # the original Chinese column label
    unit: str = ""                  # e.g. "万元"
    source: str = ""                # the sentence a prose figure came from
    kind: str = ""                  # 'number' | 'zero' | 'blank' | 'dash' | 'text': "not reported" is not 0
    ocr: bool = False               # read from an image by OCR
    confidence: float | None = None  # OCR recognition score of the cell (None: not OCR)


@dataclass
class Check:
    """One arithmetic check of a table, e.g. 一+二 = 三（七）+四 for one column."""

    name: str                       # e.g. "t3_identity", "t3_handled_total", "t3_row_total"
    key: str                        # the column or row it was applied to
    expected: float | None
    actual: float | None
    ok: bool | None                 # None when a needed cell is blank


@dataclass
class FigureSet:
    """All figures of one report with the format they were read in and their checks."""

    format: str | None = None       # '2019' | '2021' | None (free-form / no tables)
    figures: list[Figure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    image_tables: bool = False      # tables published as images (图片版): nothing to parse

    @property
    def identity_ok(self) -> bool | None:
        """1/0/None as in the `report_figures` view: None when the table is incomplete."""
        ident = [c for c in self.checks if c.name == "t3_identity"]
        if not ident or any(c.ok is None for c in ident):
            return None
        return all(c.ok for c in ident)


@dataclass
class Document:
    """Extracted view of one fetched body (HTML page or attachment)."""

    url: str
    # Simplified, chrome-free, each published character once: paragraphs one a line;
    # table rows one a line, cells tab-separated, each cell once in the row where it starts
    # (`rules.TEXT_TABLE_CELLS`). Row-repeated lines: from `tables`.
    text: str = ""
    title: str = ""                 # Simplified, without the site suffix
    text_original: str = ""         # the same text in the page's own script
    title_original: str = ""
    script: str = "simplified"      # 'simplified' | 'traditional' (of the source page)
    opencc_config: str | None = None
    encoding: str | None = None     # how the bytes were decoded
    content_type: str = "html"      # 'html' | 'pdf' | 'docx' | 'doc' | 'image' | 'text' | 'other'
    agency: str | None = None
    agency_original: str | None = None
    year: int | None = None         # the year reported on
    published: str | None = None    # YYYY-MM-DD
    source: str | None = None       # 来源
    index_no: str | None = None     # 索引号
    publisher: str | None = None    # 发布机构
    doc_no: str | None = None       # 文号
    site_code: str | None = None    # 政府网站标识码 of the page's site (its sponsor's division)
    is_report: bool = False         # an OGI annual report, not a trap
    is_shell: bool = False          # a JavaScript loading shell: needs a browser
    is_not_found: bool = False      # a "页面不存在" page served with 200
    no_text_layer: bool = False     # a scanned PDF: recorded as such, not as an empty report
    # Where the text came from: 'text' (a text layer or markup), 'ocr' (images only), 'mixed'.
    text_source: str = "text"
    ocr_engine: str | None = None   # engine and version, when OCR contributed
    ocr_confidence: float | None = None   # mean recognition score of what OCR read
    # What OCR should read for this document: "" for the body itself (an image, a scanned
    # PDF), else absolute URLs of images on the page. The caller runs OCR and extracts
    # again with the results (`extract_document(..., ocr=...)`).
    ocr_inputs: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)  # grids, spans expanded
    # the same tables as published (cells once, with spans) and placed in `text`'s lines
    published_tables: list[PublishedTable] = field(default_factory=list)
    figures: FigureSet = field(default_factory=FigureSet)
    warnings: list[str] = field(default_factory=list)
    extractor_version: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["figures"]["identity_ok"] = self.figures.identity_ok
        return d
