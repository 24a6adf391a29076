"""Statements, hints and solutions as safe HTML: LaTeX math as MathML, a small Markdown.

* Math between `$…$` (inline) and `$$…$$` (display) becomes MathML on the server
  (latex2mathml): the phone renders MathML natively, so no math JavaScript ships and the
  Content-Security-Policy stays strict. `\\$` is a literal dollar; dollars inside a code span
  are not math.
* The rest is Markdown with only emphasis (`*em*`, `**strong**`), lists, code spans and code
  blocks, and line breaks (markdown-it-py's "zero" preset with those rules on: no raw HTML,
  no links, no images, no headings).
* Everything — the Markdown's HTML and the MathML (latex2mathml copies `\\text{…}` verbatim,
  tags included) — then passes nh3 (the Ammonia sanitiser) with an allowlist of exactly
  those tags and the MathML elements and attributes, so no script, handler or style survives
  whatever the author typed.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markupsafe import Markup

TEXT_TAGS = {"p", "em", "strong", "ul", "ol", "li", "code", "pre", "br"}
MATH_TAGS = {
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
}
MATH_ATTRIBUTES = {
    "math": {"display", "xmlns"},
    "mo": {
        "stretchy",
        "fence",
        "separator",
        "form",
        "lspace",
        "rspace",
        "largeop",
        "movablelimits",
    },
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant"},
    "mi": {"mathvariant"},
    "mn": {"mathvariant"},
    "mtext": {"mathvariant"},
    "mspace": {"width", "height", "depth"},
    "mfrac": {"linethickness"},
    "menclose": {"notation"},
    "mtable": {"columnalign", "rowspacing", "columnspacing"},
    "mtd": {"columnalign"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "annotation": {"encoding"},
    "ol": {"start"},
}

# A code span (left alone), display math, inline math. `\$` is never a delimiter.
_SEGMENTS = re.compile(
    r"(?P<code>(`+)(?:.|\n)*?(?<!`)\2(?!`))"
    r"|(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$"
    r"|(?<!\\)\$(?P<inline>[^\s$](?:[^$\n]*?[^\s\\$])?)\$",
    re.S,
)
_PLACEHOLDER = "\ue000{}\ue001"
_PLACEHOLDERS = re.compile("\ue000(\\d+)\ue001")
_PRIVATE = re.compile("[\ue000\ue001]")

_markdown = MarkdownIt("zero").enable(
    ["emphasis", "list", "backticks", "fence", "code", "newline", "escape"]
)


class MathError(ValueError):
    """A `$…$` segment that is not LaTeX latex2mathml understands."""

    def __init__(self, latex: str) -> None:
        super().__init__(latex)
        self.latex = latex


def _math(latex: str, display: bool) -> str:
    try:
        return latex_to_mathml(latex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many kinds on bad input
        raise MathError(latex) from exc


def _split(text: str) -> tuple[str, list[str]]:
    """The text with each math segment replaced by a placeholder, and the MathML of each."""
    formulas: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match["code"] is not None:
            return match[0]
        display = match["display"] is not None
        formulas.append(_math(match["display"] if display else match["inline"], display))
        return _PLACEHOLDER.format(len(formulas) - 1)

    return _SEGMENTS.sub(replace, _PRIVATE.sub("", text)), formulas


def check_math(text: str) -> str | None:
    """The first math segment of `text` that does not convert, or None when all do."""
    try:
        _split(text)
    except MathError as exc:
        return exc.latex
    return None


@lru_cache(maxsize=2048)
def render(text: str | None) -> Markup:
    """Safe HTML for a statement, a hint or a solution (empty for None)."""
    if not text:
        return Markup("")
    try:
        source, formulas = _split(text)
    except MathError:  # stored before the check existed: show it as text, never fail a page
        source, formulas = _PRIVATE.sub("", text), []
    html = _markdown.render(source)
    html = _PLACEHOLDERS.sub(lambda m: formulas[int(m[1])], html)
    cleaned = nh3.clean(
        html,
        tags=TEXT_TAGS | MATH_TAGS,
        attributes=MATH_ATTRIBUTES,
        url_schemes=set(),
        link_rel=None,
    )
    return Markup(cleaned)  # nh3 has just sanitised it
