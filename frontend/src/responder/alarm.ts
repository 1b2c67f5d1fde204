/**
 * The offer alarm: a loud two-tone WebAudio siren and a vibration pattern, repeated until the
 * responder answers. No sound file: the tone is synthesised, so it works offline and in the
 * installed app. Browsers only let audio start after a tap on the page; `unlock()` is called on
 * the first tap anywhere (the duty switch, usually), so a later offer can sound at once.
 */

const VIBRATION = [600, 200, 600, 200, 1200];
const REPEAT_MS = 3_000;

let audio: AudioContext | null = null;
let timer: number | undefined;

function context(): AudioContext | null {
  if (audio === null && typeof AudioContext !== "undefined") {
    try {
      audio = new AudioContext();
    } catch {
      audio = null;
    }
  }
  return audio;
}

/** Lets later alarms sound; call from a user gesture. */
export function unlock(): void {
  const ctx = context();
  if (ctx !== null && ctx.state === "suspended") {
    void ctx.resume().catch(() => undefined);
  }
}

function siren(ctx: AudioContext): void {
  const now = ctx.currentTime;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "square";
  // Two alternating pitches carry further outdoors than one; 960/770 Hz sit where phone speakers are loud.
  for (let i = 0; i < 6; i += 1) {
    osc.frequency.setValueAtTime(i % 2 === 0 ? 960 : 770, now + i * 0.3);
  }
  gain.gain.setValueAtTime(0.0001, now);
  gain.gain.exponentialRampToValueAtTime(0.6, now + 0.03);
  gain.gain.setValueAtTime(0.6, now + 1.75);
  gain.gain.exponentialRampToValueAtTime(0.0001, now + 1.8);
  osc.connect(gain).connect(ctx.destination);
  osc.start(now);
  osc.stop(now + 1.85);
}

function ring(): void {
  const ctx = context();
  if (ctx !== null) {
    if (ctx.state === "suspended") {
      void ctx.resume().catch(() => undefined);
    }
    siren(ctx);
  }
  if ("vibrate" in navigator) {
    navigator.vibrate(VIBRATION);
  }
}

/** Starts the alarm (no-op when already ringing). */
export function startAlarm(): void {
  if (timer !== undefined) {
    return;
  }
  ring();
  timer = window.setInterval(ring, REPEAT_MS);
  document.documentElement.dataset.alarm = "on";
}

export function stopAlarm(): void {
  window.clearInterval(timer);
  timer = undefined;
  if ("vibrate" in navigator) {
    navigator.vibrate(0);
  }
  delete document.documentElement.dataset.alarm;
}
