"""OCR engines behind one interface: recognise line crops, detect and read text lines.

RapidOCR (PaddleOCR's PP-OCR models on onnxruntime; the models ship inside the `rapidocr`
wheel, nothing is downloaded) is the engine the archive runs. Debian's Tesseract
(`tesseract-ocr-chi-sim`) is the baseline the bench compares it with. An engine is made
once per process (loading models takes a second) and is not shared between processes.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

# Version of our page reading (rules, cells, paragraphs): part of every engine's name, so
# cached OCR results are redone when it changes.
PIPELINE_VERSION = "1"

Box = tuple[int, int, int, int]          # x0, y0, x1, y1


@dataclass
class TextLine:
    box: Box
    text: str
    score: float


class OcrError(RuntimeError):
    """An engine is missing or failed: a clear one-line message."""


class RapidEngine:
    name = "rapidocr"

    @staticmethod
    def version_string() -> str:
        from importlib.metadata import version
        return f"rapidocr {version('rapidocr')}+nianbao-ocr.{PIPELINE_VERSION}"

    def __init__(self, threads: int = 0):
        try:
            from rapidocr import RapidOCR
        except ImportError as e:       # pragma: no cover - a broken install
            raise OcrError(f"rapidocr is not installed ({e})") from e
        params = {"Global.log_level": "error", "Global.use_cls": False}
        if threads:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
            params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
        self._ocr = RapidOCR(params=params)
        self.version = self.version_string()

    def read_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and score of each single-line crop (recognition only)."""
        if not crops:
            return []
        res = self._ocr.recognize_txt([cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) if c.ndim == 2 else c
                                       for c in crops])
        return [(t or "", float(s)) for t, s in zip(res.txts or (), res.scores)]

    def detect(self, gray: np.ndarray) -> list[TextLine]:
        """Text lines of a page region: detection, then recognition."""
        out = self._ocr(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), use_cls=False)
        if out.boxes is None:
            return []
        lines = []
        for pts, t, s in zip(out.boxes, out.txts, out.scores):
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            lines.append(TextLine((int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys))), t, float(s)))
        return lines


class TesseractEngine:
    """Debian's `tesseract` with the chi_sim model, one process per call: crops are
    stacked into one strip so a page costs one call per kind of work."""

    name = "tesseract"
    _GAP = 24

    def __init__(self, threads: int = 0):
        exe = shutil.which("tesseract")
        if not exe:
            raise OcrError("tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-chi-sim)")
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True).stdout.split()
        if "chi_sim" not in langs:
            raise OcrError("tesseract has no chi_sim model (Debian: tesseract-ocr-chi-sim)")
        self.exe = exe
        self.threads = threads
        self.version = self.version_string()

    @staticmethod
    def version_string() -> str:
        exe = shutil.which("tesseract")
        if not exe:
            raise OcrError("tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-chi-sim)")
        first = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.splitlines()
        return f"{first[0].strip() if first else 'tesseract'}+nianbao-ocr.{PIPELINE_VERSION}"

    def _tsv(self, gray: np.ndarray, psm: int) -> list[dict]:
        ok, png = cv2.imencode(".png", gray)
        env = {"OMP_THREAD_LIMIT": str(self.threads or 1)}
        p = subprocess.run([self.exe, "stdin", "stdout", "-l", "chi_sim", "--psm", str(psm), "tsv"],
                           input=png.tobytes(), capture_output=True, env=env, timeout=300)
        if p.returncode:
            raise OcrError(f"tesseract failed: {p.stderr.decode('utf-8', 'replace').strip()[:200]}")
        rows = p.stdout.decode("utf-8", "replace").splitlines()
        out = []
        for r in rows[1:]:
            f = r.split("\t")
            if len(f) < 12 or f[0] != "5" or not f[11].strip():
                continue
            out.append(dict(block=int(f[2]), par=int(f[3]), line=int(f[4]), left=int(f[6]), top=int(f[7]),
                            width=int(f[8]), height=int(f[9]), conf=float(f[10]), text=f[11].strip()))
        return out

    @staticmethod
    def _join(words: list[dict]) -> str:
        words = sorted(words, key=lambda w: w["left"])
        return _CJK_SPACE.sub("", " ".join(w["text"] for w in words))

    def read_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        width = max(c.shape[1] for c in crops) + 2 * self._GAP
        bands, y = [], self._GAP
        for c in crops:
            bands.append((y, y + c.shape[0]))
            y += c.shape[0] + self._GAP
        strip = np.full((y, width), 255, np.uint8)
        for c, (a, b) in zip(crops, bands):
            strip[a:b, self._GAP:self._GAP + c.shape[1]] = c if c.ndim == 2 else cv2.cvtColor(c, cv2.COLOR_BGR2GRAY)
        words = self._tsv(strip, 6)
        got: list[list[dict]] = [[] for _ in crops]
        starts = [a for a, _ in bands]
        for w in words:
            cy = w["top"] + w["height"] / 2
            i = int(np.searchsorted(starts, cy, side="right")) - 1
            if 0 <= i < len(crops) and cy <= bands[i][1] + self._GAP / 2:
                got[i].append(w)
        return [(self._join(ws), (min(w["conf"] for w in ws) / 100) if ws else 0.0) for ws in got]

    def detect(self, gray: np.ndarray) -> list[TextLine]:
        groups: dict[tuple, list[dict]] = {}
        for w in self._tsv(gray, 3):
            groups.setdefault((w["block"], w["par"], w["line"]), []).append(w)
        out = []
        for ws in groups.values():
            x0 = min(w["left"] for w in ws)
            y0 = min(w["top"] for w in ws)
            x1 = max(w["left"] + w["width"] for w in ws)
            y1 = max(w["top"] + w["height"] for w in ws)
            out.append(TextLine((x0, y0, x1, y1), self._join(ws), sum(w["conf"] for w in ws) / len(ws) / 100))
        return out


_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u9fff\uff00-\uffef])")
ENGINES = {"rapidocr": RapidEngine, "tesseract": TesseractEngine}
DEFAULT_ENGINE = "rapidocr"


@lru_cache(maxsize=None)
def get_engine(name: str = DEFAULT_ENGINE, threads: int = 0):
    """The process's engine of that name (made on first use)."""
    try:
        return ENGINES[name](threads)
    except KeyError:
        raise OcrError(f"unknown OCR engine {name!r} (one of: {', '.join(ENGINES)})") from None
