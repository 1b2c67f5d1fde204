#!/usr/bin/env node
/**
 * Draws the app icon — a glowing cyan ring and beacon on deep navy, like a radar fix — as SVG
 * and as PNGs (192, 512, maskable 512, apple-touch 180) into public/icons/. No dependencies:
 * shapes are rasterised with 4×4 supersampling and written with node:zlib.
 * Run `npm run icons` after changing the design; the outputs are committed.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "public", "icons");

const NAVY_TOP = [11, 36, 74];
const NAVY_BOTTOM = [4, 12, 30];
const CYAN = [34, 211, 238];
const LIGHT = [165, 243, 252];

/** Colour of the design at (x, y) in unit coordinates, as [r, g, b, a]. `bleed` fills the square. */
function shade(x, y, bleed) {
  const inset = bleed ? 0 : 0.04;
  const radius = bleed ? 0 : 0.2;
  if (!insideRoundedSquare(x, y, inset, radius)) return [0, 0, 0, 0];
  // Maskable icons keep the drawing inside the 80% safe zone.
  const s = bleed ? 0.8 : 1;
  const dx = (x - 0.5) / s;
  const dy = (y - 0.5) / s;
  const r = Math.hypot(dx, dy);
  let c = mix(NAVY_TOP, NAVY_BOTTOM, y);
  c = mix(c, CYAN, 0.22 * Math.max(0, 1 - r / 0.45));                       // inner glow
  c = over(c, CYAN, band(r, 0.335, 0.03));                                 // outer ring
  c = over(c, CYAN, 0.45 * band(r, 0.235, 0.012));                         // inner ring
  const angle = Math.atan2(dy, dx);
  for (const a of [0, Math.PI / 2, Math.PI, -Math.PI / 2]) {                // ticks
    const d = Math.abs(Math.atan2(Math.sin(angle - a), Math.cos(angle - a)));
    if (d < 0.05 && r > 0.37 && r < 0.43) c = over(c, CYAN, 0.9);
  }
  c = over(c, LIGHT, Math.max(0, 1 - r / 0.1) ** 0.6);                      // beacon
  c = over(c, CYAN, 0.5 * Math.max(0, 1 - Math.abs(r - 0.1) / 0.04));      // beacon halo
  return [...c, 255];
}

function insideRoundedSquare(x, y, inset, radius) {
  const lo = inset + radius;
  const hi = 1 - inset - radius;
  const cx = Math.min(Math.max(x, lo), hi);
  const cy = Math.min(Math.max(y, lo), hi);
  if (x < inset || y < inset || x > 1 - inset || y > 1 - inset) return false;
  return radius === 0 || Math.hypot(x - cx, y - cy) <= radius;
}

const band = (r, center, half) => Math.max(0, 1 - Math.abs(r - center) / half) ** 0.5;
const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);
const over = (base, top, alpha) => mix(base, top, Math.min(1, Math.max(0, alpha)));

function render(size, bleed) {
  const SS = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py += 1) {
    for (let px = 0; px < size; px += 1) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < SS; sy += 1) {
        for (let sx = 0; sx < SS; sx += 1) {
          const c = shade((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size, bleed);
          const a = c[3] / 255;
          acc[0] += c[0] * a;
          acc[1] += c[1] * a;
          acc[2] += c[2] * a;
          acc[3] += a;
        }
      }
      const o = (py * size + px) * 4;
      const alpha = acc[3] / (SS * SS);
      for (let i = 0; i < 3; i += 1) pixels[o + i] = acc[3] > 0 ? Math.round(acc[i] / acc[3]) : 0;
      pixels[o + 3] = Math.round(alpha * 255);
    }
  }
  return encodePng(size, size, pixels);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" role="img" aria-label="Ping'an Command">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="rgb(${NAVY_TOP})"/>
      <stop offset="1" stop-color="rgb(${NAVY_BOTTOM})"/>
    </linearGradient>
    <radialGradient id="glow">
      <stop offset="0" stop-color="rgb(${CYAN})" stop-opacity="0.3"/>
      <stop offset="1" stop-color="rgb(${CYAN})" stop-opacity="0"/>
    </radialGradient>
    <filter id="blur" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="6"/></filter>
  </defs>
  <rect x="20" y="20" width="472" height="472" rx="102" fill="url(#bg)"/>
  <circle cx="256" cy="256" r="230" fill="url(#glow)"/>
  <circle cx="256" cy="256" r="172" fill="none" stroke="rgb(${CYAN})" stroke-width="22" filter="url(#blur)" opacity="0.7"/>
  <circle cx="256" cy="256" r="172" fill="none" stroke="rgb(${CYAN})" stroke-width="14"/>
  <circle cx="256" cy="256" r="120" fill="none" stroke="rgb(${CYAN})" stroke-width="5" opacity="0.5"/>
  <g stroke="rgb(${CYAN})" stroke-width="14" stroke-linecap="round">
    <line x1="256" y1="62" x2="256" y2="92"/><line x1="256" y1="420" x2="256" y2="450"/>
    <line x1="62" y1="256" x2="92" y2="256"/><line x1="420" y1="256" x2="450" y2="256"/>
  </g>
  <circle cx="256" cy="256" r="58" fill="rgb(${CYAN})" filter="url(#blur)" opacity="0.8"/>
  <circle cx="256" cy="256" r="44" fill="rgb(${LIGHT})"/>
</svg>
`;

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, "icon.svg"), SVG);
for (const [name, size, bleed] of [
  ["icon-192.png", 192, false],
  ["icon-512.png", 512, false],
  ["icon-maskable-512.png", 512, true],
  ["apple-touch-icon.png", 180, true],
]) {
  writeFileSync(join(OUT, name), render(size, bleed));
  console.log(`wrote public/icons/${name}`);
}
console.log("wrote public/icons/icon.svg");
