"""Free text → unified address: ranked candidates with scores, on plain PostgreSQL.

Every address stores its normalised text and token bigrams (``addresses.grams``, GIN-indexed);
``address_grams`` holds each bigram's document frequency. A query is normalised the same way,
then candidates are drawn from the postings of its *rarest* bigrams (at most ``POSTING_BUDGET``
rows in all) and ranked in SQL by :func:`~backend.api.places.normalise.similarity`. When even the
rarest bigram is common (``六和深汕路``), candidates must contain every known bigram instead: the
GIN index intersects the postings, which is fast however common each one is.

Callers: incident intake (``match_address``), the console's autocomplete
(``GET /api/addresses/search``), the importers (rows that name an address in words).
"""

from __future__ import annotations

from typing import Any

import msgspec

from backend.api.places.normalise import address_grams, normalise_address
from backend.security.principal import jurisdiction_sql
from backend.storage.postgres.pool import PgConn

POSTING_BUDGET = 6_000
MAX_LIMIT = 50


class AddressCandidate(msgspec.Struct, frozen=True, kw_only=True):
    """One unified address that may be what the text meant, with a score in [0, 1]."""

    address_id: str
    text: str
    score: float
    org_path: str
    lat: float
    lon: float
    building_id: str | None = None


# The ranking expression mirrors normalise.similarity (0.7 coverage + 0.3 Dice); an exact
# normalised match scores 1.
_SELECT = """
    SELECT id, text, org_path, lat, lon, building_id,
           CASE WHEN norm_text = $3 THEN 1.0
                ELSE 0.7 * hits / $4 + 0.6 * hits / ($4 + cardinality(grams)) END AS score
    FROM (
        SELECT a.*, (SELECT count(*) FROM unnest(a.grams) g WHERE g = ANY($1::text[]))::float8 AS hits
        FROM addresses a
        WHERE {where}
        LIMIT {pool}
    ) c
    ORDER BY score DESC, length(text), id
    LIMIT $2
"""


def choose_grams(dfs: dict[str, int], budget: int = POSTING_BUDGET) -> tuple[list[str], bool]:
    """The rarest known grams whose postings fit ``budget``; True when none fits (use AND)."""
    known = sorted((g for g, n in dfs.items() if n > 0), key=lambda g: (dfs[g], g))
    chosen: list[str] = []
    total = 0
    for gram in known:
        if chosen and total + dfs[gram] > budget:
            break
        chosen.append(gram)
        total += dfs[gram]
    if chosen and total > budget:
        return known, True
    return chosen, False


async def match_address(
    conn: PgConn, text: str, *, within: str | None = None, limit: int = 10
) -> list[AddressCandidate]:
    """Up to ``limit`` addresses for ``text``, best first; ``within`` keeps one org subtree."""
    norm = normalise_address(text)
    grams = address_grams(norm)
    if not grams:
        return []
    limit = max(1, min(limit, MAX_LIMIT))
    rows = await conn.fetch(
        "SELECT gram, df FROM address_grams WHERE gram = ANY($1::text[])", grams
    )
    chosen, conjunctive = choose_grams({r["gram"]: r["df"] for r in rows})
    if not chosen:
        return []
    args: list[Any] = [grams, limit, norm, float(len(grams)), chosen]
    where = "a.grams @> $5::text[]" if conjunctive else "a.grams && $5::text[]"
    if within is not None:
        args.append(within)
        where += f" AND {jurisdiction_sql('a.org_path', len(args))}"
    sql = _SELECT.format(where=where, pool=POSTING_BUDGET if not conjunctive else 2_000)
    found = await conn.fetch(sql, *args)
    if not found and conjunctive:
        # No address holds every gram: fall back to any of the three rarest, a bounded sample.
        args[4] = chosen[:3]
        sql = _SELECT.format(where=where.replace("@>", "&&"), pool=POSTING_BUDGET)
        found = await conn.fetch(sql, *args)
    return [
        AddressCandidate(
            address_id=r["id"],
            text=r["text"],
            score=round(min(1.0, float(r["score"])), 4),
            org_path=r["org_path"],
            lat=r["lat"],
            lon=r["lon"],
            building_id=r["building_id"],
        )
        for r in found
    ]


def is_confident(candidates: list[AddressCandidate], *, threshold: float = 0.9) -> bool:
    """Whether the best candidate may be taken without a person choosing: high and clearly first."""
    if not candidates or candidates[0].score < threshold:
        return False
    return len(candidates) == 1 or candidates[0].score - candidates[1].score >= 0.05
