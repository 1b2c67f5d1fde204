/**
 * What the responder app shows, in one immutable object with listeners. The controller
 * (`controller.ts`) is the only writer; views read and re-render.
 */

import type { AssignmentBrief, AssignmentState, DutyStatus, Offer, PatientRecord, QueuedCommand } from "./model";
import type { SharingState } from "./position";
import type { PushState } from "./push";

/** The assignment being worked (accepted, en route or on scene). */
export interface Work {
  assignment_id: string;
  incident_id: string;
  role: string;
  kind: string;
  priority: number;
  address: string | null;
  lat: number;
  lon: number;
  /** The state as the responder last set it (ahead of the server while queued). */
  state: AssignmentState;
  brief: AssignmentBrief | null;
  patient: PatientRecord | null;
  /** Items ticked here, shown ticked before the server confirms. */
  ticked: string[];
  /** Notes written here, newest last. */
  notes: string[];
}

export type NoticeKind = "info" | "error";

export interface Notice {
  kind: NoticeKind;
  text: string;
}

export interface ResponderViewState {
  /** Null until the server said (or when the account is not a responder). */
  duty: DutyStatus | null;
  dutyBusy: boolean;
  sharing: SharingState;
  queued: readonly QueuedCommand[];
  offers: Offer[];
  work: Work | null;
  notice: Notice | null;
  push: PushState | null;
  notResponder: boolean;
}

const INITIAL: ResponderViewState = {
  duty: null,
  dutyBusy: false,
  sharing: "off",
  queued: [],
  offers: [],
  work: null,
  notice: null,
  push: null,
  notResponder: false,
};

let state: ResponderViewState = INITIAL;
const listeners = new Set<(s: ResponderViewState) => void>();

export function getResponderState(): ResponderViewState {
  return state;
}

/** Replaces part of the state and tells every listener. */
export function update(patch: Partial<ResponderViewState>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) {
    listener(state);
  }
}

export function updateWork(patch: Partial<Work>): void {
  if (state.work !== null) {
    update({ work: { ...state.work, ...patch } });
  }
}

export function onResponderChange(listener: (s: ResponderViewState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
