"""Small SVG bar charts drawn on the server: no script, readable printed, a table beside each.

Hand-written because no charting library fits the pages' strict Content-Security-Policy
(``core/http/headers.py``: ``style-src 'self'``, and no inline script but GOV.UK's one, with a
nonce). pygal installs and draws on the server, but every SVG it renders carries an inline
``<style>`` element and an inline ``<script>`` (its config), and by default loads its tooltips
script from another site; even with ``js=[]`` the inline ``<style>`` and ``<script>`` remain,
and it has no way to put a nonce on them, so the policy would block them (and the test that
pages hold no inline style would fail). Altair and Plotly draw in the browser with script (or
need a headless renderer); Matplotlib took 260–510 ms to draw one six-bar chart here (0.3 ms
for this module's) and its SVG carries no title or description for screen readers. A chart here is a few rectangles and labels;
the figures themselves are always in the table under it.
"""
from __future__ import annotations

from dataclasses import dataclass
from textwrap import wrap

from markupsafe import Markup, escape

# GOV.UK colours with at least 3:1 contrast on white (WCAG 1.4.11).
COLOURS = ("#1d70b8", "#00703c", "#003078", "#4c2c92")
FONT = 'font-family="GDS Transport, arial, sans-serif"'
TEXT = "#0b0c0c"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


def _number(value) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _svg(chart_id: str, title: str, description: str, width: int, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="concord-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(body) + "</svg>"
    )


def _legend(series: list[Series], x: int, y: int) -> list[str]:
    out = []
    for i, s in enumerate(series):
        out.append(f'<rect x="{x}" y="{y - 11}" width="14" height="14" fill="{COLOURS[i % len(COLOURS)]}"/>'
                   f'<text x="{x + 20}" y="{y}" {FONT} font-size="14" fill="{TEXT}">{escape(s.name)}</text>')
        x += 40 + 8 * len(s.name)
    return out


def bars(chart_id: str, title: str, labels: list[str], series: list[Series], unit: str = "") -> Markup:
    """Horizontal bars, one group per label, one bar per series."""
    label_width, bar_area, bar_height, gap = 300, 380, 18, 12
    top = 30 if len(series) > 1 else 8
    peak = max((v for s in series for v in s.values if v is not None), default=0) or 1
    body, y = [], top
    if len(series) > 1:
        body += _legend(series, label_width, 16)
    for i, label in enumerate(labels):
        lines = wrap(label, 40) or [""]
        group = max(len(series) * bar_height, 18 * len(lines))
        for n, line in enumerate(lines):
            body.append(f'<text x="{label_width - 8}" y="{y + 14 + 18 * n}" text-anchor="end" {FONT} '
                        f'font-size="14" fill="{TEXT}">{escape(line)}</text>')
        for j, s in enumerate(series):
            value = s.values[i]
            length = 0 if value is None else max(1, round(bar_area * value / peak)) if value else 0
            by = y + j * bar_height
            body.append(f'<rect x="{label_width}" y="{by + 2}" width="{length}" height="{bar_height - 4}" '
                        f'fill="{COLOURS[j % len(COLOURS)]}"/>')
            body.append(f'<text x="{label_width + length + 6}" y="{by + 14}" {FONT} font-size="13" '
                        f'fill="{TEXT}">{_number(value)}{unit}</text>')
        y += group + gap
    description = "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {_number(s.values[i])}{unit}" for s in series)
        for i, label in enumerate(labels)
    ) or "No data for this period."
    return _svg(chart_id, title, description, label_width + bar_area + 80, max(y, 30), body)


def columns(chart_id: str, title: str, labels: list[str], series: list[Series]) -> Markup:
    """Vertical columns over time (e.g. months), one column per series in each slot."""
    left, height, bottom, top = 40, 180, 40, 34
    slot = max(24, 14 * len(series) + 10)
    width = left + slot * max(len(labels), 1) + 20
    peak = max((v for s in series for v in s.values if v is not None), default=0) or 1
    body = _legend(series, left, 16)
    base = top + height
    body.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{TEXT}"/>')
    body.append(f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" {FONT} font-size="12" fill="{TEXT}">{_number(peak)}</text>')
    body.append(f'<text x="{left - 6}" y="{base}" text-anchor="end" {FONT} font-size="12" fill="{TEXT}">0</text>')
    bar = (slot - 10) // max(len(series), 1)
    for i, label in enumerate(labels):
        x = left + i * slot + 5
        for j, s in enumerate(series):
            value = s.values[i] or 0
            h = round(height * value / peak)
            body.append(f'<rect x="{x + j * bar}" y="{base - h}" width="{bar - 1}" height="{h}" '
                        f'fill="{COLOURS[j % len(COLOURS)]}"/>')
        body.append(f'<text x="{x + (slot - 10) / 2}" y="{base + 16}" text-anchor="middle" {FONT} font-size="11" '
                    f'fill="{TEXT}">{escape(label)}</text>')
    description = "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {_number(s.values[i])}" for s in series) for i, label in enumerate(labels)
    ) or "No data for this period."
    return _svg(chart_id, title, description, width, base + bottom, body)
