/**
 * The block-data map aggregates the map layers read: `GET /api/map/cells` (counts per H3 cell,
 * never identities; sensitive layers withhold counts of 1–4 as null). See backend/api/map.
 */

import { sendAuthorized } from "../auth";
import type { CellCountsResponse } from "../types";
import type { CellCount } from "./layers/h3-aggregate";

export interface CellQuery {
  layer: "patients" | "events" | "groups" | "people";
  res: 7 | 8 | 9;
  since?: Date;
  until?: Date;
}

/** Counts per cell of one layer in the user's jurisdiction. */
export async function getCellCounts(query: CellQuery): Promise<CellCount[]> {
  const search = new URLSearchParams({ layer: query.layer, res: String(query.res) });
  if (query.since !== undefined) {
    search.set("since", query.since.toISOString());
  }
  if (query.until !== undefined) {
    search.set("until", query.until.toISOString());
  }
  const body = await sendAuthorized<CellCountsResponse>({ method: "GET", path: `/api/map/cells?${search.toString()}`, timeoutMs: 30_000 });
  return body.cells.map((c) => ({ cell: c.cell, count: c.count }));
}
