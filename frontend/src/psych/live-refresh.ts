/**
 * Keeps the attention tab current by fetching again what an event touches (nothing is patched
 * by hand): a psychological-crisis warning raised, escalated, taken in hand or resolved anywhere
 * in the jurisdiction re-fetches the attention list and the crisis warnings (debounced), and the
 * shown person's record when it is about them. A snapshot after the first (the link could not
 * resume) re-fetches everything.
 *
 * Topic `warnings` (the early-warning events of the jurisdiction alone; a counsellor's carry
 * psychological crises only). Should the server refuse it, the page fetches every `POLL_MS`
 * instead and says so in the console. Instructions and reports have no events: their tabs
 * fetch each time they are shown (a click on the shown tab fetches again).
 */

import { RealtimeClient } from "../shared/realtime";
import { debounce, refetchingHandler } from "../shared/refetch";
import type { WsEvent } from "../shared/types";
import { isWarningEvent } from "../shared/warnings/warning-events";

const DEBOUNCE_MS = 400;
const POLL_MS = 15_000;

export interface PsychRefresh {
  /** The attention list and the crisis warnings. */
  attention(): void;
  /** The shown person's record, if it is `personId` (any person: null). */
  person(personId: string | null): void;
  /** The topic was refused: from now on the page polls. */
  polling(): void;
}

/**
 * Pure: what a crisis event is about — undefined when the event is not a psychological-crisis
 * warning's, else the person (null when the event does not say).
 */
export function crisisSubject(event: WsEvent): string | null | undefined {
  if (!isWarningEvent(event) || event.data.rule !== "psych_crisis") {
    return undefined;
  }
  return typeof event.data.subject_id === "string" ? event.data.subject_id : null;
}

/** Starts the page's realtime client (which also drives the header's live indicator) and returns it. */
export function startPsychLive(refresh: PsychRefresh): RealtimeClient {
  const client = new RealtimeClient();
  const persons = new Set<string | null>();
  const flush = (): void => {
    refresh.attention();
    const ids = persons.has(null) ? [null] : [...persons];
    persons.clear();
    for (const id of ids) {
      refresh.person(id);
    }
  };
  const later = debounce(flush, DEBOUNCE_MS);
  const schedule = (personId: string | null): void => {
    persons.add(personId);
    later();
  };
  let polling: number | undefined;
  client.subscribe("warnings", {
    ...refetchingHandler({
      resync: () => schedule(null),
      event(message) {
        const subject = crisisSubject(message);
        if (subject !== undefined) {
          schedule(subject);
        }
      },
    }),
    error(message) {
      if (polling === undefined) {
        console.warn(`psych: topic warnings refused (${message.code}); fetching every ${POLL_MS / 1000} s instead`);
        polling = window.setInterval(() => schedule(null), POLL_MS);
        refresh.polling();
      }
    },
  });
  client.start();
  return client;
}
