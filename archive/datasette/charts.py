"""Inline SVG bar charts: no scripts, no CDN, readable offline and in a screenshot.

Pure functions from numbers to SVG markup; every label is escaped here.
"""
from __future__ import annotations

from html import escape

PALETTE = ["#2b6cb0", "#38a169", "#d69e2e", "#e53e3e", "#805ad5", "#718096", "#dd6b20", "#319795"]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.1f}"


def stacked_bars(categories: list[str], series: list[tuple[str, list[float | None]]],
                 title: str, width: int = 720, height: int = 300) -> str:
    """Vertical bars, one per category, stacked by series; a legend below."""
    left, right, top, bottom = 70, 10, 30, 40
    legend_rows = (len(series) + 2) // 3 if len(series) > 1 else 0
    total_h = height + legend_rows * 20
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum((s[1][i] or 0) for s in series) for i in range(len(categories))]
    vmax = _nice_max(max(totals, default=0))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="nianbao-chart" role="img" '
           f'width="{width}" height="{total_h}" viewBox="0 0 {width} {total_h}" '
           f'font-family="sans-serif" font-size="12">',
           f'<title>{escape(title)}</title>',
           f'<text x="{left}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>']
    for k in range(5):
        v = vmax * k / 4
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e2e8f0"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4a5568">{_fmt(v)}</text>')
    n = max(len(categories), 1)
    slot = plot_w / n
    bar_w = min(60.0, slot * 0.7)
    for i, cat in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        for j, (name, values) in enumerate(series):
            v = values[i] or 0
            if v <= 0:
                continue
            h = plot_h * v / vmax
            y -= h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                       f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(str(cat))} · '
                       f'{escape(name)}: {_fmt(v)}</title></rect>')
        if totals[i]:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                       f'fill="#2d3748">{_fmt(totals[i])}</text>')
        out.append(f'<text x="{left + slot * i + slot / 2:.1f}" y="{top + plot_h + 18}" '
                   f'text-anchor="middle">{escape(str(cat))}</text>')
    if len(series) > 1:
        for j, (name, _) in enumerate(series):
            lx = left + (j % 3) * (plot_w / 3)
            ly = height + (j // 3) * 20
            out.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" '
                       f'fill="{PALETTE[j % len(PALETTE)]}"/>')
            out.append(f'<text x="{lx + 18:.1f}" y="{ly}">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)
