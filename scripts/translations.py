"""Keep the Russian and English catalogs in step with the code.

Each feature owns its strings: `webapp/<feature>/translations/` holds the strings of
`webapp/<feature>/` and `webapp/templates/<feature>/`; `webapp/translations/` holds the
shared ones (core, home, auth, users, accounts, errors, base templates). Flask-Babel
merges them all.

    python scripts/translations.py update [feature …]   # extract, then update/init ru
    python scripts/translations.py compile              # .po → .mo (committed)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEBAPP = ROOT / "webapp"
SHARED_SOURCES = [
    "webapp/*.py",
    "webapp/core",
    "webapp/home",
    "webapp/auth",
    "webapp/users",
    "webapp/accounts",
    "webapp/templates/home",
    "webapp/templates/errors",
    "webapp/templates/partials",
    "webapp/templates/*.html",  # the base layouts and the shared components (ui.html)
]
LOCALES = ("ru",)


def catalogs(only: list[str]) -> dict[Path, list[str]]:
    found: dict[Path, list[str]] = {}
    if not only or "core" in only:
        found[WEBAPP / "translations"] = SHARED_SOURCES
    for package in sorted(p for p in WEBAPP.iterdir() if (p / "__init__.py").exists()):
        name = package.name
        if name in {"core", "home", "auth", "users", "accounts"} or (only and name not in only):
            continue
        if (package / "translations").exists() or name in only:
            found[package / "translations"] = [f"webapp/{name}", f"webapp/templates/{name}"]
    return found


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def update(only: list[str]) -> None:
    for directory, sources in catalogs(only).items():
        paths = [str(p.relative_to(ROOT)) for s in sources for p in sorted(ROOT.glob(s))]
        with tempfile.TemporaryDirectory() as tmp:
            pot = Path(tmp) / "messages.pot"
            pybabel(
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-k",
                "lazy_ngettext:1,2",
                "--no-location",
                "--sort-output",
                "--width",
                "100",
                "-o",
                str(pot),
                *paths,
            )
            for locale in LOCALES:
                po = directory / locale / "LC_MESSAGES" / "messages.po"
                command = "update" if po.exists() else "init"
                pybabel(
                    command,
                    "-i",
                    str(pot),
                    "-d",
                    str(directory),
                    "-l",
                    locale,
                    "--width",
                    "100",
                    *(["--no-fuzzy-matching", "--ignore-obsolete"] if command == "update" else []),
                )


def compile_all() -> None:
    for directory in catalogs([]):
        if directory.exists():
            pybabel("compile", "-d", str(directory), "--statistics")


if __name__ == "__main__":
    command, *features = sys.argv[1:] or ["compile"]
    update(features) if command == "update" else compile_all()
