"""Extract one saved page or attachment: print its clean Simplified text, or the whole
Document as JSON (text, original-script text, metadata, tables, figures, warnings).

Reads FILE, or standard input when FILE is omitted or "-". The bytes are decoded by the
extractor itself (BOM, HTTP charset, meta charset, detection), so pass files unchanged.
A scanned PDF or an image (PNG, JPEG) is read by OCR, as a crawl reads it.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

NAME = "extract"
HELP = "extract clean text and metadata from a saved HTML page, PDF, Word file or image"


def add_arguments(parser) -> None:
    parser.add_argument("file", nargs="?", metavar="FILE",
                        help="HTML, PDF, DOCX, DOC, PNG or JPEG file to read (default: standard input)")
    parser.add_argument("--json", action="store_true",
                        help="print the whole Document as JSON instead of the text")
    parser.add_argument("--url", default="",
                        help="the URL the file was fetched from (helps dates, type and attachment titles)")
    parser.add_argument("--content-type", default=None, metavar="TYPE",
                        help="the HTTP Content-Type it was served with, e.g. 'text/html; charset=gbk'")
    parser.add_argument("--ocr-engine", default="rapidocr", choices=("rapidocr", "tesseract", "none"),
                        help="OCR for a scanned PDF or an image (default rapidocr; none: only say it needs OCR)")


def run(args) -> int:
    from nianbao.extract import extract_document

    if args.file and args.file != "-":
        path = Path(args.file)
        try:
            body = path.read_bytes()
        except OSError as e:
            print(f"nianbao extract: cannot read {args.file}: {e.strerror or e}", file=sys.stderr)
            return 2
        url = args.url or path.resolve().as_uri()
    else:
        body = sys.stdin.buffer.read()
        url = args.url
    headers = {"Content-Type": args.content_type} if args.content_type else None
    doc = extract_document(body, url, headers)
    if doc.ocr_inputs == [""] and args.ocr_engine != "none":     # the file itself is a picture
        from nianbao.extract import extract_with_ocr
        from nianbao.extract.ocr import OcrError, ocr_blob
        try:
            doc = extract_with_ocr(body, url, headers, {}, lambda data: ocr_blob(data, args.ocr_engine))
        except OcrError as e:
            print(f"nianbao extract: OCR failed: {e}", file=sys.stderr)
            return 1
    if args.json:
        json.dump(doc.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        if doc.text:
            sys.stdout.write(doc.text + "\n")
        for w in doc.warnings:
            print(f"warning: {w}", file=sys.stderr)
        if doc.is_shell:
            print("warning: a JavaScript loading shell: the content needs a browser "
                  "(nianbao crawl renders such pages)", file=sys.stderr)
        if doc.is_not_found:
            print("warning: a 'page not found' page", file=sys.stderr)
    return 0
