"""Small self-contained SVG charts for the HTML eval report (no plotting dependency)."""

from __future__ import annotations

from html import escape

W, H, PAD = 420, 220, 36


def _frame(title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" aria-label="{escape(title)}">'
        f'<rect width="{W}" height="{H}" fill="#fff"/>'
        f'<text x="{W / 2}" y="16" text-anchor="middle" font-size="13" font-family="sans-serif">{escape(title)}</text>'
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="{H - PAD}" stroke="#444"/>'
        f'<line x1="{PAD}" y1="24" x2="{PAD}" y2="{H - PAD}" stroke="#444"/>{body}</svg>'
    )


def histogram(title: str, values: list[float], bins: int, low: float, high: float, label: str) -> str:
    counts = [0] * bins
    for v in values:
        i = int((v - low) / (high - low) * bins) if high > low else 0
        counts[min(max(i, 0), bins - 1)] += 1
    top = max(counts) or 1
    width = (W - PAD - 10) / bins
    bars = []
    for i, c in enumerate(counts):
        h = (H - PAD - 30) * c / top
        x = PAD + i * width
        bars.append(
            f'<rect x="{x + 1:.1f}" y="{H - PAD - h:.1f}" width="{width - 2:.1f}" height="{h:.1f}" fill="#4a7ab8">'
            f"<title>{low + i * (high - low) / bins:.3g}-{low + (i + 1) * (high - low) / bins:.3g}: {c}</title></rect>"
        )
    axis = (
        f'<text x="{PAD}" y="{H - PAD + 14}" font-size="10" font-family="sans-serif">{low:.3g}</text>'
        f'<text x="{W - 10}" y="{H - PAD + 14}" font-size="10" text-anchor="end" font-family="sans-serif">{high:.3g}</text>'
        f'<text x="{W / 2}" y="{H - 6}" font-size="11" text-anchor="middle" font-family="sans-serif">{escape(label)}</text>'
        f'<text x="{PAD - 4}" y="30" font-size="10" text-anchor="end" font-family="sans-serif">{top}</text>'
    )
    return _frame(title, "".join(bars) + axis)


def curves(title: str, xs: list[int], series: dict[str, list[float | None]]) -> str:
    colours = ["#4a7ab8", "#d07c2e", "#3c9a5f", "#9a3c8e"]
    span_x = (max(xs) - min(xs)) or 1
    parts = []

    def point(x: float, y: float) -> tuple[float, float]:
        return PAD + (x - min(xs)) / span_x * (W - PAD - 20), H - PAD - y * (H - PAD - 30)

    for n, (name, ys) in enumerate(series.items()):
        pts = [point(x, y) for x, y in zip(xs, ys) if y is not None]
        colour = colours[n % len(colours)]
        if pts:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in pts]
        parts.append(
            f'<text x="{W - 14}" y="{H - PAD - 10 - 14 * n}" font-size="11" text-anchor="end" fill="{colour}" '
            f'font-family="sans-serif">{escape(name)}</text>'
        )
    for x in xs:
        px, _ = point(x, 0)
        parts.append(f'<text x="{px:.1f}" y="{H - PAD + 14}" font-size="10" text-anchor="middle" font-family="sans-serif">{x}</text>')
    parts.append(f'<text x="{PAD - 4}" y="34" font-size="10" text-anchor="end" font-family="sans-serif">1.0</text>')
    parts.append(f'<text x="{W / 2}" y="{H - 6}" font-size="11" text-anchor="middle" font-family="sans-serif">k</text>')
    return _frame(title, "".join(parts))
