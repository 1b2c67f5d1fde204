"""DSN helpers shared by tests, benchmarks and tools that work on scratch databases."""

from __future__ import annotations


def with_database(dsn: str, name: str) -> str:
    """``dsn`` pointing at database ``name`` (query parameters such as ``host=/socket`` kept)."""
    head, sep, query = dsn.partition("?")
    return f"{head.rsplit('/', 1)[0]}/{name}{sep}{query}"
