"""Text of report attachments: PDF (`pdf`, pdfminer.six), DOCX and DOC/WPS (`word`).

Many bodies publish the report itself as an attachment behind a short article page. A
scanned PDF has pages but no text layer: that is recorded (`no_text_layer`), so that an
image-only report is never mistaken for an empty one.
"""
from __future__ import annotations

from .pdf import pdf_text
from .sniff import sniff_kind
from .text import AttachmentText
from .word import doc_text, docx_text

__all__ = ["AttachmentText", "attachment_text", "sniff_kind"]


def attachment_text(body: bytes, kind: str) -> AttachmentText:
    if kind == "pdf":
        return pdf_text(body)
    if kind == "docx":
        return docx_text(body)
    if kind == "doc":
        return doc_text(body)
    return AttachmentText(warnings=[f"{kind}: unsupported content"])
