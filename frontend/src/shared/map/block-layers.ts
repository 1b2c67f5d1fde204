/**
 * Key-person density and events heat: two hexagon layers fed from the block-data map API when
 * first switched on (they are off by default, so a wall that never shows them never asks).
 * Key persons are counted at resolution 8 (about 0.7 km² a cell) so no cell points at a home;
 * the server withholds counts of 1–4. Events are counted in a chosen window (24 h, 7 d, 30 d),
 * picked with a small control that shows while the layer is on.
 */

import { el, replaceChildren } from "../dom";
import { onLocaleChange, t, tk, type MessageKey } from "../i18n";
import type { LayerHandle, LayerStack } from "./layer-stack";
import type { CellCount } from "./layers/h3-aggregate";
import { eventsHeatLayer, keyPersonsLayer } from "./layers/h3-aggregate";
import { getCellCounts } from "./map-api";

export type EventsWindow = "24h" | "7d" | "30d";

const WINDOW_HOURS: Record<EventsWindow, number> = { "24h": 24, "7d": 24 * 7, "30d": 24 * 30 };
const WINDOW_LABELS: Record<EventsWindow, MessageKey> = {
  "24h": tk("eventsWindow.24h"),
  "7d": tk("eventsWindow.7d"),
  "30d": tk("eventsWindow.30d"),
};
/** Events keep coming: a visible events layer is refreshed this often. */
const EVENTS_REFRESH_MS = 5 * 60_000;
const KEY_PERSON_RES = 8;

/** `[since, until)` of a window ending now. */
export function windowRange(span: EventsWindow, now: Date): { since: Date; until: Date } {
  return { since: new Date(now.getTime() - WINDOW_HOURS[span] * 3_600_000), until: now };
}

export interface BlockLayerHandles {
  keyPersons: LayerHandle<readonly CellCount[]>;
  events: LayerHandle<readonly CellCount[]>;
}

/**
 * Adds both layers to `stack` (call between the base hexagons and the boundaries) and loads
 * each when it becomes visible. `container` gets `data-key-person-cells` / `data-event-cells`
 * (cells drawn) for tests, and the events window control.
 */
export function addBlockLayers(stack: LayerStack, container: HTMLElement, onError: () => void): BlockLayerHandles {
  const keyPersons = stack.add(keyPersonsLayer);
  const events = stack.add(eventsHeatLayer);
  let chosen: EventsWindow = "24h";
  let keyPersonsLoaded = false;
  let eventsLoadedAt = 0;
  let eventsRequest = 0;

  const control = el("div", { className: "events-window", attrs: { role: "group" } });
  container.append(control);

  const loadKeyPersons = async (): Promise<void> => {
    keyPersonsLoaded = true;
    try {
      const cells = await getCellCounts({ layer: "patients", res: KEY_PERSON_RES });
      keyPersons.setData(cells);
      container.dataset.keyPersonCells = String(cells.length);
    } catch (err) {
      keyPersonsLoaded = false;
      console.warn("key-person density failed to load", err);
      onError();
    }
  };
  const loadEvents = async (): Promise<void> => {
    const request = (eventsRequest += 1);
    eventsLoadedAt = Date.now();
    try {
      const cells = await getCellCounts({ layer: "events", res: 8, ...windowRange(chosen, new Date()) });
      if (request === eventsRequest) {
        events.setData(cells);
        container.dataset.eventCells = String(cells.length);
        container.dataset.eventWindow = chosen;
      }
    } catch (err) {
      eventsLoadedAt = 0;
      console.warn("events heat failed to load", err);
      onError();
    }
  };

  const visible = (id: string): boolean => stack.summary().some((s) => s.id === id && s.visible);
  const renderControl = (): void => {
    control.hidden = !visible(eventsHeatLayer.id);
    control.setAttribute("aria-label", t("eventsWindow.label"));
    replaceChildren(control, [
      el("span", { className: "events-window__label", text: t("eventsWindow.label") }),
      ...(Object.keys(WINDOW_LABELS) as EventsWindow[]).map((w) => {
        const button = el("button", {
          className: `events-window__btn${w === chosen ? " is-active" : ""}`,
          text: t(WINDOW_LABELS[w]),
          attrs: { type: "button", "aria-pressed": String(w === chosen) },
          dataset: { window: w },
        });
        button.addEventListener("click", () => {
          chosen = w;
          renderControl();
          void loadEvents();
        });
        return button;
      }),
    ]);
  };
  const sync = (): void => {
    if (visible(keyPersonsLayer.id) && !keyPersonsLoaded) {
      void loadKeyPersons();
    }
    if (visible(eventsHeatLayer.id) && Date.now() - eventsLoadedAt > EVENTS_REFRESH_MS) {
      void loadEvents();
    }
    renderControl();
  };
  stack.onChange(sync);
  onLocaleChange(renderControl);
  window.setInterval(() => visible(eventsHeatLayer.id) && void loadEvents(), EVENTS_REFRESH_MS);
  sync();
  return { keyPersons, events };
}
