/**
 * Every user-visible string goes through `t(key)`; the tables are `i18n/zh-CN.json` (default)
 * and `i18n/en.json` plus one pair per app area (`i18n/responder.zh-CN.json`, …), flat `"area.thing": "text"` maps with `{name}` placeholders.
 *
 * Keys must be written literally — `t("wall.title")`, `tk("layer.incidents")`, or
 * `data-i18n="wall.title"` in HTML — so `npm run i18n:check` can find every key in use.
 * Never build a key from pieces at run time; map values to keys with a table of `tk(...)`.
 */

import caseworkEn from "./i18n/casework.en.json";
import caseworkZh from "./i18n/casework.zh-CN.json";
import consoleEn from "./i18n/console.en.json";
import consoleZh from "./i18n/console.zh-CN.json";
import disputesEn from "./i18n/disputes.en.json";
import disputesZh from "./i18n/disputes.zh-CN.json";
import en from "./i18n/en.json";
import leaderEn from "./i18n/leader.en.json";
import leaderZh from "./i18n/leader.zh-CN.json";
import ledgersEn from "./i18n/ledgers.en.json";
import ledgersZh from "./i18n/ledgers.zh-CN.json";
import psychEn from "./i18n/psych.en.json";
import psychZh from "./i18n/psych.zh-CN.json";
import rentalsEn from "./i18n/rentals.en.json";
import rentalsZh from "./i18n/rentals.zh-CN.json";
import responderEn from "./i18n/responder.en.json";
import responderZh from "./i18n/responder.zh-CN.json";
import zhCN from "./i18n/zh-CN.json";
import type { Locale } from "./types";

// One table per app area (`<area>.<locale>.json`) beside the shared one, so work on one page
// never edits another page's texts; together they form one flat key space.
const zhAll = { ...zhCN, ...consoleZh, ...leaderZh, ...responderZh, ...caseworkZh, ...psychZh, ...ledgersZh, ...rentalsZh, ...disputesZh };
const enAll = { ...en, ...consoleEn, ...leaderEn, ...responderEn, ...caseworkEn, ...psychEn, ...ledgersEn, ...rentalsEn, ...disputesEn };

export type MessageKey = keyof typeof zhAll;
export type { Locale };

const TABLES: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zhAll, en: enAll };
export const LOCALES: readonly Locale[] = ["zh-CN", "en"];
const STORAGE_KEY = "pingan.locale";

let current: Locale = "zh-CN";
const listeners = new Set<(locale: Locale) => void>();

/** Marks a string literal as a message key (type-checked) without translating it yet. */
export function tk<K extends MessageKey>(key: K): K {
  return key;
}

/** The text for `key` in the current language, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = TABLES[current][key] ?? TABLES["zh-CN"][key] ?? key;
  if (params === undefined) {
    return text;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function getLocale(): Locale {
  return current;
}

function isLocale(value: unknown): value is Locale {
  return value === "zh-CN" || value === "en";
}

/**
 * Picks the starting language: the user's own earlier choice, else the server's default, else
 * zh-CN. Call once at boot, and again with the server default once client-config arrives.
 */
export function initLocale(serverDefault?: Locale): void {
  const stored = localStorage.getItem(STORAGE_KEY);
  const next = isLocale(stored) ? stored : (serverDefault ?? "zh-CN");
  applyLocale(next);
}

/** Switches language, remembers the choice on this device and re-renders subscribers. */
export function setLocale(locale: Locale): void {
  localStorage.setItem(STORAGE_KEY, locale);
  applyLocale(locale);
}

function applyLocale(locale: Locale): void {
  const changed = locale !== current;
  current = locale;
  document.documentElement.lang = locale;
  translateDom(document);
  if (changed) {
    for (const listener of listeners) {
      listener(locale);
    }
  }
}

/** Calls `listener` after every language change; returns the unsubscribe function. */
export function onLocaleChange(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const ATTRIBUTES = [
  ["data-i18n-placeholder", "placeholder"],
  ["data-i18n-title", "title"],
  ["data-i18n-aria-label", "aria-label"],
] as const;

/**
 * Fills static markup: `data-i18n` sets the text, `data-i18n-placeholder` / `-title` /
 * `-aria-label` set those attributes, and `<title data-i18n>` sets the document title.
 */
export function translateDom(root: ParentNode): void {
  for (const node of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n as MessageKey);
  }
  for (const [data, attribute] of ATTRIBUTES) {
    for (const node of root.querySelectorAll<HTMLElement>(`[${data}]`)) {
      node.setAttribute(attribute, t(node.getAttribute(data) as MessageKey));
    }
  }
}

/** A duration in seconds as `m:ss` or `h:mm:ss` (for timers and KPIs); "—" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) {
    return "—";
  }
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/**
 * An estimated travel time in whole minutes ("约 12 分钟", "1 小时 33 分"): an estimate to the
 * second ("1:32:37") claims a precision the speed model does not have.
 */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) {
    return "—";
  }
  if (seconds < 60) {
    return t("eta.underMinute");
  }
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) {
    return t("eta.minutes", { m: minutes });
  }
  return t("eta.hours", { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** Wall-clock time in the current language (24-hour). */
export function formatClock(date: Date, withSeconds = true): string {
  return new Intl.DateTimeFormat(current, {
    hour: "2-digit",
    minute: "2-digit",
    ...(withSeconds ? { second: "2-digit" } : {}),
    hour12: false,
  }).format(date);
}

/** Full date with weekday in the current language. */
export function formatDate(date: Date): string {
  return new Intl.DateTimeFormat(current, { year: "numeric", month: "long", day: "numeric", weekday: "long" }).format(date);
}

/** The name of a place or unit in the current language (zh-CN → `name_zh`, else `name_en`). */
export function localName(named: { name_zh: string; name_en: string }): string {
  return current === "zh-CN" ? named.name_zh : named.name_en;
}

/** A label from `table`, or the server's raw value when it sent one we have no words for. */
export function labelOf<K extends string>(table: Readonly<Record<K, MessageKey>>, value: string): string {
  return Object.hasOwn(table, value) ? t(table[value as K]) : value;
}
