/**
 * One incident followed live over its topic (`incident:<id>`): the detail (state, step,
 * assignments, checklists) and the append-only timeline.
 *
 * - The topic's snapshot carries the whole detail; after it (first, or after a reconnect that
 *   could not resume) the timeline is fetched from the last id held and merged by id.
 * - Events of the incident's stream reach every topic on it, so only those whose `subject` is
 *   this incident count. `incident.event` facts go into the timeline at once; any event about
 *   the incident refreshes the detail (debounced), because summaries on the stream carry no
 *   assignments.
 */

import { ApiError } from "../shared/http";
import { getIncident, getTimeline } from "../shared/incidents-api";
import { TimelineBook } from "../shared/panels/incident-timeline";
import type { RealtimeClient } from "../shared/realtime";
import type { IncidentDetail } from "../shared/types";

const REFRESH_DEBOUNCE_MS = 150;

export interface WatchHandlers {
  detail(detail: IncidentDetail): void;
  timeline(book: TimelineBook): void;
  /** The incident cannot be followed (not found, forbidden). */
  gone(code: string): void;
}

export class IncidentWatch {
  readonly incidentId: string;
  private readonly unsubscribe: () => void;
  private refreshTimer: number | undefined;
  private timelineLoading: Promise<void> | null = null;
  private timelineAgain = false;
  private fetchedThrough = 0;
  private disposed = false;

  constructor(
    client: RealtimeClient,
    incidentId: string,
    /** The timeline to fill (the caller draws it). */
    readonly book: TimelineBook,
    private readonly handlers: WatchHandlers,
  ) {
    this.incidentId = incidentId;
    this.unsubscribe = client.subscribe(`incident:${incidentId}`, {
      snapshot: (message) => {
        const detail = message.data.incident;
        if (typeof detail === "object" && detail !== null) {
          this.handlers.detail(detail as IncidentDetail);
        }
        void this.loadTimeline();
      },
      event: (message) => {
        if (message.subject !== incidentId) {
          return;
        }
        if (this.book.addEvent(message, incidentId)) {
          this.handlers.timeline(this.book);
        }
        this.scheduleRefresh();
      },
      error: (message) => this.handlers.gone(message.code),
    });
    // The topic's snapshot may take a moment on a busy link; show what HTTP has meanwhile.
    this.scheduleRefresh(0);
    void this.loadTimeline();
  }

  /** Fetch the detail again now (after an action of ours, so the panel answers at once). */
  refresh(): void {
    this.scheduleRefresh(0);
  }

  dispose(): void {
    this.disposed = true;
    window.clearTimeout(this.refreshTimer);
    this.unsubscribe();
  }

  private scheduleRefresh(delayMs = REFRESH_DEBOUNCE_MS): void {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.fetchDetail(), delayMs);
  }

  private async fetchDetail(): Promise<void> {
    try {
      const detail = await getIncident(this.incidentId);
      if (!this.disposed) {
        this.handlers.detail(detail);
      }
    } catch (err) {
      if (!this.disposed && err instanceof ApiError && err.status === 404) {
        this.handlers.gone("not_found");
      }
    }
  }

  /**
   * Fetches the log after what HTTP has delivered so far (pages of 500 until the end) and merges
   * it. The cursor is our own, not the book's last id: facts from the stream may already be past
   * a gap that only HTTP can fill. One fetch at a time; asking during one runs another after it.
   */
  private loadTimeline(): Promise<void> {
    if (this.timelineLoading !== null) {
      this.timelineAgain = true;
      return this.timelineLoading;
    }
    this.timelineLoading = (async () => {
      try {
        do {
          this.timelineAgain = false;
          for (;;) {
            const page = await getTimeline(this.incidentId, this.fetchedThrough);
            if (this.disposed) {
              return;
            }
            for (const entry of page) {
              this.fetchedThrough = Math.max(this.fetchedThrough, entry.id);
            }
            if (this.book.addEntries(page)) {
              this.handlers.timeline(this.book);
            }
            if (page.length < 500) {
              break;
            }
          }
        } while (this.timelineAgain);
      } catch (err) {
        console.warn("timeline", err);
      } finally {
        this.timelineLoading = null;
      }
    })();
    return this.timelineLoading;
  }
}
