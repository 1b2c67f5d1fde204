/**
 * What the responder app shows and what its buttons do, decoupled from how it is transported.
 *
 * The realtime/positions client calls `setOnDuty`, `showAssignment` and
 * `registerResponderHandlers`; until handlers are registered the buttons stay disabled and say
 * the app is not connected, instead of pretending an action was sent.
 */

import type { ResponderAssignment } from "../shared/types";

export type AssignmentAction = "accept" | "decline" | "en_route" | "on_scene" | "clear";

export interface ResponderHandlers {
  /** Turns duty (and position sharing) on or off; rejects with an ApiError on failure. */
  setDuty(onDuty: boolean): Promise<void>;
  /** Sends one assignment step; rejects with an ApiError on failure. */
  act(assignmentId: string, action: AssignmentAction): Promise<void>;
}

export interface ResponderViewState {
  onDuty: boolean;
  assignment: ResponderAssignment | null;
  handlers: ResponderHandlers | null;
}

let state: ResponderViewState = { onDuty: false, assignment: null, handlers: null };
const listeners = new Set<(s: ResponderViewState) => void>();

function emit(next: ResponderViewState): void {
  state = next;
  for (const listener of listeners) {
    listener(state);
  }
}

export function registerResponderHandlers(handlers: ResponderHandlers): void {
  emit({ ...state, handlers });
}

/** The server's view of this responder's duty status. */
export function setOnDuty(onDuty: boolean): void {
  emit({ ...state, onDuty });
}

/** The current assignment, or null when there is none. */
export function showAssignment(assignment: ResponderAssignment | null): void {
  emit({ ...state, assignment });
}

export function getResponderState(): ResponderViewState {
  return state;
}

export function onResponderChange(listener: (s: ResponderViewState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
