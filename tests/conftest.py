"""Test configuration: fixtures live in `tests/fixtures/` and load as plugins.

`scripts/test.sh` spreads the tests one by one over its processes (`--dist loadgroup`), so a
long file does not leave the other process idle at the end. Tests that share a fixture set up
once per module (a browser, a loaded database) are kept on one process: they form a group.
"""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.app",
    "tests.fixtures.users",
    "tests.fixtures.tickets",
    "tests.fixtures.browser",
    "tests.fixtures.webview",
    "tests.fixtures.clock",
    "tests.fixtures.fake_telegram",
    "tests.fixtures.private_servers",
]

_SHARED_SCOPES = {"module", "class", "package"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group a module's tests that use a module-, class- or package-scoped fixture."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        if any(
            definitions[-1].scope in _SHARED_SCOPES
            for definitions in info.name2fixturedefs.values()
        ):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
