/**
 * The one place the app keeps need-to-know data (the accepted assignment's brief and the
 * patient record): sessionStorage, so a reload in the field still shows them, and gone with the
 * tab. `wipe()` removes them when the assignment ends or the incident closes; nothing else in
 * the app writes them anywhere (the offline queue holds only ids, ticks and the responder's own
 * notes).
 */

import type { AssignmentBrief, PatientRecord } from "./model";

const KEY = "pingan.responder.ntk";

export interface NeedToKnow {
  assignment_id: string;
  brief: AssignmentBrief;
  patient: PatientRecord | null;
}

export function keep(data: NeedToKnow): void {
  sessionStorage.setItem(KEY, JSON.stringify(data));
}

export function recall(): NeedToKnow | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw === null ? null : (JSON.parse(raw) as NeedToKnow);
  } catch {
    return null;
  }
}

export function wipe(): void {
  sessionStorage.removeItem(KEY);
}
