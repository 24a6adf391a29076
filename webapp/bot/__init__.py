"""The bot's words: what it says to users, in Russian and English.

The bot itself lives in the top-level `bot/` package; its user-visible strings live here so
`scripts/translations.py` gives them a catalog of their own (`webapp/bot/translations`).
"""
