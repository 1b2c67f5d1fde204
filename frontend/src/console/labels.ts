/** Names the console shows for server values: roles, assignment states, outcomes, priorities. */

import { getLocale, t, tk, type MessageKey } from "../shared/i18n";
import { RESPONDER_STATUS_LABELS } from "../shared/domain";

export const ROLE_LABELS: Record<string, MessageKey> = {
  police: tk("console.role.police"),
  community_doctor: tk("console.role.community_doctor"),
  psychiatrist: tk("console.role.psychiatrist"),
  psychiatric_nurse: tk("console.role.psychiatric_nurse"),
  social_worker: tk("console.role.social_worker"),
  grid_worker: tk("console.role.grid_worker"),
  civil_affairs: tk("console.role.civil_affairs"),
  disability_federation: tk("console.role.disability_federation"),
  guardian: tk("console.role.guardian"),
  ambulance: tk("console.role.ambulance"),
  family: tk("console.role.family"),
  community_staff: tk("console.role.community_staff"),
};

/** A role (capability) in the current language; unknown ones as they come. */
export function roleName(role: string): string {
  const key = ROLE_LABELS[role];
  return key === undefined ? role : t(key);
}

export const ASSIGNMENT_STATE_LABELS: Record<string, MessageKey> = {
  offered: tk("console.as.offered"),
  accepted: tk("console.as.accepted"),
  declined: tk("console.as.declined"),
  expired: tk("console.as.expired"),
  withdrawn: tk("console.as.withdrawn"),
  en_route: tk("console.as.en_route"),
  on_scene: tk("console.as.on_scene"),
  cleared: tk("console.as.cleared"),
  released: tk("console.as.released"),
};

export function assignmentStateName(state: string): string {
  const key = ASSIGNMENT_STATE_LABELS[state];
  return key === undefined ? state : t(key);
}

/** Assignment states in which a responder is still on the incident (release applies). */
export const ACTIVE_ASSIGNMENT: ReadonlySet<string> = new Set(["offered", "accepted", "en_route", "on_scene"]);

/** The outcomes `POST /close` accepts, with their names. */
export const OUTCOME_LABELS: Record<string, MessageKey> = {
  stabilised_at_home: tk("console.outcome.stabilised_at_home"),
  hospitalised: tk("console.outcome.hospitalised"),
  handed_to_police: tk("console.outcome.handed_to_police"),
  found_safe: tk("console.outcome.found_safe"),
  false_alarm: tk("console.outcome.false_alarm"),
  deceased: tk("console.outcome.deceased"),
  other: tk("console.outcome.other"),
};

/** Priorities 1 (most urgent) to 5, as intake and the priority change accept them. */
export const PRIORITY_NAMES: Record<number, MessageKey> = {
  1: tk("console.priority.1"),
  2: tk("console.priority.2"),
  3: tk("console.priority.3"),
  4: tk("console.priority.4"),
  5: tk("console.priority.5"),
};

export function priorityName(priority: number): string {
  const key = PRIORITY_NAMES[priority];
  return key === undefined ? String(priority) : t(key);
}

/** What a close refusal says is missing (`details.missing` of a 409 `close_refused`). */
const MISSING_LABELS: Record<string, MessageKey> = {
  outcome: tk("console.missing.outcome"),
  record_sheet: tk("console.missing.record_sheet"),
  hospital_handover: tk("console.missing.handover"),
};

/** One missing requirement in words: `outcome`, `record_sheet`, `step:<id>`, `item:<step.item>`. */
export function missingName(item: string, words: { stepTitle(id: string): string | null; itemText(item: string): string | null }): string {
  const key = MISSING_LABELS[item];
  if (key !== undefined) {
    return t(key);
  }
  if (item.startsWith("step:")) {
    const id = item.slice(5);
    return t("console.missing.step", { step: words.stepTitle(id) ?? id.replaceAll("_", " ") });
  }
  if (item.startsWith("item:")) {
    const ref = item.slice(5);
    return t("console.missing.item", { item: words.itemText(ref) ?? ref.replaceAll(".", " › ") });
  }
  return item.replaceAll(".", " › ");
}

/** A `{"zh-CN": …, "en": …}` text from a playbook in the current language. */
export function localText(value: unknown): string | null {
  if (typeof value !== "object" || value === null) {
    return null;
  }
  const v = value as Record<string, unknown>;
  const zh = v["zh-CN"] ?? v.zh_cn;
  const pick = getLocale() === "zh-CN" ? (zh ?? v.en) : (v.en ?? zh);
  return typeof pick === "string" ? pick : null;
}

/**
 * One of the server's dispatch reasons (English words made in `dispatch/matching.py` and
 * `backend/incidents/dispatcher.py`) in the current language; null for the travel estimate,
 * which the recommendation shows beside it in figures. Unknown reasons come as they are.
 */
export function reasonText(reason: string): string | null {
  if (reason === "nearest qualified") {
    return t("console.reason.nearest");
  }
  if (/^[\d.]+ k?m, ~\d+ (s|min) (by vehicle|on foot)$/.test(reason)) {
    return null;
  }
  const team = /^patient's care team \((.+)\)$/.exec(reason);
  if (team !== null) {
    return t("console.reason.careTeam", { role: roleName(team[1] ?? "") });
  }
  const capability = /^capability (\w+)$/.exec(reason);
  if (capability !== null) {
    return t("console.reason.capability", { role: roleName(capability[1] ?? "") });
  }
  const seen = /^seen (\d+) s ago$/.exec(reason);
  if (seen !== null) {
    return t("console.reason.seen", { s: seen[1] ?? "" });
  }
  const status = /^status (\w+)$/.exec(reason);
  if (status !== null) {
    const key = (RESPONDER_STATUS_LABELS as Record<string, MessageKey | undefined>)[status[1] ?? ""];
    return key === undefined ? reason : t(key);
  }
  return reason;
}
