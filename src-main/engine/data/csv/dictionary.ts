// The dictionary of a text column: distinct values keyed by their raw bytes, so a field costs
// a hash and a compare and a string is made once per distinct value.

export function codeOfText(dict: ByteDictionary, text: string): number {
  const bytes = Buffer.from(text);
  return dict.code(bytes, 0, bytes.length, text);
}

/**
 * Distinct values keyed by their raw bytes: an open-addressing hash table (FNV-1a, mixed) over
 * an arena of the bytes, so a field costs a hash and a compare, and a string is made only once
 * per distinct value. Each slot holds [hash, code | length << 26, first 8 bytes]: keys up to 8
 * bytes (most ids and category names) are matched within the slot's cache line, without
 * touching the arena (with many large dictionaries, cache misses are what a lookup costs).
 */
export class ByteDictionary {
  readonly strings: string[] = [];
  /** 4 int32 per slot: mixed hash, code | min(length, 63) << 26 (-1: empty), bytes 0-3, 4-7. */
  private slots = new Int32Array(4 * 1024).fill(-1);
  private starts: Int32Array = new Int32Array(256);
  private lengths: Int32Array = new Int32Array(256);
  private arena = new Uint8Array(4096);
  private used = 0;

  get size(): number {
    return this.strings.length;
  }

  code(buf: Uint8Array, s: number, e: number, text: string | null): number {
    let h = 0x811c9dc5 | 0;
    for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    return this.codeHashed(buf, s, e, text, h);
  }

  /** code() with the FNV-1a hash of buf[s, e) already computed. */
  codeHashed(buf: Uint8Array, s: number, e: number, text: string | null, fnv: number): number {
    // FNV-1a's low bits cluster for short similar keys ("v412", "v413"): mix before masking.
    let h = fnv ^ (fnv >>> 16);
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const len = e - s;
    const tag = (len < 63 ? len : 63) << 26;
    let w0 = 0;
    let w1 = 0;
    const n = len < 8 ? len : 8;
    for (let i = 0; i < n; i++) {
      if (i < 4) w0 |= buf[s + i] << (8 * i);
      else w1 |= buf[s + i] << (8 * (i - 4));
    }
    const slots = this.slots;
    const mask = (slots.length >> 2) - 1;
    let slot = h & mask;
    for (;;) {
      const o = slot << 2;
      const word = slots[o + 1];
      if (word === -1) break;
      if (
        slots[o] === h &&
        (word & 0xfc000000) === tag &&
        slots[o + 2] === w0 &&
        slots[o + 3] === w1
      ) {
        const c = word & 0x3ffffff;
        if (len <= 8) return c;
        if (this.lengths[c] === len) {
          const start = this.starts[c];
          let same = true;
          for (let i = 8; i < len; i++) {
            if (this.arena[start + i] !== buf[s + i]) {
              same = false;
              break;
            }
          }
          if (same) return c;
        }
      }
      slot = (slot + 1) & mask;
    }
    const code = this.strings.length;
    if (code === this.starts.length) {
      this.starts = grow32(this.starts);
      this.lengths = grow32(this.lengths);
    }
    if (this.used + len > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      a.set(this.arena);
      this.arena = a;
    }
    this.arena.set(buf.subarray(s, e), this.used);
    this.starts[code] = this.used;
    this.lengths[code] = len;
    this.used += len;
    this.strings.push(text ?? Buffer.from(buf.buffer, buf.byteOffset + s, len).toString('utf8'));
    const o = slot << 2;
    slots[o] = h;
    slots[o + 1] = code | tag;
    slots[o + 2] = w0;
    slots[o + 3] = w1;
    if (this.strings.length * 2 > mask + 1) this.rehash();
    return code;
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2).fill(-1);
    const mask = (slots.length >> 2) - 1;
    for (let o = 0; o < old.length; o += 4) {
      if (old[o + 1] === -1) continue;
      let slot = old[o] & mask;
      while (slots[(slot << 2) + 1] !== -1) slot = (slot + 1) & mask;
      slots.set(old.subarray(o, o + 4), slot << 2);
    }
    this.slots = slots;
  }
}

function grow32(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
