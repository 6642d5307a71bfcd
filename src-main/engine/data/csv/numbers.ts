// Numbers and missing values in CSV fields: what reads as missing (empty, NA, null, ...),
// decimal numbers parsed straight from the bytes (exact up to 15 significant digits) or from
// the text of a quoted field, by the same rules; and predictions written with 7 digits.

export const MISSING = new Set(['', 'na', 'n/a', 'null', 'nan', '?', 'none']);
/** A number with a decimal comma: 33,12 or -0,5 (never 1,234,567). */
export const DECIMAL_COMMA = /^[+-]?\d*,\d+$/;

export function isMissingBytes(buf: Buffer, s: number, e: number): boolean {
  const len = e - s;
  if (len === 0) return true;
  const lower = (i: number) => buf[i] | 0x20;
  if (len === 1) return buf[s] === 0x3f; // ?
  if (len === 2) return lower(s) === 0x6e && lower(s + 1) === 0x61; // na
  if (len === 3) {
    const a = lower(s);
    const b = lower(s + 1);
    const c = lower(s + 2);
    return (
      (a === 0x6e && b === 0x61 && c === 0x6e) || (a === 0x6e && buf[s + 1] === 0x2f && c === 0x61)
    ); // nan, n/a
  }
  // null, none
  if (len !== 4 || lower(s) !== 0x6e) return false;
  const b = lower(s + 1);
  const c = lower(s + 2);
  const d = lower(s + 3);
  return (b === 0x75 && c === 0x6c && d === 0x6c) || (b === 0x6f && c === 0x6e && d === 0x65);
}

export const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Parses a decimal number straight from bytes: [+-]digits[.digits][e[+-]digits]. Returns NaN
 * when the field is not a plain number (then it is text). Exact (correctly rounded) for up to
 * 15 significant digits; longer ones go through parseFloat.
 */
export function parseNumberBytes(buf: Buffer, s: number, e: number): number {
  let i = s;
  let negative = false;
  if (i < e && (buf[i] === 0x2d || buf[i] === 0x2b)) {
    negative = buf[i] === 0x2d;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let any = false;
  while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) {
    mantissa = mantissa * 10 + (buf[i] - 0x30);
    if (mantissa > 0) digits++;
    any = true;
    i++;
  }
  if (i < e && buf[i] === 0x2e) {
    i++;
    while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) {
      mantissa = mantissa * 10 + (buf[i] - 0x30);
      if (mantissa > 0) digits++;
      scale++;
      any = true;
      i++;
    }
  }
  if (!any) return NaN;
  let exponent = 0;
  if (i < e && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    let expNeg = false;
    if (i < e && (buf[i] === 0x2d || buf[i] === 0x2b)) {
      expNeg = buf[i] === 0x2d;
      i++;
    }
    let expDigits = false;
    while (i < e && buf[i] >= 0x30 && buf[i] <= 0x39) {
      exponent = exponent * 10 + (buf[i] - 0x30);
      expDigits = true;
      i++;
    }
    if (!expDigits) return NaN;
    if (expNeg) exponent = -exponent;
  }
  if (i !== e) return NaN;
  if (digits > 15 || exponent !== 0 || scale > 22) {
    const v = parseFloat(buf.toString('latin1', s, e));
    return v;
  }
  const v = scale === 0 ? mantissa : mantissa / POW10[scale];
  return negative ? -v : v;
}

/** The same rules for text (quoted fields). */
export function parseNumberText(text: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return NaN;
  return parseFloat(text);
}

/** The text toPrecision(7) then shortest round-trip would give: the slow, exact path. */
function formatSevenSlow(x: number): string {
  return String(Number(x.toPrecision(7)));
}

/**
 * A number rounded to 7 significant digits (float32 predictions carry about 7), as the shortest
 * text that reads back as that value: exactly String(Number(x.toPrecision(7))), several times
 * faster. The 7 digits come from one scaling by an exact power of ten (a product within 1e-7 of
 * a rounding tie, or a magnitude beyond 1e±22 of 7 digits, takes the exact path); they are the
 * shortest text (two decimals of at most 15 digits never read as the same double), laid out as
 * Number.prototype.toString lays out digits. Non-finite values are empty cells.
 */
export function formatSeven(x: number): string {
  if (!Number.isFinite(x)) return '';
  if (x === 0) return '0';
  const a = x < 0 ? -x : x;
  let n = 6 - Math.floor(Math.log10(a));
  if (n > 22 || n < -22) return formatSevenSlow(x);
  let t = n >= 0 ? a * POW10[n] : a / POW10[-n];
  if (t < 1e6 || t >= 1e7) {
    n += t < 1e6 ? 1 : -1;
    if (n > 22 || n < -22) return formatSevenSlow(x);
    t = n >= 0 ? a * POW10[n] : a / POW10[-n];
  }
  const fraction = t - Math.floor(t);
  if (fraction > 0.4999999 && fraction < 0.5000001) return formatSevenSlow(x);
  let m = Math.round(t);
  if (m === 1e7) {
    m = 1e6;
    n--;
  }
  // The value is 0.DDDDDDD x 10^point; its significant digits without trailing zeros.
  const point = 7 - n;
  let digits = String(m);
  let k = 7;
  while (digits.charCodeAt(k - 1) === 0x30) k--;
  digits = digits.slice(0, k);
  let text: string;
  if (k <= point && point <= 21) text = digits + '0'.repeat(point - k);
  else if (0 < point && point <= 21) text = digits.slice(0, point) + '.' + digits.slice(point);
  else if (-6 < point && point <= 0) text = '0.' + '0'.repeat(-point) + digits;
  else {
    const e = point - 1;
    const mantissa = k === 1 ? digits : digits[0] + '.' + digits.slice(1);
    text = mantissa + (e < 0 ? 'e-' : 'e+') + (e < 0 ? -e : e);
  }
  return x < 0 ? '-' + text : text;
}
