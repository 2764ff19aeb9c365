"""The garbage collector's settings for a long-running server process."""

from __future__ import annotations

import gc


def settle_after_startup() -> None:
    """Move what start-up loaded (the schema, the ORM's metadata, the password dictionaries) out of
    the collector's sight.

    Measured on the dashboard benchmark: every full collection walked those objects again, 20-100 ms
    at a time while the event loop waited, and made most of the gateway's p99. Garbage in cycles made
    later is still collected as usual (a request leaves little: schema.loaders.Loaders.close).
    """
    gc.collect()
    gc.freeze()
