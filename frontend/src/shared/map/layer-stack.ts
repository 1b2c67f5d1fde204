/**
 * Holds the map's layer modules, their data and visibility, and redraws the deck.gl overlay.
 *
 * Redraws are coalesced to one per animation frame however many updates arrive. Animated
 * modules (pulsing incidents) get a ~30 fps clock only while they are visible and have data,
 * so an idle wall costs nothing.
 */

import type { LayersList, PickingInfo } from "@deck.gl/core";
import type { MapLibreOverlay } from "@deck.gl/maplibre";
import { getLocale, onLocaleChange } from "../i18n";
import type { LayerContext, MapLayerModule } from "./layer-module";

interface Entry {
  module: MapLayerModule<unknown>;
  data: unknown;
  visible: boolean;
}

/** Control of one added module, typed by its data. */
export interface LayerHandle<D> {
  setData(data: D | null): void;
  setVisible(visible: boolean): void;
}

export interface LayerSummary {
  id: string;
  module: MapLayerModule<unknown>;
  visible: boolean;
}

const FRAME_MS = 1000 / 30;

export class LayerStack {
  private readonly entries: Entry[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly ctx: LayerContext;
  private readonly reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  private frame: number | null = null;
  private timer: number | null = null;
  private lastTick = 0;

  constructor(
    private readonly overlay: MapLibreOverlay,
    initial: { zoom: number; scale: number },
  ) {
    this.ctx = { zoom: initial.zoom, scale: initial.scale, locale: getLocale(), timeMs: 0 };
    this.overlay.setProps({ getTooltip: (info: PickingInfo) => this.tooltip(info) });
    onLocaleChange((locale) => {
      this.ctx.locale = locale;
      this.schedule();
    });
  }

  /** Adds a module on top of the ones added before; returns its data/visibility handle. */
  add<D>(module: MapLayerModule<D>): LayerHandle<D> {
    const entry: Entry = { module: module as MapLayerModule<unknown>, data: null, visible: module.defaultVisible };
    this.entries.push(entry);
    this.schedule();
    return {
      setData: (data) => {
        entry.data = data;
        this.schedule();
      },
      setVisible: (visible) => this.setVisible(module.id, visible),
    };
  }

  /** Shows or hides a module (the legend's toggles call this). */
  setVisible(id: string, visible: boolean): void {
    const entry = this.entries.find((e) => e.module.id === id);
    if (entry === undefined || entry.visible === visible) {
      return;
    }
    entry.visible = visible;
    this.schedule();
    for (const listener of this.listeners) {
      listener();
    }
  }

  /** The modules in drawing order, for the legend. */
  summary(): LayerSummary[] {
    return this.entries.map((e) => ({ id: e.module.id, module: e.module, visible: e.visible }));
  }

  /** Calls `listener` when visibility changes; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setZoom(zoom: number): void {
    this.ctx.zoom = zoom;
    this.schedule();
  }

  setScale(scale: number): void {
    this.ctx.scale = scale;
    this.schedule();
  }

  private schedule(): void {
    this.frame ??= window.requestAnimationFrame((now) => this.draw(now));
  }

  private draw(now: number): void {
    this.frame = null;
    if (!this.reducedMotion.matches) {
      this.ctx.timeMs = now;
    }
    this.lastTick = now;
    const layers: LayersList = [];
    for (const entry of this.entries) {
      if (entry.visible) {
        layers.push(...entry.module.build(entry.data, { ...this.ctx }));
      }
    }
    this.overlay.setProps({ layers });
    if (this.timer === null && this.needsAnimation()) {
      // One timer at most: data updates in between redraw early but never start a second chain.
      this.timer = window.setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, Math.max(0, FRAME_MS - (performance.now() - this.lastTick)));
    }
  }

  private needsAnimation(): boolean {
    return (
      !this.reducedMotion.matches &&
      this.entries.some((e) => e.visible && e.module.animated && Array.isArray(e.data) && e.data.length > 0)
    );
  }

  private tooltip(info: PickingInfo): { text: string; className: string } | null {
    if (info.object === undefined || info.object === null || info.layer === null || info.layer === undefined) {
      return null;
    }
    const layerId = info.layer.id;
    const entry = this.entries.find((e) => layerId.startsWith(`${e.module.id}-`));
    const text = entry?.module.tooltip?.(info.object, { ...this.ctx }) ?? null;
    return text === null ? null : { text, className: "map-tooltip" };
  }
}
