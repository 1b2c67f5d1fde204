/**
 * Live responder positions by id, fed by `positions` batches: the first batch after each
 * (re)subscription is the full set and replaces the book; later ones hold what moved, and
 * `removed` ids disappear. Ages are computed against the server's clock when asked, so a
 * responder who stops reporting turns stale on the map without any message.
 */

import { toResponderStatus } from "./domain";
import type { ResponderPosition, WsPositionItem, WsPositions } from "./types";

export class PositionBook {
  private readonly byId = new Map<string, WsPositionItem>();
  private loaded = false;

  /** Applies one batch; `full` = it is the complete set. */
  apply(message: WsPositions, full: boolean): void {
    if (full) {
      this.byId.clear();
    }
    this.loaded = true;
    for (const item of message.items) {
      const known = this.byId.get(item[0]);
      if (known === undefined || item[4] >= known[4]) {
        this.byId.set(item[0], item);
      }
    }
    for (const id of message.removed ?? []) {
      this.byId.delete(id);
    }
  }

  /** True once a batch arrived (until then the panels show "loading"). */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /** Every known responder with `age_s` as of `serverNowS` (Unix seconds on the server's clock). */
  list(serverNowS: number): ResponderPosition[] {
    return [...this.byId.values()].map(([id, lat, lon, status, ts, capabilities]) => ({
      id,
      lat,
      lon,
      status: toResponderStatus(status),
      capabilities,
      age_s: Math.max(0, serverNowS - ts),
    }));
  }

  /** Responders on duty: every live responder whose status is not `off_duty`. */
  onDutyCount(): number {
    let n = 0;
    for (const item of this.byId.values()) {
      if (item[3] !== "off_duty") {
        n += 1;
      }
    }
    return n;
  }
}
