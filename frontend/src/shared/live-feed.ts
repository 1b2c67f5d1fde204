/**
 * Connects a page's live store to the realtime client: the incidents topic (`wall` or `leader`)
 * feeds the incident list, KPI tiles and ticker; `positions` feeds the responder layer and
 * counts. One call per page: `startLiveFeed({ incidentsTopic: "wall" })`.
 *
 * After a reconnect nothing is patched by guesswork: the server either replays exactly what was
 * missed (events, de-duplicated by id) or sends a snapshot that replaces the list, and the
 * first positions batch after resubscribing replaces the positions.
 */

import { onLocaleChange } from "./i18n";
import { deriveKpis, IncidentBook, kpiFigures, renderTickerLine, tickerLineFor, type KpiFigures, type TickerLine } from "./incident-events";
import { getLiveState, pushTickerEvents, setKpis, setLiveIncidents, setResponderPositions, setTickerEvents, setTodayKpis, TICKER_LIMIT } from "./live";
import { PositionBook } from "./positions-feed";
import { RealtimeClient, type TopicHandler } from "./realtime";

/** Ages of positions are recomputed this often, so silent responders turn stale on time. */
const AGE_TICK_MS = 5_000;

export interface LiveFeedOptions {
  /** `wall` for the wall and console, `leader` for the leader view (optionally `:<org path>`). */
  incidentsTopic: string;
  /** Also subscribe to `positions` (default true). */
  positions?: boolean;
  /**
   * More handlers of the incidents topic, given each snapshot and event before the feed uses it
   * (the client holds one handler per topic; warning events ride the same stream).
   */
  listeners?: readonly TopicHandler[];
}

/** Starts the realtime client for this page and returns it (it runs until the page unloads). */
export function startLiveFeed(options: LiveFeedOptions): RealtimeClient {
  const client = new RealtimeClient();
  const incidents = new IncidentBook();
  const positions = new PositionBook();
  let figures: KpiFigures = null;
  let incidentsLoaded = false;
  // The ticker's lines, oldest first, kept unworded so a language change can re-word them.
  let tickerLines: TickerLine[] = [];

  const publishKpis = (): void => {
    if (incidentsLoaded) {
      setKpis(deriveKpis(incidents.list(), positions.onDutyCount(), figures));
    }
  };
  const publishPositions = (): void => {
    if (positions.isLoaded) {
      setResponderPositions(positions.list(client.serverNow() / 1000));
    }
  };

  const listeners = options.listeners ?? [];
  client.subscribe(options.incidentsTopic, {
    snapshot(message) {
      for (const listener of listeners) {
        listener.snapshot?.(message);
      }
      incidents.replace(message.data);
      figures = kpiFigures(message.data);
      if (getLiveState().focus === null) {
        setTodayKpis(figures); // the snapshot's are of the whole jurisdiction
      }
      incidentsLoaded = true;
      setLiveIncidents(incidents.list());
      pushTickerEvents([]); // loaded: the ticker says "no events yet" instead of "waiting"
      publishKpis();
    },
    event(message) {
      for (const listener of listeners) {
        listener.event?.(message);
      }
      const change = incidents.apply(message);
      if (change === null) {
        return;
      }
      setLiveIncidents(incidents.list());
      publishKpis();
      const line = tickerLineFor(message, change);
      if (line !== null) {
        tickerLines = [...tickerLines, line].slice(-TICKER_LIMIT);
        pushTickerEvents([renderTickerLine(line)]);
      }
    },
  });

  if (options.positions ?? true) {
    client.subscribe("positions", {
      positions(message, full) {
        positions.apply(message, full);
        publishPositions();
        publishKpis();
      },
    });
    window.setInterval(publishPositions, AGE_TICK_MS);
  }

  onLocaleChange(() => {
    if (tickerLines.length > 0) {
      setTickerEvents(tickerLines.map(renderTickerLine));
    }
  });

  client.start();
  return client;
}
