/**
 * Keeps a page about one early-warning rule (or a few) current by fetching again what an event
 * touches (nothing is patched by hand): a warning of the rule raised, escalated, taken in hand or
 * resolved anywhere in the jurisdiction re-fetches the page's lists (debounced), and the shown
 * subject when it is about it. A snapshot after the first (the link could not resume) re-fetches
 * everything.
 *
 * Topic `warnings` (the early-warning events of the jurisdiction alone; a counsellor's carry
 * psychological crises only). Should the server refuse it, the page fetches every `POLL_MS`
 * instead and says so in the console. Used by the psych page (crises, about a person), the
 * ledger page (overdue checks, about an entry) and the rental page (overdue inspections and
 * rectifications, both about a house: `RuleRefresh.about` reads a hazard's house).
 *
 * A page of a service's work also follows that service's own topic (`WorkTopic`: `ledgers`,
 * `rentals`, `disputes`), so what others did there without a warning changing (a check of an
 * entry not overdue, an inspection, a mediation) shows at once, through the same debounce.
 */

import { RealtimeClient } from "../realtime";
import { debounce, refetchingHandler } from "../refetch";
import type { WarningRule, WsEvent } from "../types";
import { isWarningEvent } from "./warning-events";

const DEBOUNCE_MS = 400;
const POLL_MS = 15_000;

export interface RuleRefresh {
  /** The page's lists and warnings. */
  lists(): void;
  /** The shown subject, if it is `subjectId` (any subject: null). */
  subject(subjectId: string | null): void;
  /** The topic was refused: from now on the page polls. */
  polling(): void;
  /**
   * The subject the page shows for a warning event of its rules (null: unknown, refresh any);
   * the warning's own subject when absent.
   */
  about?(event: WsEvent): string | null;
}

/**
 * Pure: what an event of `rule` is about — undefined when the event is not a warning of that
 * rule, else its subject's id (null when the event does not say).
 */
export function subjectOfRule(event: WsEvent, rule: WarningRule): string | null | undefined {
  if (!isWarningEvent(event) || event.data.rule !== rule) {
    return undefined;
  }
  return typeof event.data.subject_id === "string" ? event.data.subject_id : null;
}

/** A service's own topic, whose events (`<service>.updated`) each name the thing they changed. */
export interface WorkTopic {
  /** `ledgers` (ledger.updated), `rentals` (rental.updated) or `disputes` (dispute.updated). */
  topic: string;
  /** The event's field that names the page's subject: `entry_id`, `house_id`, `dispute_id`. */
  subjectKey: string;
}

/** Pure: the subject an event of a work topic names (null when it does not say). */
export function subjectOfWork(event: WsEvent, work: WorkTopic): string | null {
  const id = event.data[work.subjectKey];
  return typeof id === "string" ? id : null;
}

/** Starts the page's realtime client (which also drives the header's live indicator) and returns it. */
export function startRuleLive(rule: WarningRule | readonly WarningRule[], refresh: RuleRefresh, work?: WorkTopic): RealtimeClient {
  const rules: readonly WarningRule[] = typeof rule === "string" ? [rule] : rule;
  const client = new RealtimeClient();
  const subjects = new Set<string | null>();
  const flush = (): void => {
    refresh.lists();
    const ids = subjects.has(null) ? [null] : [...subjects];
    subjects.clear();
    for (const id of ids) {
      refresh.subject(id);
    }
  };
  const later = debounce(flush, DEBOUNCE_MS);
  const schedule = (subjectId: string | null): void => {
    subjects.add(subjectId);
    later();
  };
  let polling: number | undefined;
  // no rules: a page whose user is not shown the rules' warnings (a department's desk) follows
  // its work topic alone
  if (rules.length > 0) {
    client.subscribe("warnings", {
      ...refetchingHandler({
        resync: () => schedule(null),
        event(message) {
          for (const one of rules) {
            const subject = subjectOfRule(message, one);
            if (subject !== undefined) {
              schedule(refresh.about === undefined ? subject : refresh.about(message));
              return;
            }
          }
        },
      }),
      error(message) {
        if (polling === undefined) {
          console.warn(`${rules.join(", ")}: topic warnings refused (${message.code}); fetching every ${POLL_MS / 1000} s instead`);
          polling = window.setInterval(() => schedule(null), POLL_MS);
          refresh.polling();
        }
      },
    });
  }
  if (work !== undefined) {
    client.subscribe(
      work.topic,
      refetchingHandler({
        resync: () => schedule(null),
        event: (message) => schedule(subjectOfWork(message, work)),
      }),
    );
  }
  client.start();
  return client;
}
