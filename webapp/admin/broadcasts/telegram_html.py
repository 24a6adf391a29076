"""Check a message's HTML the way Telegram's `parse_mode=HTML` would read it.

Telegram refuses a whole message whose markup it cannot parse ("can't parse entities"), so
a broadcast with a stray `<` would fail for every recipient. `problems(text)` lists what
Telegram would refuse, before anything is queued:

* only its tags: `b strong i em u ins s strike del span tg-spoiler a tg-emoji code pre
  blockquote`, each with only the attributes Telegram reads (`a href`, `span
  class="tg-spoiler"`, `tg-emoji emoji-id`, `code class="language-…"`, `blockquote
  expandable`); every tag closed, in order; no markup inside `code` or `pre` (but `pre`'s
  one `code`);
* `<`, `>` and `&` that are not markup written as `&lt;`, `&gt;`, `&amp;` (the named entities
  Telegram knows are these and `&quot;`; numeric ones are fine);
* at most 4096 characters of text once the markup is gone, and not empty.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from flask_babel import gettext as _

MAX_LENGTH = 4096
PLAIN_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler"})
TAGS = PLAIN_TAGS | {"span", "a", "tg-emoji", "code", "pre", "blockquote"}
LINK_SCHEMES = ("http://", "https://", "tg://")
_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
_LANGUAGE = re.compile(r"language-[A-Za-z0-9_+#.-]{1,32}")


def _less_greater() -> str:
    return _("Write < and > that are not tags as &lt; and &gt;.")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def _error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = (self.get_starttag_text() or "").lower()
        if tag not in TAGS or not raw.startswith("<" + tag):
            self._error(_("Telegram does not know the tag <%(tag)s>.", tag=tag))
            return
        if (
            self.open
            and self.open[-1] in ("code", "pre")
            and (self.open[-1], tag)
            != (
                "pre",
                "code",
            )
        ):
            self._error(_("No tags inside <%(tag)s>.", tag=self.open[-1]))
        if tag == "a" and "a" in self.open:
            self._error(_("A link cannot hold another link."))
        self._check_attributes(tag, dict(attrs), len(attrs))
        self.open.append(tag)

    def _check_attributes(self, tag: str, attrs: dict[str, str | None], count: int) -> None:
        allowed: dict[str, bool] = {  # attribute -> required
            "a": {"href": True},
            "span": {"class": True},
            "tg-emoji": {"emoji-id": True},
            "code": {"class": False},
            "blockquote": {"expandable": False},
        }.get(tag, {})
        if count != len(attrs) or any(name not in allowed for name in attrs):
            self._error(_("Telegram does not know this attribute of <%(tag)s>.", tag=tag))
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            self._error(_('<span> takes only class="tg-spoiler".'))
        for name, required in allowed.items():
            if required and not attrs.get(name) and tag != "span":
                self._error(_("<%(tag)s> needs %(name)s.", tag=tag, name=name))
        value = attrs.get("href") or ""
        if tag == "a" and value and not value.lower().startswith(LINK_SCHEMES):
            self._error(_("A link must start with http://, https:// or tg://."))
        if tag == "tg-emoji" and not (attrs.get("emoji-id") or "").isdigit():
            self._error(_("<tg-emoji> needs a numeric emoji-id."))
        language = attrs.get("class")
        if tag == "code" and language is not None and not _LANGUAGE.fullmatch(language):
            self._error(_('<code> takes only class="language-…".'))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._error(_("Telegram does not know the tag <%(tag)s>.", tag=tag))

    def handle_endtag(self, tag: str) -> None:
        if tag not in TAGS:
            return  # reported at its start tag
        if not self.open or self.open[-1] != tag:
            self._error(_("</%(tag)s> closes no open tag.", tag=tag))
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self._error(_less_greater())
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        self._error(_("Comments are not allowed."))

    def handle_decl(self, decl: str) -> None:
        self._error(_("Declarations are not allowed."))

    def handle_pi(self, data: str) -> None:
        self._error(_("Declarations are not allowed."))

    def unknown_decl(self, data: str) -> None:
        self._error(_("Declarations are not allowed."))


def visible_text(text: str) -> str:
    """The text a reader sees (markup gone, entities read)."""
    checker = _Checker()
    checker.feed(text)
    checker.close()
    return "".join(checker.text)


def problems(text: str) -> list[str]:
    """What Telegram would refuse in `text` as `parse_mode=HTML` (empty: it is fine)."""
    checker = _Checker()
    errors: list[str] = []
    if _ENTITY.search(text):
        errors.append(_("Write & as &amp; (Telegram knows only &lt; &gt; &amp; &quot;)."))
    checker.feed(text)
    checker.close()
    if checker.rawdata:  # an unfinished tag at the end ("<b")
        errors.append(_less_greater())
    errors.extend(checker.errors)
    if checker.open:
        errors.append(_("<%(tag)s> is never closed.", tag=checker.open[-1]))
    shown = "".join(checker.text)
    if not shown.strip():
        errors.append(_("The message is empty."))
    if len(shown) > MAX_LENGTH:
        errors.append(_("Longer than %(num)d characters.", num=MAX_LENGTH))
    return list(dict.fromkeys(errors))
