"""Telegram sign-in (initData), access tokens, identity and access decorators."""
