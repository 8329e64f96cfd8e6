"""Images as OCR wants them: decoded, seal-free, flat background, upright.

Scans and photographed pages arrive grey or yellowed, rotated a few degrees, with JPEG
noise and a red seal stamped over the signature. Each step here removes one of those:
red ink is whitened (black text under a seal stays: it is dark, not red), the paper's
shade is divided out, and the page is turned upright by the angle at which its rows of
ink line up best (projection profile).
"""
from __future__ import annotations

import io

import cv2
import numpy as np

MIN_WIDTH = 1400        # pixels: smaller images (web images of tables) are scaled up
MAX_SCALE = 3.0
MAX_SKEW = 5.0          # degrees searched either way


def decode(data: bytes) -> np.ndarray:
    """BGR pixels of an image file (PNG, JPEG, GIF, BMP, WebP, TIFF)."""
    arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if arr is not None:
        return arr
    from PIL import Image          # GIF and the formats OpenCV does not read
    with Image.open(io.BytesIO(data)) as im:
        return cv2.cvtColor(np.asarray(im.convert("RGB")), cv2.COLOR_RGB2BGR)


def scaled(bgr: np.ndarray) -> np.ndarray:
    """Small images scaled up so that text is large enough to read."""
    w = bgr.shape[1]
    if w >= MIN_WIDTH:
        return bgr
    f = min(MAX_SCALE, MIN_WIDTH / w)
    return cv2.resize(bgr, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)


def without_seal(bgr: np.ndarray) -> np.ndarray:
    """Grey image with red ink (seals, red headers) turned white."""
    hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    red = ((h < 12) | (h > 160)) & (s > 60) & (v > 90)
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    gray[red] = 255
    return gray


def flat(gray: np.ndarray) -> np.ndarray:
    """The paper's shade divided out: white background, dark ink, whatever the paper."""
    k = max(15, (min(gray.shape) // 40) | 1)
    bg = cv2.dilate(gray, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.medianBlur(bg, 21)
    out = cv2.divide(gray, bg, scale=255)
    return out


INK_LEVEL = 200         # on a flattened page: thin grey rules (anti-aliased 0.5 pt) are ink too


def ink(gray: np.ndarray) -> np.ndarray:
    """Binary mask of ink (255) on a flattened grey image (no smoothing: it would erase a
    rule one pixel wide; JPEG speckle is too small to count as a rule or a cell's text)."""
    _, b = cv2.threshold(gray, INK_LEVEL, 255, cv2.THRESH_BINARY_INV)
    return b


def skew_angle(binary: np.ndarray) -> float:
    """Degrees the page is turned (counter-clockwise positive): the angle at which the
    rows of ink are sharpest."""
    f = 800 / binary.shape[1] if binary.shape[1] > 800 else 1.0
    small = cv2.resize(binary, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f != 1.0 else binary
    h, w = small.shape
    centre = (w / 2, h / 2)

    def sharpness(a: float) -> float:
        m = cv2.getRotationMatrix2D(centre, a, 1.0)
        r = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
        prof = r.sum(axis=1, dtype=np.float64)
        return float(np.var(prof))

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-6, 0.5), key=sharpness)
    fine = max(np.arange(coarse - 0.5, coarse + 0.5 + 1e-6, 0.1), key=sharpness)
    return round(float(fine), 2)


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """The image turned by `angle` degrees, the corners filled white."""
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def prepare(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(clean grey image, its ink mask, the skew corrected) of a page or picture."""
    gray = flat(without_seal(scaled(bgr)))
    angle = skew_angle(ink(gray))
    gray = rotate(gray, angle)
    return gray, ink(gray), angle
