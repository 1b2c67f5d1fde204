/**
 * For pages that re-fetch what an event touches rather than patch it by hand (case work, the
 * leader's warnings, the wall's warning figure): a debounced call, and a topic handler that
 * also says when events may have been missed.
 */

import type { TopicHandler } from "./realtime";
import type { WsEvent } from "./types";

/** `fn` called once, `ms` after the last of a burst of calls. */
export function debounce(fn: () => void, ms: number): () => void {
  let timer: number | undefined;
  return () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(fn, ms);
  };
}

export interface RefetchHandlers {
  /** Each event of the topic (at most once, in order). */
  event(message: WsEvent): void;
  /** A snapshot after the first: the link could not resume, events may have been missed. */
  resync(): void;
}

/** A topic handler for a page that fetches its own data: the first snapshot is ignored. */
export function refetchingHandler(handlers: RefetchHandlers): TopicHandler {
  let snapshots = 0;
  return {
    snapshot() {
      snapshots += 1;
      if (snapshots > 1) {
        handlers.resync();
      }
    },
    event(message) {
      handlers.event(message);
    },
  };
}
