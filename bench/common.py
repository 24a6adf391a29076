"""What every benchmark returns, and small helpers they share."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    benchmark: str
    metric: str
    value: float | str
    unit: str = ""
    note: str = ""


def per_second(func: Callable[[], object], *, seconds: float = 2.0) -> tuple[float, int]:
    """Call `func` repeatedly for about `seconds`; return (calls per second, calls)."""
    calls = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            func()
        calls += 100
    return calls / (time.perf_counter() - started), calls
