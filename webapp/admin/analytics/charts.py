"""Draw a chart as SVG on the server with pygal: no chart JavaScript reaches the browser.

pygal always writes a `<script>` (its tooltips' configuration) into the SVG, and links its
tooltip script from a CDN unless `js=[]`. Both are removed: `js=[]`, and the inline script
is cut out of the document. The dashboard shows the SVG as an `<img>` (an image never runs
script) and serves it with a policy that allows only its own inline styles.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from webapp.admin.analytics.services import Chart

# pygal appends a finder for its map plugins to `sys.meta_path` that has only the legacy
# `find_module`: every later import that reaches it (any module not found elsewhere) then
# warns (ImportWarning, an error under the tests' warning filters). No map plugin is used.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
_SCRIPT = re.compile(rb"<script\b.*?</script>", re.S)
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#999",
    colors=("#0d6efd", "#198754", "#dc3545", "#fd7e14"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    title_font_size=20,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
)


def render_svg(chart: Chart) -> bytes:
    """The chart as a standalone SVG document, without any script."""
    days = len(chart.days)
    graph: Any = pygal.Bar if days <= 7 else pygal.Line
    drawing = graph(
        js=[],
        style=STYLE,
        width=900,
        height=420,
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(3, len(chart.lines)),
        x_label_rotation=0,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, days // 6),
        truncate_label=-1,
        show_dots=days <= 30,
        fill=False,
        min_scale=1,
        include_x_axis=True,
        no_data_text=_("No data"),
        value_formatter=(lambda v: f"{v:,.2f}") if chart.unit else (lambda v: f"{v:,.0f}"),
    )
    if not chart.unit:  # counts: whole-number ticks only (pygal would draw 0.2, 0.4, …)
        top = int(max((max(line.values, default=0) for line in chart.lines), default=0))
        step = max(1, math.ceil(top / 5))
        drawing.y_labels = list(range(0, max(top, 1) + step, step))
    drawing.title = str(chart.title)
    drawing.x_labels = [day.strftime("%d.%m") for day in chart.days]
    for line in chart.lines:
        drawing.add(str(line.label), line.values)
    return _SCRIPT.sub(b"", drawing.render())
