"""The look every linesim HTML page shares (run, comparison and fit reports): one style
sheet. Plain text, no imports, so any page may use it; the markup that wears it (the page
shell, the ``.wide`` box a wide table scrolls in) is in ``templates/_page.html.j2`` and
``templates/_macros.html.j2``."""

from __future__ import annotations

__all__ = ["PAGE_CSS"]

PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;
max-width:1180px;margin:2em auto;padding:0 1em;line-height:1.4}
h1{margin-bottom:.1em}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.sub{color:#555;margin-top:0}
.wide{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{padding:.3em .7em;border-bottom:1px solid #e4e4e4;text-align:right}
th{background:#f4f4f4}th:first-child,td:first-child{text-align:left}
td.text{text-align:left}
.partial{background:#fde8e8;border:2px solid #b00020;color:#7a0016;padding:.7em 1em;margin:1em 0}
figure{margin:1.2em 0}figure img{width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
footer{margin-top:2em;color:#777;font-size:.85em}
"""
"""The look every linesim report shares (run, comparison, fit); each page adds its own rules.
Pages are at most 1,180 px wide; a table wider than that scrolls inside its ``.wide``
box."""
