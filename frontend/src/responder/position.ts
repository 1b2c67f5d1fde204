/**
 * Position sharing while on duty: `watchPosition` in, `position` messages over the socket out,
 * at the pace `pacing.ts` sets. While the link is down only the latest fix is kept, and it goes
 * as soon as the link returns. A still phone gets no new fixes from the browser, so the last
 * fix is re-sent (with the current time) as a heartbeat while it is recent.
 */

import type { WsPositionUpdate } from "../shared/types";
import { type Fix, intervalMs, isDue, MAX_FIX_AGE_MS } from "./pacing";

/** What the banner says about position sharing. */
export type SharingState = "off" | "waiting" | "shared" | "held" | "denied" | "unavailable";

export interface PositionSink {
  /** Sends now; false when the link is down (the fix is then held). */
  send(message: WsPositionUpdate): boolean;
}

interface BatteryLike {
  level: number;
  charging: boolean;
}

export class PositionSharer {
  private watchId: number | null = null;
  private ticker: number | undefined;
  private latest: Fix | null = null;
  private lastSent: Fix | null = null;
  private lastSentAt = 0;
  private held = false;
  private lowBattery = false;
  private state: SharingState = "off";

  constructor(
    private readonly sink: PositionSink,
    private readonly onState: (state: SharingState) => void,
  ) {
    void this.watchBattery();
  }

  start(): void {
    if (this.watchId !== null) {
      return;
    }
    if (!("geolocation" in navigator)) {
      this.setState("unavailable");
      return;
    }
    this.setState("waiting");
    this.watchId = navigator.geolocation.watchPosition(
      (p) => this.onFix(p),
      (err) => this.setState(err.code === err.PERMISSION_DENIED ? "denied" : "unavailable"),
      { enableHighAccuracy: true, maximumAge: 5_000, timeout: 30_000 },
    );
    this.ticker = window.setInterval(() => this.tick(), 1_000);
  }

  stop(): void {
    if (this.watchId !== null) {
      navigator.geolocation.clearWatch(this.watchId);
    }
    this.watchId = null;
    window.clearInterval(this.ticker);
    this.latest = null;
    this.lastSent = null;
    this.held = false;
    this.setState("off");
  }

  /** The link is back: send the held fix now, whatever the pace says. */
  flush(): void {
    if (this.latest !== null && this.held) {
      this.sendFix(this.latest, this.latest.at);
    }
  }

  getState(): SharingState {
    return this.state;
  }

  private onFix(p: GeolocationPosition): void {
    this.latest = {
      lat: p.coords.latitude,
      lon: p.coords.longitude,
      accuracy_m: Math.min(5000, Math.max(0, p.coords.accuracy)),
      speed_mps: p.coords.speed === null || Number.isNaN(p.coords.speed) ? null : Math.min(100, Math.max(0, p.coords.speed)),
      heading_deg: p.coords.heading === null || Number.isNaN(p.coords.heading) ? null : p.coords.heading % 360,
      at: Date.now(),
    };
    this.held = true;
    if (this.state === "waiting" || this.state === "denied" || this.state === "unavailable") {
      this.setState("held");
    }
    this.tick();
  }

  private tick(): void {
    const fix = this.latest;
    if (fix === null) {
      return;
    }
    const now = Date.now();
    if (this.held) {
      if (isDue(now, fix, this.lastSent, this.lastSentAt, this.lowBattery)) {
        this.sendFix(fix, fix.at);
      }
      return;
    }
    // Heartbeat: nothing new from the GPS, the phone is where it was.
    if (now - fix.at < MAX_FIX_AGE_MS && now - this.lastSentAt >= intervalMs(fix, fix, this.lowBattery)) {
      this.sendFix(fix, now);
    } else if (now - fix.at >= MAX_FIX_AGE_MS && this.state === "shared") {
      this.setState("waiting");
    }
  }

  private sendFix(fix: Fix, at: number): void {
    const message: WsPositionUpdate = {
      type: "position",
      lat: fix.lat,
      lon: fix.lon,
      ts: at / 1000,
      accuracy_m: fix.accuracy_m,
      ...(fix.speed_mps === null ? {} : { speed_mps: fix.speed_mps }),
      heading_deg: fix.heading_deg,
    };
    if (this.sink.send(message)) {
      this.lastSent = fix;
      this.lastSentAt = Date.now();
      this.held = false;
      this.setState("shared");
    } else {
      this.held = true; // only the latest is kept: the next fix replaces this one
      this.setState("held");
    }
  }

  private setState(state: SharingState): void {
    if (state !== this.state) {
      this.state = state;
      this.onState(state);
    }
  }

  private async watchBattery(): Promise<void> {
    const nav = navigator as Navigator & { getBattery?: () => Promise<BatteryLike & EventTarget> };
    if (typeof nav.getBattery !== "function") {
      return;
    }
    try {
      const battery = await nav.getBattery();
      const update = (): void => {
        this.lowBattery = !battery.charging && battery.level < 0.2;
      };
      update();
      battery.addEventListener("levelchange", update);
      battery.addEventListener("chargingchange", update);
    } catch {
      // not offered by this browser: pace as if charged
    }
  }
}
