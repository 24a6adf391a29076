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
