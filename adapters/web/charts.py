"""Server-rendered SVG charts (pygal) for the overview: no script, nothing fetched from elsewhere."""

from __future__ import annotations

import functools
import re
import sys

import pygal
from pygal.style import Style

# pygal appends a legacy import hook for its map plugins (unused here) to sys.meta_path; on Python 3.11 it makes
# every later failed import in the process warn (ImportWarning), so it is taken out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#666",
    colors=("#1f5fa8",),
    font_family="system-ui, sans-serif",
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)  # pygal's inline config: not needed to show it


def bar_chart(title: str, counts: dict[str, int]) -> str:
    """A horizontal bar chart as an inline <svg> element (the page names it and shows a table of the same counts).
    Pygal takes tens of milliseconds to draw one, so the same counts are drawn once (they change slowly)."""
    return draw(title, tuple(counts.items()))


@functools.lru_cache(maxsize=64)
def draw(title: str, counts: tuple[tuple[str, int], ...]) -> str:
    chart = pygal.HorizontalBar(
        style=_STYLE,
        js=[],  # pygal links a script from the web by default; the desk serves no outside content
        disable_xml_declaration=True,
        show_legend=False,
        width=360,
        height=max(120, 40 + 28 * len(counts)),
        print_values=True,
        margin=8,
    )
    chart.x_labels = [label for label, _ in counts]
    chart.add(title, [n for _, n in counts])
    top = max((n for _, n in counts), default=0)
    chart.y_labels = list(range(0, top + 1, max(1, -(-top // 5))))  # whole numbers: these are counts
    svg: str = chart.render(is_unicode=True)
    return _SCRIPT.sub("", svg)
