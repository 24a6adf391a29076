"""Job functions the queue tests enqueue (importable by an RQ worker)."""

from __future__ import annotations


def explode(message: str) -> None:
    raise RuntimeError(message)


def succeed() -> str:
    return "ok"
