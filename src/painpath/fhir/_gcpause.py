"""Pausing Python's cyclic garbage collector while a reader builds many small objects.

Reading a record creates hundreds of thousands of dicts, lists and frozen
dataclasses, none of them in reference cycles. The cyclic collector would walk them
again and again as they accumulate (it halved NDJSON throughput in
`bench/bench_read.py`). Reference counting still frees memory while paused. The
pause is process-wide but short (one call), is never held across a `yield`, and
restores the previous state, so a caller that disabled the collector keeps it off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block; re-enable it only if it was enabled."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
