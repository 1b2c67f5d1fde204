/**
 * Warning events on an incidents topic (`wall`, `leader`): `warning.raised|escalated|
 * acknowledged|resolved` arrive for the topic's jurisdiction, carrying the warning's id, rule,
 * level, state and org path but no totals, so pages fetch again after them.
 */

import type { TopicHandler } from "../realtime";
import { debounce, refetchingHandler } from "../refetch";
import type { WsEvent } from "../types";

/** Warning events come in bursts (one rule pass raises several): one fetch after the burst. */
const SETTLE_MS = 400;

export function isWarningEvent(event: WsEvent): boolean {
  return event.kind.startsWith("warning.");
}

/**
 * A handler for an incidents topic that calls `changed` once a burst of warning events (and of
 * the `also` kinds, e.g. `dispute.updated`) has settled, and after a snapshot that could not
 * resume; incident events are ignored. Pass it to `startLiveFeed({ listeners })`, which owns the
 * topic.
 */
export function onWarningChanges(changed: () => void, also: readonly string[] = []): TopicHandler {
  const later = debounce(changed, SETTLE_MS);
  return refetchingHandler({
    event(message) {
      if (isWarningEvent(message) || also.includes(message.kind)) {
        later();
      }
    },
    resync: later,
  });
}
