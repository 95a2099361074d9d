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
from types import TracebackType

__all__ = ["paused_gc"]


class paused_gc:  # lower case: used like the function it replaced, `with paused_gc():`
    """Disable the cyclic collector for the block; re-enable it only if it was enabled.

    A small class rather than `@contextmanager`: it is entered once per record read."""

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._was_enabled:
            gc.enable()
