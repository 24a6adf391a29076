"""Test configuration: fixtures live in `tests/fixtures/` and load as plugins.

`scripts/test.sh` spreads the tests one by one over its processes (`--dist loadgroup`), so a
long file does not leave the other process idle at the end. Tests that share a fixture set up
once per module (a browser, a loaded database) are kept on one process: they form a group.
"""

from __future__ import annotations

import pytest
from _pytest.nodeid import NodeId

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group a module's tests that use a module-, class- or package-scoped fixture.

    An xdist worker tells the scheduler a test's group by the suffix `@group` on its node id,
    which xdist 3.8 writes to `item._nodeid`; pytest 9.2 keeps the id in `item._id` and never
    reads `_nodeid`, so every group was spread over the processes (a module's browser
    launched, or its 100k-row database loaded, once in each). The suffix is written here,
    where pytest reads it.
    """
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        if any(
            definitions[-1].scope in _SHARED_SCOPES
            for definitions in info.name2fixturedefs.values()
        ):
            group = item.nodeid.split("::")[0]
            item.add_marker(pytest.mark.xdist_group(group))
            if getattr(config.option, "loadgroup", False):  # xdist workers, --dist loadgroup
                item._id = NodeId.parse(f"{item.nodeid}@{group}")
