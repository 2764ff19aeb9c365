"""Database plumbing: tortoise configuration, the SQLite engine, prepared reads, the clock."""
