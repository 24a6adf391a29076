"""The import contracts of `pyproject.toml`: kept by the tree, broken by a wrong import.

`lint-imports` runs in `.ci/run`; these tests prove the contracts bite (a copy of the tree
with one bad import fails) and that no module of `webapp/` escapes them.
"""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("webapp", "bot", "jobs")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python packages and `pyproject.toml`, copied (templates and catalogs left out)."""
    copy = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", copy)
    ignore = shutil.ignore_patterns("__pycache__", "static", "templates", "translations")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=ignore)
    return copy


def test_the_tree_keeps_the_contracts():
    """Does the code as it stands keep every import contract?"""
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "broken"),
    [
        (
            "webapp/market/services/takes.py",
            "import bot.sender",
            "webapp.market is not allowed to import bot",
        ),
        (
            "webapp/events/services.py",
            "import jobs.queue",
            "webapp.events is not allowed to import jobs",
        ),
        (
            "webapp/outbox/services.py",
            "import bot.sender",
            "webapp.outbox is not allowed to import bot",
        ),
        (
            "webapp/users/services.py",
            "import webapp.market.models",
            "webapp.users is not allowed to import webapp.market",
        ),
        (
            "webapp/tasks/services.py",
            "import webapp.problems.services",
            "webapp.tasks is not allowed to import webapp.problems",
        ),
        ("bot/sender.py", "import jobs.queue", "bot is not allowed to import jobs"),
        ("jobs/context.py", "from webapp import create_app", "jobs.context -> webapp"),
    ],
)
def test_a_wrong_import_breaks_a_contract(
    tree_copy: Path, module: str, bad_import: str, broken: str
):
    """Does a feature importing the bot or the jobs (or the core a feature, a feature
    another, the bot the jobs, a job module the app factory) fail `lint-imports`?"""
    path = tree_copy / module
    original = path.read_text()
    path.write_text(f"{original}\n{bad_import}\n")
    try:
        result = lint_imports(tree_copy)
    finally:
        path.write_text(original)
    assert result.returncode == 1, result.stdout
    assert broken in result.stdout


def test_every_module_of_webapp_has_a_layer():
    """Is every package and module directly under `webapp/` placed in a layer (or the app
    factory's own `webapp.models`), so a new one cannot slip past the contracts?"""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    placed = {
        name.strip()
        for layer in layers
        for name in layer.replace("|", ":").split(":")
        if name.strip().startswith("webapp.")
    }
    modules = {f"webapp.{m.name}" for m in pkgutil.iter_modules([str(ROOT / "webapp")])}
    unplaced = modules - placed - {"webapp.models"}
    assert not unplaced, f"give {sorted(unplaced)} a layer in pyproject.toml's [tool.importlinter]"
    assert placed <= modules, f"layers name modules that are gone: {sorted(placed - modules)}"


# Strongly connected modules of the import graph (grimp, import-linter's own graph, counts
# imports inside functions too): run in a child process so it reads the tree given, not
# the `webapp` this process has imported.
_CIRCLES = """
import sys
import grimp

graph = grimp.build_graph(*sys.argv[1:], cache_dir=None)
index, low, stack, on_stack, circles = {}, {}, [], set(), []
sys.setrecursionlimit(10_000)


def visit(module):
    index[module] = low[module] = len(index)
    stack.append(module)
    on_stack.add(module)
    for imported in graph.find_modules_directly_imported_by(module):
        if imported not in index:
            visit(imported)
            low[module] = min(low[module], low[imported])
        elif imported in on_stack:
            low[module] = min(low[module], index[imported])
    if low[module] == index[module]:
        circle = []
        while True:
            member = stack.pop()
            on_stack.discard(member)
            circle.append(member)
            if member == module:
                break
        if len(circle) > 1:
            circles.append(" ".join(sorted(circle)))


for module in sorted(graph.modules):
    if module not in index:
        visit(module)
print("\\n".join(circles))
"""


def import_circles(tree: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _CIRCLES, *PACKAGES],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_no_modules_import_each_other_in_a_circle():
    """Do imports point one way between modules too, those inside functions included (a
    deferred import hides a loop from Python, not from the next reader)?"""
    assert import_circles(ROOT) == []


def test_a_deferred_import_back_up_is_found_as_a_circle(tree_copy: Path):
    """Does the check see a loop made by an import inside a function (the errors module
    asking the sign-in code who the caller is, as it once did)?"""
    path = tree_copy / "webapp" / "errors.py"
    original = path.read_text()
    path.write_text(f"{original}\n\ndef _caller():\n    from webapp.auth.identity import current\n")
    try:
        circles = import_circles(tree_copy)
    finally:
        path.write_text(original)
    assert any("webapp.auth.identity" in c and "webapp.errors" in c for c in circles), circles
