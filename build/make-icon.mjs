#!/usr/bin/env node
// Draws the app icon (a deep-teal rounded square with three connected nodes forming a funnel)
// and writes it as PNG with nothing but zlib:
//   resources/icon.png            512x512 (window icon; macOS and Windows installers)
//   resources/icons/NxN.png       16..512 (Linux AppImage / deb)
// Run from the repository root: node build/make-icon.mjs

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';

// ---- PNG -------------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** rgba: Float64Array of premultiplied-free RGBA in [0, 1], row-major. */
function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let i = 0; i < size * 4; i++) {
      raw[row + 1 + i] = Math.round(Math.min(1, Math.max(0, rgba[y * size * 4 + i])) * 255);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- drawing (signed distance fields, in a 512-unit design space) ------------------------------

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);

function roundedSquare(x, y, inset, radius) {
  const half = 256 - inset;
  const qx = Math.abs(x - 256) - (half - radius);
  const qy = Math.abs(y - 256) - (half - radius);
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - radius;
}

function circle(x, y, cx, cy, r) {
  return Math.hypot(x - cx, y - cy) - r;
}

function segment(x, y, [ax, ay], [bx, by], halfWidth) {
  const px = x - ax;
  const py = y - ay;
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy) - halfWidth;
}

const TOP_LEFT = [152, 176];
const TOP_RIGHT = [360, 176];
const BOTTOM = [256, 362];

const LAYERS = [
  // background: deep teal, lighter at the top
  {
    sdf: (x, y) => roundedSquare(x, y, 24, 104),
    color: (_x, y) => {
      const top = hex('#0f7a7a');
      const bottom = hex('#07474b');
      const t = (y - 24) / 464;
      return top.map((c, i) => c + (bottom[i] - c) * t);
    },
  },
  // connections: the funnel's rim and its two sides
  {
    sdf: (x, y) =>
      Math.min(
        segment(x, y, TOP_LEFT, TOP_RIGHT, 13),
        segment(x, y, TOP_LEFT, BOTTOM, 13),
        segment(x, y, TOP_RIGHT, BOTTOM, 13),
      ),
    color: () => hex('#7fdccf'),
    alpha: 0.9,
  },
  // nodes: two inputs, one output
  {
    sdf: (x, y) => Math.min(circle(x, y, ...TOP_LEFT, 46), circle(x, y, ...TOP_RIGHT, 46)),
    color: () => hex('#f2fffd'),
  },
  { sdf: (x, y) => circle(x, y, ...BOTTOM, 56), color: () => hex('#ffc857') },
  { sdf: (x, y) => circle(x, y, ...BOTTOM, 22), color: () => hex('#07474b') },
];

function render(size) {
  const scale = 512 / size;
  const out = new Float64Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) * scale;
      const y = (py + 0.5) * scale;
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const layer of LAYERS) {
        // distance in output pixels -> coverage, one pixel of anti-aliasing
        const coverage = Math.max(0, Math.min(1, 0.5 - layer.sdf(x, y) / scale));
        if (coverage === 0) continue;
        const la = coverage * (layer.alpha ?? 1);
        const [lr, lg, lb] = layer.color(x, y);
        const na = la + a * (1 - la);
        r = (lr * la + r * a * (1 - la)) / na;
        g = (lg * la + g * a * (1 - la)) / na;
        b = (lb * la + b * a * (1 - la)) / na;
        a = na;
      }
      out.set([r, g, b, a], (py * size + px) * 4);
    }
  }
  return encodePng(size, out);
}

function write(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  console.log(`${path} (${bytes.length} bytes)`);
}

const icon512 = render(512);
write(join('resources', 'icon.png'), icon512);
for (const size of [16, 24, 32, 48, 64, 128, 256, 512]) {
  write(join('resources', 'icons', `${size}x${size}.png`), size === 512 ? icon512 : render(size));
}
