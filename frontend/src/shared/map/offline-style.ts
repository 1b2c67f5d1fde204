/**
 * The basemap used when no `map_style_url` is configured: a plain background and nothing else.
 *
 * It needs no tiles, sprites or glyph server, so the map works on an air-gapped network and in
 * tests. Every label is drawn by deck.gl (`TextLayer`) with the system's CJK fonts instead.
 */

import type { StyleSpecification } from "maplibre-gl";

export function offlineStyle(background: string): StyleSpecification {
  return {
    version: 8,
    name: "pingan-offline",
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": background } }],
  };
}
