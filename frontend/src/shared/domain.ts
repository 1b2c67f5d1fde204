/**
 * Domain rules and labels the views share, free of map code so pages without a map (the
 * responder app, the index page) do not download deck.gl for a label.
 */

import { t, tk, type MessageKey } from "./i18n";
import type { IncidentPriority, LiveIncident, ResponderPosition, ResponderStatus } from "./types";

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
  5: tk("priority.5"),
};

export const RESPONDER_STATUS_LABELS: Record<ResponderStatus, MessageKey> = {
  available: tk("responderStatus.available"),
  offered: tk("responderStatus.offered"),
  assigned: tk("responderStatus.assigned"),
  en_route: tk("responderStatus.en_route"),
  on_scene: tk("responderStatus.on_scene"),
  busy: tk("responderStatus.busy"),
  off_duty: tk("responderStatus.off_duty"),
};

/** A status from the server as the views know it; a status this build does not know counts as busy. */
export function toResponderStatus(status: string): ResponderStatus {
  return Object.hasOwn(RESPONDER_STATUS_LABELS, status) ? (status as ResponderStatus) : "busy";
}

/** Incident kinds (the playbooks' trigger kinds) and their names. */
export const INCIDENT_KIND_LABELS: Record<string, MessageKey> = {
  crisis_at_home: tk("incidentKind.crisis_at_home"),
  danger_to_others: tk("incidentKind.danger_to_others"),
  emergency_transfer: tk("incidentKind.emergency_transfer"),
  medication_reaction: tk("incidentKind.medication_reaction"),
  missing_patient: tk("incidentKind.missing_patient"),
  self_harm: tk("incidentKind.self_harm"),
};

/** The incident's name in the current language: the server's title, else its kind's name. */
export function incidentTitle(incident: Pick<LiveIncident, "title" | "kind">): string {
  if (incident.title !== "") {
    return incident.title;
  }
  const key = INCIDENT_KIND_LABELS[incident.kind];
  return key === undefined ? t("incidentKind.other", { kind: incident.kind }) : t(key);
}
