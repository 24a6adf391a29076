"""Fill Russian translations from a {english: russian} JSON file into a catalog.

python scripts/fill_ru.py webapp/translations path/to/ru.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(directory: str, mapping_file: str) -> None:
    po_path = Path(directory) / "ru" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    mapping = json.loads(Path(mapping_file).read_text(encoding="utf-8"))
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in mapping:
            value = mapping[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
        elif not message.string:
            missing.append(key)
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=100)
    for key in missing:
        print("untranslated:", key)


if __name__ == "__main__":
    main(*sys.argv[1:3])
