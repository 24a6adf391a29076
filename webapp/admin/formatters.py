"""Cells that show stored data or code as it is, not as dashboard words.

An audit entry's before/after, a message's buttons, a key or an action name are the same
in both languages: they are shown verbatim, inside `<code>`/`<pre>` or an element marked
`data-verbatim` — the markup `tests/i18n/test_dashboard_languages.py` does not read, so
every other word of a page must be in the admin's language.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup


def code(value: Any) -> Markup:
    """A key, an action or a name of code, as `<code>` (empty for None)."""
    if value is None or value == "":
        return Markup("")
    return Markup("<code>{}</code>").format(value)


def json_block(value: Any) -> Markup:
    """Stored JSON, pretty-printed in a `<pre>` (empty for None)."""
    if value is None:
        return Markup("")
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    return Markup('<pre class="mb-0 small">{}</pre>').format(text)


def verbatim(value: Any) -> Markup:
    """Text as someone wrote it (a message, an answer), in its own language."""
    if value is None or value == "":
        return Markup("")
    return Markup("<span data-verbatim>{}</span>").format(value)


def code_column(_view: Any, _context: Any, model: Any, name: str) -> Markup:
    """Flask-Admin column formatter: `code()` of the column's value."""
    return code(getattr(model, name))


def json_column(_view: Any, _context: Any, model: Any, name: str) -> Markup:
    """Flask-Admin column formatter: `json_block()` of the column's value."""
    return json_block(getattr(model, name))
