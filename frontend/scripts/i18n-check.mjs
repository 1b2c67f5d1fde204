#!/usr/bin/env node
/**
 * Checks the i18n tables (src/shared/i18n/{,<area>.}{zh-CN,en}.json) against each other and the source.
 *
 * Fails (exit 1) listing:
 *   - keys present in one table but missing from the other, and empty texts;
 *   - texts whose {placeholders} differ between the two languages;
 *   - keys used in src/ or the HTML pages but absent from the tables.
 * Warns (exit 0) about keys in the tables that nothing uses.
 *
 * A "use" is a literal key in t("…"), tk("…"), i18n: "…", data-i18n*="…" or dataset.i18n = "…",
 * plus any other string literal shaped like a key ("area.name…") whose first segment is one of
 * the tables' areas — so keys passed through typed helpers are found too.
 */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TABLE_DIR = join(ROOT, "src/shared/i18n");
const LOCALES = ["zh-CN", "en"];
const SOURCES = [join(ROOT, "src"), join(ROOT, "index.html"), ...["wall", "console", "leader", "responder", "casework", "psych", "ledgers", "rentals", "disputes", "login"].map((p) => join(ROOT, p, "index.html"))];

const KEY = String.raw`[a-zA-Z][\w-]*(?:\.[\w-]+)+`;
const EXPLICIT = [
  new RegExp(String.raw`\b(?:t|tk)\(\s*(["'\x60])(${KEY})\1`, "g"),
  new RegExp(String.raw`\bi18n\s*:\s*(["'])(${KEY})\1`, "g"),
  new RegExp(String.raw`data-i18n(?:-[a-z-]+)?["']?\s*[=:]\s*(["'])(${KEY})\1`, "g"),
  new RegExp(String.raw`\.dataset\.i18n\s*=\s*(["'])(${KEY})\1`, "g"),
];
const LITERAL = new RegExp(String.raw`(["'])(${KEY})\1`, "g");

const problems = [];

/** The shared table and every area table (`<area>.<locale>.json`) of one language, merged. */
function loadTable(locale) {
  const files = readdirSync(TABLE_DIR).filter((n) => n === `${locale}.json` || n.endsWith(`.${locale}.json`));
  const merged = {};
  for (const name of files.sort()) {
    for (const [key, text] of Object.entries(loadFile(locale, join(TABLE_DIR, name)))) {
      if (key in merged) problems.push(`${locale}: "${key}" is defined in more than one table`);
      merged[key] = text;
    }
  }
  return merged;
}

function loadFile(locale, file) {
  let table;
  try {
    table = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    problems.push(`${relative(ROOT, file)}: cannot read (${err.message})`);
    return {};
  }
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    problems.push(`${relative(ROOT, file)}: must be a flat JSON object of "key": "text"`);
    return {};
  }
  for (const [key, text] of Object.entries(table)) {
    if (typeof text !== "string" || text.trim() === "") {
      problems.push(`${locale}: "${key}" has an empty or non-string text`);
    }
  }
  return table;
}

function placeholders(text) {
  return [...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(",");
}

function walk(path, out) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) {
      if (name !== "node_modules" && name !== "i18n") {
        walk(join(path, name), out);
      }
    }
  } else if (/\.(ts|html)$/.test(path) && !path.endsWith(".d.ts")) {
    out.push(path);
  }
  return out;
}

const tables = Object.fromEntries(LOCALES.map((l) => [l, loadTable(l)]));
const allKeys = new Set(LOCALES.flatMap((l) => Object.keys(tables[l])));
for (const key of [...allKeys].sort()) {
  const missingIn = LOCALES.filter((l) => !(key in tables[l]));
  if (missingIn.length > 0) {
    problems.push(`"${key}" is missing in ${missingIn.join(", ")}`);
    continue;
  }
  const shapes = LOCALES.map((l) => placeholders(tables[l][key]));
  if (new Set(shapes).size > 1) {
    problems.push(`"${key}" has different placeholders: ${LOCALES.map((l, i) => `${l} {${shapes[i]}}`).join(" vs ")}`);
  }
}

const areas = new Set([...allKeys].map((k) => k.split(".")[0]));
const used = new Map();
const note = (key, file, line) => {
  if (!used.has(key)) used.set(key, new Set());
  used.get(key).add(`${relative(ROOT, file)}:${line}`);
};
for (const file of SOURCES.flatMap((p) => walk(p, []))) {
  const lines = readFileSync(file, "utf8").split("\n");
  lines.forEach((line, index) => {
    for (const pattern of EXPLICIT) {
      for (const match of line.matchAll(pattern)) note(match[2], file, index + 1);
    }
    for (const match of line.matchAll(LITERAL)) {
      if (areas.has(match[2].split(".")[0])) note(match[2], file, index + 1);
    }
  });
}
for (const [key, where] of [...used].sort()) {
  const missingIn = LOCALES.filter((l) => !(key in tables[l]));
  if (missingIn.length > 0) {
    problems.push(`"${key}" is used at ${[...where].join(", ")} but missing in ${missingIn.join(", ")}`);
  }
}

const unused = [...allKeys].filter((k) => !used.has(k)).sort();
if (unused.length > 0) {
  console.warn(`i18n: ${unused.length} key(s) not used anywhere (warning only):\n  ${unused.join("\n  ")}`);
}
if (problems.length > 0) {
  console.error(`i18n: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`i18n: ${allKeys.size} keys in ${LOCALES.join(" + ")}, ${used.size} used in the source — OK`);
