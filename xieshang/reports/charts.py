"""Simple charts drawn on the server as inline SVG (no JavaScript, no style attributes: CSP-safe).

`bar_chart` computes the geometry; the template `reports/_bar_chart.html` draws it with SVG
elements and attributes, coloured by CSS classes of app.css (`.chart .bar-a` …).
"""

from __future__ import annotations


def bar_chart(items, *, width: int = 400, label_width: int = 100, bar_height: int = 24, gap: int = 10) -> dict:
    """items: (label, value, css class, url or "", [full title]) tuples → the geometry of a horizontal
    bar chart. The full title (default: the label) is the bar's tooltip."""
    items = [tuple(item) + ((item[0],) if len(item) == 4 else ()) for item in items]
    largest = max((item[1] for item in items), default=0) or 1
    room = width - label_width - 56
    rows = []
    for index, (label, value, css, url, title) in enumerate(items):
        y = index * (bar_height + gap)
        bar = round(room * value / largest) if value else 0
        rows.append({
            "label": label, "title": title, "value": value, "css": css, "url": url,
            "y": y, "text_y": y + round(bar_height * 0.72), "width": max(bar, 1 if value else 0),
            "value_x": label_width + bar + 6,
        })
    return {
        "rows": rows, "width": width, "height": max(len(items) * (bar_height + gap) - gap, 1),
        "label_width": label_width, "label_x": label_width - 8, "bar_height": bar_height,
    }


def meter_class(rate: float | None) -> str:
    """A CSS class for a rate shown as a bar: w-0, w-5 … w-100 (steps of 5 %)."""
    if rate is None:
        return "w-0"
    step = int(round(max(0.0, min(1.0, rate)) * 20)) * 5
    return f"w-{step}"
