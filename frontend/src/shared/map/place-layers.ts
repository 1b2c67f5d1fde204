/**
 * The wall's key places and coverage gaps: modules added to the stack, loaded from the API the
 * first time they are switched on in the legend (all off by default, so a wall that never shows
 * them never asks), filtered to the drill-down focus on the client.
 *
 * - key places (`GET /api/map/key-places`, one request for all four kinds), refreshed each
 *   minute while any kind is visible so hospital beds stay current;
 * - coverage gaps (`GET /api/coverage/gaps`, 10 minutes, police), refreshed every 30 s and a few
 *   seconds after responder positions change (the server caches answers for 5 s, so many walls
 *   cost one computation).
 *
 * The container carries `data-key-areas`, `data-key-facilities`, `data-safety-posts`,
 * `data-hospitals`, `data-coverage-gaps` (what is drawn) and `data-coverage-checked` for tests.
 */

import { getCoverageGaps, getKeyPlaces } from "../api";
import { getLiveState, onLiveChange, type OrgFocus } from "../live";
import type { CoverageGap, CoverageGaps, KeyPlace, KeyPlaceKind, OrgUnitCollection } from "../types";
import type { LayerHandle, LayerStack } from "./layer-stack";
import { coverageGapsLayer, type CoverageGapData } from "./layers/coverage-gaps";
import { KEY_PLACE_KINDS, keyPlaceLayer } from "./layers/key-places";

const PLACES_REFRESH_MS = 60_000;
const GAPS_REFRESH_MS = 30_000;
/** After a positions batch, wait this long (batches come every second or so) before asking again. */
const GAPS_AFTER_MOVES_MS = 5_000;
export const GAP_MINUTES = 10;

const DATASET: Record<KeyPlaceKind, string> = {
  key_area: "keyAreas",
  key_facility: "keyFacilities",
  safety_post: "safetyPosts",
  hospital: "hospitals",
};

/** Whether an org path lies inside the focus (everything, without one). */
function pathInFocus(path: string, focus: OrgFocus | null): boolean {
  return focus === null || path === focus.path || path.startsWith(`${focus.path}.`);
}

function visible(stack: LayerStack, id: string): boolean {
  return stack.summary().some((s) => s.id === id && s.visible);
}

/** Adds the four key-place modules (call above the boundaries) and loads them when shown. */
export function addKeyPlaceLayers(stack: LayerStack, container: HTMLElement, onError: () => void): void {
  const modules = KEY_PLACE_KINDS.map((kind) => ({ kind, module: keyPlaceLayer(kind) }));
  const handles = new Map<KeyPlaceKind, LayerHandle<readonly KeyPlace[]>>(modules.map(({ kind, module }) => [kind, stack.add(module)]));
  let places: readonly KeyPlace[] | null = null;
  let loadedAt = 0;
  let loading = false;

  const publish = (): void => {
    if (places === null) {
      return;
    }
    const focus = getLiveState().focus;
    for (const kind of KEY_PLACE_KINDS) {
      const shown = places.filter((p) => p.kind === kind && pathInFocus(p.org_path, focus));
      handles.get(kind)?.setData(shown);
      container.dataset[DATASET[kind]] = String(shown.length);
    }
  };
  const load = async (): Promise<void> => {
    loading = true;
    loadedAt = Date.now();
    try {
      places = (await getKeyPlaces()).items;
      publish();
    } catch (err) {
      loadedAt = 0;
      console.warn("key places failed to load", err);
      onError();
    } finally {
      loading = false;
    }
  };
  const anyVisible = (): boolean => modules.some(({ module }) => visible(stack, module.id));
  const sync = (): void => {
    if (anyVisible() && !loading && Date.now() - loadedAt > PLACES_REFRESH_MS) {
      void load();
    }
  };
  stack.onChange(sync);
  onLiveChange((_, part) => part === "focus" && publish());
  window.setInterval(sync, PLACES_REFRESH_MS);
  sync();
}

/**
 * Adds the coverage-gaps module (call under the boundaries); `grids` resolves to the grid
 * boundaries the map loads anyway, on which the gaps are drawn.
 */
export function addCoverageLayer(
  stack: LayerStack,
  container: HTMLElement,
  grids: Promise<OrgUnitCollection | null>,
  onError: () => void,
): void {
  const handle = stack.add(coverageGapsLayer);
  let answer: CoverageGaps | null = null;
  let boundaries: OrgUnitCollection | null = null;
  let request = 0;
  let moved: number | undefined;

  const publish = (): void => {
    if (answer === null) {
      return;
    }
    const focus = getLiveState().focus;
    const gaps: CoverageGap[] = answer.gaps.filter((g) => pathInFocus(g.path, focus));
    const data: CoverageGapData = { gaps, grids: boundaries };
    handle.setData(data);
    container.dataset.coverageGaps = String(gaps.length);
    container.dataset.coverageChecked = String(answer.grids_checked);
  };
  const load = async (): Promise<void> => {
    const mine = (request += 1);
    try {
      const body = await getCoverageGaps(GAP_MINUTES);
      if (mine === request) {
        answer = body;
        publish();
      }
    } catch (err) {
      console.warn("coverage gaps failed to load", err);
      onError();
    }
  };
  const shown = (): boolean => visible(stack, coverageGapsLayer.id);
  let wasShown = false;
  stack.onChange(() => {
    const now = shown();
    if (now && !wasShown) {
      void load();
    }
    wasShown = now;
  });
  onLiveChange((_, part) => {
    if (part === "focus") {
      publish();
    } else if (part === "responders" && shown() && moved === undefined) {
      moved = window.setTimeout(() => {
        moved = undefined;
        void load();
      }, GAPS_AFTER_MOVES_MS);
    }
  });
  void grids.then((collection) => {
    boundaries = collection;
    publish();
  });
  window.setInterval(() => shown() && void load(), GAPS_REFRESH_MS);
}
