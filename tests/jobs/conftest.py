"""Jobs test helpers (the `build` fixture is shared with the bot tests)."""

from tests.bot.conftest import build  # noqa: F401
