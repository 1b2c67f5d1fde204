/**
 * Keeps the page current without patching anything by hand: any warning or visit event
 * re-fetches the worklist and the warnings (debounced), and the selected patient's record when
 * the event is about them.
 *
 * Topics: `me` (warnings about patients on the user's care teams, visits other members record)
 * and `wall` (warnings of the whole jurisdiction; its incident events are ignored here). A
 * snapshot after the first one of a topic means the link could not resume: events may have been
 * missed, so everything is fetched again.
 */

import { RealtimeClient } from "../shared/realtime";
import { debounce, refetchingHandler } from "../shared/refetch";
import type { WsEvent } from "../shared/types";
import { isWarningEvent } from "../shared/warnings/warning-events";

const DEBOUNCE_MS = 400;

export interface CaseworkRefresh {
  /** Fetch the worklist and the warnings again. */
  lists(): void;
  /** Fetch the shown patient's record again if it is `patientId` (any patient: null). */
  patient(patientId: string | null): void;
}

/** The patient an event is about, or null when the event is not the page's business. */
export function patientOfEvent(event: WsEvent): string | null {
  const data = event.data;
  if (isWarningEvent(event)) {
    return data.subject_type === "patient" && typeof data.subject_id === "string" ? data.subject_id : "";
  }
  if (event.kind === "follow_up.recorded") {
    return typeof data.patient_id === "string" ? data.patient_id : "";
  }
  return null;
}

/** Starts the realtime client of the page and returns it. */
export function startCaseworkLive(refresh: CaseworkRefresh): RealtimeClient {
  const client = new RealtimeClient();
  // Patients to re-read at the next flush; null stands for "whoever is shown".
  const patients = new Set<string | null>();
  const flush = (): void => {
    refresh.lists();
    const ids = patients.has(null) ? [null] : [...patients];
    patients.clear();
    for (const id of ids) {
      refresh.patient(id);
    }
  };
  const later = debounce(flush, DEBOUNCE_MS);
  const schedule = (patientId: string | null): void => {
    if (patientId !== "") {
      patients.add(patientId);
    }
    later();
  };
  for (const topic of ["me", "wall"]) {
    client.subscribe(
      topic,
      refetchingHandler({
        resync: () => schedule(null),
        event(message) {
          const patient = patientOfEvent(message);
          if (patient !== null) {
            schedule(patient);
          }
        },
      }),
    );
  }
  client.start();
  return client;
}
