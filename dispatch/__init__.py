"""dispatch: the live responder position index (H3 on Redis), candidate search and ranking.

Entry points: `dispatch.index.PositionIndex` (Redis I/O), `dispatch.models` (Structs, the edge
model `PositionReport`), `dispatch.matching` (pure selection and `rank_candidates`),
`dispatch.errors` (one root, `DispatchError`). See docs/positions.md.
Imports only msgspec, h3 and redis; never backend/ or Litestar.
"""
