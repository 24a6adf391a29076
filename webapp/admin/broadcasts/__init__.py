"""Broadcasts: an admin's message to an audience, through the outbox and the one sender.

`services` holds the rules (admins only, Telegram's HTML, the audiences, pacing, the
report, cancelling); `api` is `/api/admin/broadcasts`; the dashboard page is
`webapp/admin/views/broadcasts.py`.
"""
