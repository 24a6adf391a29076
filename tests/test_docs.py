"""The developer guide (`docs/DEVELOPING.md`) names only things that exist in this repository."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "DEVELOPING.md"
TOP_FOLDERS = "webapp|bot|jobs|tests|scripts|docs|migrations|bench"
# A path such as `webapp/users/roles.py` or `tests/fixtures/`; a `<placeholder>` right after
# it (`tests/admin/test_<feature>.py`) makes it a pattern, not a file.
PATH = re.compile(rf"(?<![\w./-])((?:{TOP_FOLDERS})/[\w./-]*[\w/])(<?)")
DOTTED = re.compile(r"`((?:webapp|bot|jobs)(?:\.\w+)+)")


def test_named_paths_exist():
    """Does every file or folder the guide names exist (and nothing outside the repository)?"""
    text = GUIDE.read_text(encoding="utf-8")
    named = {path for path, placeholder in PATH.findall(text) if not placeholder}
    assert len(named) > 20  # the pattern still finds the guide's paths
    assert sorted(p for p in named if not (ROOT / p).exists()) == []
    assert "../" not in text


def test_named_objects_exist():
    """Does every dotted name the guide gives (`webapp.i18n.catalog_directories`) import?"""
    missing = []
    for name in sorted(set(DOTTED.findall(GUIDE.read_text(encoding="utf-8")))):
        parts = name.split(".")
        for split in range(len(parts), 0, -1):
            try:
                target = importlib.import_module(".".join(parts[:split]))
            except ModuleNotFoundError:
                continue
            for attribute in parts[split:]:
                target = getattr(target, attribute, None)
            break
        else:
            target = None
        if target is None:
            missing.append(name)
    assert missing == []
