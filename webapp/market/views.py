"""Market pages (placeholder while the API settles)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("market_pages", __name__)
