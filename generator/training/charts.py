"""Charts of the training report as static inline SVG: no script, nothing loaded, every label
escaped."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR_COLOUR, BACK_COLOUR, LINE_COLOUR = "#2e7d32", "#e0e0e0", "#1565c0"


def bar_chart(title: str, rows: list[tuple[str, float, str]]) -> Markup:
    """Horizontal bars, one per (label, share 0–1, value text)."""
    width, label_w, bar_w, row_h = 720, 220, 380, 26
    height = 10 + row_h * len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="chart"><title>{escape(title)}</title>']
    for i, (label, share, text) in enumerate(rows):
        y = 5 + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="13">{escape(label[:24])}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="16" fill="{BACK_COLOUR}"/>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{round(bar_w * share, 1)}" height="16" fill="{BAR_COLOUR}"/>'
                     f'<text x="{label_w + bar_w + 8}" y="{y + 15}" font-size="13">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(title: str, points: list[tuple[str, float]]) -> Markup:
    """Share 0–1 over time, one point per (label, share)."""
    width, height, left, top, plot_w, plot_h = 720, 260, 50, 20, 640, 190
    step = plot_w / max(len(points) - 1, 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="chart"><title>{escape(title)}</title>']
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        parts.append(f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="{BACK_COLOUR}"/>'
                     f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" font-size="11">{pct}%</text>')
    coords = [(round(left + i * step, 1), round(top + plot_h * (1 - share), 1)) for i, (_, share) in enumerate(points)]
    if coords:
        parts.append(f'<polyline fill="none" stroke="{LINE_COLOUR}" stroke-width="2" '
                     f'points="{" ".join(f"{x},{y}" for x, y in coords)}"/>')
    for (x, y), (label, share) in zip(coords, points):
        parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{LINE_COLOUR}"/>'
                     f'<text x="{x}" y="{top + plot_h + 18}" text-anchor="middle" font-size="11">{escape(label)}</text>'
                     f'<text x="{x}" y="{y - 8}" text-anchor="middle" font-size="10">{share:.0%}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
