"""The dashboard's charts as inline SVG, drawn on the server: data in, an SVG string out. No script, no chart
library, no CDN (the pages' CSP runs scripts from the app's own files only, and needs none for a chart).

Every text that goes in is escaped. Each bar or point carries a <title> with its exact value (a browser shows it
on hover, a screen reader reads it), and the drawing as a whole is role="img" with its own <title>; the page puts
the same numbers in a table beside it. Colours come from CSS classes (bar-<series key>), so the stylesheet, not
this module, decides them; a series never differs by colour alone: the legend names it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 360, 160
LEFT, RIGHT, TOP, BOTTOM = 36, 4, 22, 18  # the plot's margins: y labels, legend above, x labels below


@dataclass(frozen=True)
class Series:
    """One row of values: key names its CSS class (bar-<key>), label its legend entry."""

    key: str
    label: str
    values: Sequence[float | int | None]


def nice_ceiling(value: float) -> float:
    """The y axis's top: the smallest 2, 4, 6, 8 or 10 × 10^n at or above value, at least 2, so that the middle
    grid line of a count falls on a whole number."""
    if value <= 2:
        return 2
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (2, 4, 6, 8, 10) if value <= step * power)


def _number(value: float | int | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _coord(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


class _Plot:
    """The box the values are drawn in and the mapping of a value to a height in it."""

    def __init__(self, top_value: float, width: int = WIDTH, height: int = HEIGHT):
        self.width, self.height, self.top_value = width, height, top_value
        self.x0, self.x1 = LEFT, width - RIGHT
        self.y0, self.y1 = height - BOTTOM, TOP  # y grows downwards: y0 is the base line

    def y(self, value: float) -> float:
        return self.y0 - (self.y0 - self.y1) * max(value, 0) / self.top_value

    def grid(self, unit: str) -> list[str]:
        """Three grid lines (0, half, top) with their labels on the left."""
        out = []
        for value in (0, self.top_value / 2, self.top_value):
            y = _coord(self.y(value))
            label = escape(f"{value:g}{unit}")
            out.append(f'<line class="grid-line" x1="{self.x0}" x2="{self.x1}" y1="{y}" y2="{y}"/>'
                       f'<text class="axis" x="{self.x0 - 4}" y="{y}" text-anchor="end" '
                       f'dominant-baseline="middle">{label}</text>')
        return out

    def x_labels(self, categories: Sequence[str], centre: Callable[[int], float], every: int) -> list[str]:
        return [f'<text class="axis" x="{_coord(centre(i))}" y="{self.height - 6}" text-anchor="middle">'
                f'{escape(name)}</text>' for i, name in enumerate(categories) if i % every == 0]


def _legend(series: Sequence[Series], x0: int) -> list[str]:
    out, x = [], x0
    for s in series:
        out.append(f'<rect class="bar-{escape(s.key)}" x="{x}" y="4" width="10" height="10"/>'
                   f'<text class="legend" x="{x + 14}" y="13">{escape(s.label)}</text>')
        x += 22 + 7 * len(s.label)
    return out


def _svg(chart_id: str, title: str, parts: list[str], width: int = WIDTH, height: int = HEIGHT) -> Markup:
    safe_id = escape(chart_id)
    return Markup(f'<svg id="{safe_id}" class="chart" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-labelledby="{safe_id}-title" xmlns="http://www.w3.org/2000/svg">'
                  f'<title id="{safe_id}-title">{escape(title)}</title>{"".join(parts)}</svg>')


def bar_chart(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series], *,
              unit: str = "", label_every: int = 1, marks: Sequence[str | None] = (),
              mark_words: dict[str, str] | None = None) -> Markup:
    """Bars side by side per category, one per series. marks[i] (optional) adds a CSS class to category i's
    bars (for example "past"), and mark_words[mark] the word said in their titles."""
    values = [v for s in series for v in s.values if v is not None]
    plot = _Plot(nice_ceiling(max(values, default=0)))
    slot = (plot.x1 - plot.x0) / max(len(categories), 1)
    bar = max(slot * 0.8 / max(len(series), 1), 1.0)

    def centre(i: int) -> float:
        return plot.x0 + slot * (i + 0.5)

    parts = plot.grid(unit)
    for i, name in enumerate(categories):
        mark = marks[i] if i < len(marks) else None
        said = f" ({mark_words[mark]})" if mark and mark_words and mark in mark_words else ""
        left = centre(i) - bar * len(series) / 2
        for n, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else None
            if not value:
                continue
            y = plot.y(value)
            css = f"bar bar-{escape(s.key)}" + (f" {escape(mark)}" if mark else "")
            parts.append(f'<rect class="{css}" x="{_coord(left + n * bar)}" y="{_coord(y)}" '
                         f'width="{_coord(bar)}" height="{_coord(plot.y0 - y)}">'
                         f'<title>{escape(name)}: {escape(s.label)} {escape(_number(value))}{escape(unit)}'
                         f'{escape(said)}</title></rect>')
    parts.append(f'<line class="base-line" x1="{plot.x0}" x2="{plot.x1}" y1="{plot.y0}" y2="{plot.y0}"/>')
    parts += plot.x_labels(categories, centre, label_every)
    parts += _legend(series, plot.x0)
    return _svg(chart_id, title, parts)


def line_chart(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series], *,
               unit: str = "", top: float | None = None, label_every: int = 1) -> Markup:
    """A line with a dot per value, per series; a missing value (None) breaks the line. `top`: the y axis's
    top (100 for a percentage), else the values' nice ceiling."""
    values = [v for s in series for v in s.values if v is not None]
    plot = _Plot(top or nice_ceiling(max(values, default=0)))
    step = (plot.x1 - plot.x0) / max(len(categories), 1)

    def centre(i: int) -> float:
        return plot.x0 + step * (i + 0.5)

    parts, dots = plot.grid(unit), []
    for s in series:
        runs: list[list[str]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            x, y = _coord(centre(i)), _coord(plot.y(value))
            runs[-1].append(f"{x},{y}")
            dots.append(f'<circle class="dot bar-{escape(s.key)}" cx="{x}" cy="{y}" r="3.5">'
                        f'<title>{escape(categories[i])}: {escape(s.label)} {escape(_number(value))}'
                        f'{escape(unit)}</title></circle>')
        parts += [f'<polyline class="line line-{escape(s.key)}" points="{" ".join(run)}"/>'
                  for run in runs if len(run) > 1]
    parts += dots  # over the lines, so each dot's title can be pointed at
    parts.append(f'<line class="base-line" x1="{plot.x0}" x2="{plot.x1}" y1="{plot.y0}" y2="{plot.y0}"/>')
    parts += plot.x_labels(categories, centre, label_every)
    parts += _legend(series, plot.x0)
    return _svg(chart_id, title, parts)
