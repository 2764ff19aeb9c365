"""The garbage collector's settings for a long-running server process."""

from __future__ import annotations

import gc

# Collect the oldest generation after this many collections of the middle one (Python's default: 10).
OLDEST_GENERATION_EVERY = 1000


def settle_after_startup() -> None:
    """Move what start-up loaded (the schema, the ORM's metadata, the password dictionaries) out of
    the collector's sight, and collect the oldest generation rarely.

    Measured on the dashboard benchmark (bench/RESULTS.md): full collections walked those objects
    20-100 ms at a time while the event loop waited, and were most of the gateway's p99 and about a
    tenth of its throughput. Garbage in cycles is still collected, only less often.
    """
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, OLDEST_GENERATION_EVERY)
