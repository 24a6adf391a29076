"""Test configuration: fixtures live in `tests/fixtures/` and load as plugins."""

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
