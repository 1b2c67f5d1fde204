/** Words for server values the responder app shows: roles, what each role is asked, states. */

import { INCIDENT_KIND_LABELS } from "../shared/domain";
import { t, tk, type MessageKey } from "../shared/i18n";
import type { AssignmentState } from "./model";

const ROLE_LABELS: Record<string, MessageKey> = {
  police: tk("responder.role.police"),
  community_doctor: tk("responder.role.community_doctor"),
  psychiatrist: tk("responder.role.psychiatrist"),
  psychiatric_nurse: tk("responder.role.psychiatric_nurse"),
  social_worker: tk("responder.role.social_worker"),
  grid_worker: tk("responder.role.grid_worker"),
  civil_affairs: tk("responder.role.civil_affairs"),
  disability_federation: tk("responder.role.disability_federation"),
  guardian: tk("responder.role.guardian"),
  ambulance: tk("responder.role.ambulance"),
};

/** What the playbooks ask of each role on scene, in one line (the checklist has the detail). */
const ROLE_ASKS: Record<string, MessageKey> = {
  police: tk("responder.ask.police"),
  community_doctor: tk("responder.ask.community_doctor"),
  psychiatrist: tk("responder.ask.psychiatrist"),
  psychiatric_nurse: tk("responder.ask.psychiatric_nurse"),
  social_worker: tk("responder.ask.social_worker"),
  grid_worker: tk("responder.ask.grid_worker"),
  civil_affairs: tk("responder.ask.civil_affairs"),
  disability_federation: tk("responder.ask.disability_federation"),
  guardian: tk("responder.ask.guardian"),
  ambulance: tk("responder.ask.ambulance"),
};

const STATE_LABELS: Record<AssignmentState, MessageKey> = {
  offered: tk("responder.state.offered"),
  accepted: tk("responder.state.accepted"),
  declined: tk("responder.state.declined"),
  expired: tk("responder.state.expired"),
  withdrawn: tk("responder.state.withdrawn"),
  en_route: tk("responder.state.en_route"),
  on_scene: tk("responder.state.on_scene"),
  cleared: tk("responder.state.cleared"),
  released: tk("responder.state.released"),
};

const PRIORITY_LABELS: Record<number, MessageKey> = {
  1: tk("priority.1"),
  2: tk("priority.2"),
  3: tk("priority.3"),
  4: tk("priority.4"),
  5: tk("priority.5"),
};

export function roleName(role: string): string {
  const key = ROLE_LABELS[role];
  return key === undefined ? role : t(key);
}

export function roleAsk(role: string): string {
  const key = ROLE_ASKS[role];
  return key === undefined ? t("responder.ask.other") : t(key);
}

export function stateName(state: AssignmentState): string {
  return t(STATE_LABELS[state]);
}

export function priorityName(priority: number): string {
  const key = PRIORITY_LABELS[priority];
  return key === undefined ? String(priority) : t(key);
}

export function kindName(kind: string): string {
  const key = INCIDENT_KIND_LABELS[kind];
  return key === undefined ? t("incidentKind.other", { kind }) : t(key);
}

/** "1.2 km" / "350 m"; "—" when unknown. */
export function distanceText(m: number | null): string {
  if (m === null) {
    return "—";
  }
  return m >= 1000 ? t("responder.km", { km: (m / 1000).toFixed(1) }) : t("responder.m", { m: Math.round(m) });
}

/** "~6 min"; "—" when unknown. */
export function etaText(s: number | null): string {
  return s === null ? "—" : t("responder.min", { min: Math.max(1, Math.round(s / 60)) });
}

/** A maps link that works in any phone browser and opens Amap (高德) when installed. */
export function mapsLink(lat: number, lon: number, name: string): string {
  const params = new URLSearchParams({ position: `${lon},${lat}`, name, coordinate: "wgs84", callnative: "1" });
  return `https://uri.amap.com/marker?${params.toString()}`;
}

/** `geo:` URI: the phone's own choice of navigation app. */
export function geoLink(lat: number, lon: number, name: string): string {
  return `geo:${lat.toFixed(6)},${lon.toFixed(6)}?q=${lat.toFixed(6)},${lon.toFixed(6)}(${encodeURIComponent(name)})`;
}
