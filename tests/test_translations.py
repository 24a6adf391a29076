"""Every catalog is complete in Russian and its compiled .mo matches the .po."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
CATALOGS = sorted(WEBAPP.glob("**/translations/ru/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(WEBAPP)))
def test_catalog_is_translated_and_compiled(po_path: Path):
    """Is every string translated to Russian, and is the committed .mo up to date?"""
    with po_path.open("rb") as handle:
        po = read_po(handle)
    untranslated = [m.id for m in po if m.id and not m.string]
    assert untranslated == []
    with po_path.with_suffix(".mo").open("rb") as handle:
        mo = read_mo(handle)
    assert {m.id: m.string for m in po if m.id} == {m.id: m.string for m in mo if m.id}


def test_catalogs_agree_on_shared_strings():
    """Flask-Babel merges every catalog into one: does a string shared by two features get
    the same translation in both (else one silently wins)?"""
    translations: dict[str, set[str]] = {}
    for po_path in CATALOGS:
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    translations.setdefault(key, set()).add(str(message.string))
    assert {k: v for k, v in translations.items() if len(v) > 1} == {}
