/**
 * Domain rules and labels the views share, free of map code so pages without a map (the
 * responder app, the index page) do not download deck.gl for a label.
 */

import { tk, type MessageKey } from "./i18n";
import type { IncidentPriority, ResponderPosition, ResponderStatus } from "./types";

/** Positions older than this (seconds) are shown as stale. Matches the dispatch freshness limit. */
export const STALE_AFTER_S = 120;

/** True when a responder's position is too old to trust (greyed on the map and in lists). */
export function isStale(r: ResponderPosition): boolean {
  return r.age_s > STALE_AFTER_S;
}

export const PRIORITY_LABELS: Record<IncidentPriority, MessageKey> = {
  1: tk("priority.1"),
  2: tk("priority.2"),
  3: tk("priority.3"),
  4: tk("priority.4"),
};

export const RESPONDER_STATUS_LABELS: Record<ResponderStatus, MessageKey> = {
  available: tk("responderStatus.available"),
  offered: tk("responderStatus.offered"),
  en_route: tk("responderStatus.en_route"),
  on_scene: tk("responderStatus.on_scene"),
  busy: tk("responderStatus.busy"),
  off_duty: tk("responderStatus.off_duty"),
};
