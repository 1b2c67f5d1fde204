/**
 * Keeps the ledger current by fetching again what an event touches (nothing is patched by hand):
 * an overdue-check warning raised, escalated, taken in hand or resolved anywhere in the
 * jurisdiction re-fetches the list and the warnings (debounced), and the shown entry when it is
 * about it. A snapshot after the first (the link could not resume) re-fetches everything.
 *
 * Topic `warnings` (the early-warning events of the jurisdiction alone). Should the server
 * refuse it, the page fetches every `POLL_MS` instead and says so in the console. Writes on
 * this page re-fetch by themselves; those made elsewhere without a warning event (a check of an
 * entry that was not overdue) show at the next fetch.
 */

import { RealtimeClient } from "../shared/realtime";
import { debounce, refetchingHandler } from "../shared/refetch";
import type { WsEvent } from "../shared/types";
import { isWarningEvent } from "../shared/warnings/warning-events";

const DEBOUNCE_MS = 400;
const POLL_MS = 15_000;

export interface LedgerRefresh {
  /** The list and the warnings. */
  entries(): void;
  /** The shown entry, if it is `entryId` (any entry: null). */
  entry(entryId: string | null): void;
  /** The topic was refused: from now on the page polls. */
  polling(): void;
}

/**
 * Pure: what an overdue-check event is about — undefined when the event is not a ledger
 * warning's, else the entry (null when the event does not say).
 */
export function ledgerSubject(event: WsEvent): string | null | undefined {
  if (!isWarningEvent(event) || event.data.rule !== "ledger_check_overdue") {
    return undefined;
  }
  return typeof event.data.subject_id === "string" ? event.data.subject_id : null;
}

/** Starts the page's realtime client (which also drives the header's live indicator) and returns it. */
export function startLedgersLive(refresh: LedgerRefresh): RealtimeClient {
  const client = new RealtimeClient();
  const entries = new Set<string | null>();
  const flush = (): void => {
    refresh.entries();
    const ids = entries.has(null) ? [null] : [...entries];
    entries.clear();
    for (const id of ids) {
      refresh.entry(id);
    }
  };
  const later = debounce(flush, DEBOUNCE_MS);
  const schedule = (entryId: string | null): void => {
    entries.add(entryId);
    later();
  };
  let polling: number | undefined;
  client.subscribe("warnings", {
    ...refetchingHandler({
      resync: () => schedule(null),
      event(message) {
        const subject = ledgerSubject(message);
        if (subject !== undefined) {
          schedule(subject);
        }
      },
    }),
    error(message) {
      if (polling === undefined) {
        console.warn(`ledgers: topic warnings refused (${message.code}); fetching every ${POLL_MS / 1000} s instead`);
        polling = window.setInterval(() => schedule(null), POLL_MS);
        refresh.polling();
      }
    },
  });
  client.start();
  return client;
}
