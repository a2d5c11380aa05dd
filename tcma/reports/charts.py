"""Chart data: JSON for Chart.js in the browser, inline SVG drawn here for the PDF (no JS there)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

from tcma.reports import rules
from tcma.reports.dashboard import Dashboard
from tcma.reports.kit_queries import KitVersionUse
from tcma.reports.rankings import Ranked

ACCENT, SECOND, THIRD, INK = "#2f5bd3", "#13a89e", "#d98a1c", "#1d2433"


def _series(
    label: str, data: Sequence[int | Decimal], kind: str = "bar", axis: str = "count"
) -> dict:
    return {"label": label, "data": [float(value) for value in data], "kind": kind, "axis": axis}


def funnel_chart(board: Dashboard) -> dict:
    """The funnel as horizontal bars."""
    steps = board.funnel
    return {
        "horizontal": True,
        "labels": [label for label, _, _ in steps],
        "series": [_series("Count", [count for _, count, _ in steps])],
    }


def trend_chart(board: Dashboard) -> dict:
    """Leads and opportunities (bars) with won revenue and MDF paid (lines) by month."""
    months = board.months
    return {
        "labels": [rules.month_name(m.month) for m in months],
        "currency": board.flt.currency,
        "series": [
            _series("Leads", [m.leads for m in months]),
            _series("Opportunities", [m.opportunities for m in months]),
            _series("Won revenue", [m.won_revenue for m in months], "line", "money"),
            _series("MDF paid", [m.mdf_paid for m in months], "line", "money"),
        ],
    }


def ranking_chart(rows: list[Ranked], currency: str | None) -> dict:
    """Open pipeline and won revenue of the top rows, as horizontal bars."""
    top = sorted(rows, key=lambda row: row.pipeline_rank)[:10]
    return {
        "horizontal": True,
        "currency": currency,
        "labels": [row.name for row in top],
        "series": [
            _series("Open pipeline", [row.open_pipeline for row in top], axis="money"),
            _series("Won revenue", [row.won_revenue for row in top], axis="money"),
        ],
    }


def kit_use_chart(rows: list[KitVersionUse]) -> dict:
    """Downloads, launches and leads per kit version."""
    return {
        "horizontal": True,
        "labels": [row.label for row in rows],
        "series": [
            _series("Downloads", [row.downloads for row in rows]),
            _series("Launches", [row.launches for row in rows]),
            _series("Leads", [row.leads for row in rows]),
        ],
    }


# --- SVG for the PDF -----------------------------------------------------------------------


def _text(
    x: float, y: float, text: str, size: float = 9, anchor: str = "start", fill: str = INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}">{escape(text)}</text>'
    )


def svg_bars(title: str, rows: list[tuple[str, float, str]], width: int = 340) -> Markup:
    """Horizontal bars: (label, value, value as text) per row."""
    row_height, label_width, top = 18, 110, 18
    height = top + row_height * max(len(rows), 1) + 4
    biggest = max((value for _, value, _ in rows), default=0) or 1
    room = width - label_width - 70
    parts = [_text(0, 11, title, 10)]
    for index, (label, value, shown) in enumerate(rows):
        y = top + index * row_height
        bar = max(room * value / biggest, 1 if value else 0)
        parts.append(_text(0, y + 12, label[:22]))
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{bar:.1f}" height="11" fill="{ACCENT}"/>'
        )
        parts.append(_text(label_width + bar + 4, y + 12, shown, 8.5))
    return _svg(title, width, height, parts)


def svg_trend(
    title: str,
    labels: list[str],
    bars: list[float],
    line: list[float],
    legend: tuple[str, str],
    width: int = 520,
    height: int = 170,
) -> Markup:
    """Monthly bars (left scale) with a line (right scale)."""
    left, right, top, bottom = 34, 40, 22, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(labels), 1)
    step = plot_w / count
    bar_max, line_max = max(bars, default=0) or 1, max(line, default=0) or 1
    parts = [
        _text(0, 11, title, 10),
        f'<rect x="{width - 210}" y="3" width="9" height="9" fill="{ACCENT}"/>',
        _text(width - 198, 11, legend[0], 8.5),
        f'<rect x="{width - 110}" y="7" width="12" height="2" fill="{THIRD}"/>',
        _text(width - 95, 11, legend[1], 8.5),
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="#9aa3b5" stroke-width="0.6"/>',
        _text(left - 4, top + 8, _short(bar_max), 7.5, "end"),
        _text(left + plot_w + 4, top + 8, _short(line_max), 7.5, "start", THIRD),
    ]
    points = []
    for index, label in enumerate(labels):
        x = left + index * step
        value = bars[index] if index < len(bars) else 0
        bar_h = plot_h * value / bar_max
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{bar_h:.1f}" fill="{ACCENT}"/>'
        )
        if count <= 12 or index % max(count // 12, 1) == 0:
            parts.append(_text(x + step / 2, top + plot_h + 11, label, 7, "middle"))
        line_value = line[index] if index < len(line) else 0
        points.append(f"{x + step / 2:.1f},{top + plot_h - plot_h * line_value / line_max:.1f}")
    if points:
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{THIRD}" '
            f'stroke-width="1.6"/>'
        )
    return _svg(title, width, height, parts)


def _short(value: float) -> str:
    for limit, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:.0f}"


def _svg(title: str, width: int, height: int, parts: list[str]) -> Markup:
    body = "".join(parts)
    return Markup(  # noqa: S704 - every text in parts went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        # <title> too: WeasyPrint takes a tagged PDF figure's alternative text from it.
        f'font-family="Helvetica, Arial, sans-serif"><title>{escape(title)}</title>{body}</svg>'
    )
