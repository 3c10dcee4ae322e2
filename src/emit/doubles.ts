/**
 * Doubles printed the way Redis 7.0 prints them. Double replies (ZSCORE,
 * ZINCRBY, ZADD INCR, WITHSCORES…) go through `addReplyDouble`, which is C's
 * `%.17g` with `inf`/`-inf` spelled out:
 *
 *   formatDouble(0.1)       → '0.10000000000000001'
 *   formatDouble(1e17)      → '1e+17'
 *   formatDouble(1.5e-7)    → '1.4999999999999999e-07'
 *   formatDouble(-Infinity) → '-inf'
 *   formatDouble(-0)        → '-0'   (what a skiplist-encoded zset or ZINCRBY replies)
 *
 * The digits are computed exactly (BigInt), rounding half to even like glibc,
 * rather than trusting `toPrecision`, whose ties go away from zero.
 */
export function formatDouble(value: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return formatG(value, 17);
}

/**
 * C's `printf("%.<precision>g", value)` for a finite double (glibc output:
 * `nan`, `inf` for the others). Lua's `tostring` is `formatG(x, 14)`.
 *
 *   formatG(100, 17)         → '100'
 *   formatG(1e-5, 17)        → '1.0000000000000001e-05'
 *   formatG(1/3, 14)         → '0.33333333333333'
 */
export function formatG(value: number, precision: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const p = Math.max(1, Math.trunc(precision));
  const negative = value < 0 || Object.is(value, -0);
  if (value === 0) return negative ? '-0' : '0';
  const { digits, exponent } = roundSignificant(exactDecimal(Math.abs(value)), p);
  // %g: scientific when the exponent is below -4 or at least the precision.
  let text: string;
  if (exponent < -4 || exponent >= p) {
    const mantissa = trimZeros(digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits);
    const e = Math.abs(exponent);
    text = `${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  } else if (exponent >= 0) {
    const int = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const frac = digits.slice(exponent + 1);
    text = trimZeros(frac === '' ? int : `${int}.${frac}`);
  } else {
    text = trimZeros(`0.${'0'.repeat(-exponent - 1)}${digits}`);
  }
  return negative ? `-${text}` : text;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** The exact decimal value of a positive finite double: digits × 10^(exponent - digits.length + 1). */
function exactDecimal(value: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const rawExp = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // value = mantissa × 2^e2
  const mantissa = rawExp === 0 ? fraction : fraction | (1n << 52n);
  const e2 = (rawExp === 0 ? 1 : rawExp) - 1075;
  let digits: string;
  let scale: number; // value = digits × 10^-scale
  if (e2 >= 0) {
    digits = (mantissa << BigInt(e2)).toString();
    scale = 0;
  } else {
    digits = (mantissa * 5n ** BigInt(-e2)).toString();
    scale = -e2;
  }
  const stripped = digits.replace(/^0+/, '');
  return { digits: stripped, exponent: stripped.length - 1 - scale };
}

/** Round to `p` significant digits, half to even on the exact value. */
function roundSignificant(d: { digits: string; exponent: number }, p: number): { digits: string; exponent: number } {
  if (d.digits.length <= p) return d;
  const kept = d.digits.slice(0, p);
  const rest = d.digits.slice(p);
  const first = rest.charCodeAt(0) - 48;
  const tail = /[1-9]/.test(rest.slice(1));
  const last = kept.charCodeAt(p - 1) - 48;
  const up = first > 5 || (first === 5 && (tail || last % 2 === 1));
  if (!up) return { digits: kept, exponent: d.exponent };
  const bumped = (BigInt(kept) + 1n).toString();
  // 999… rounding up to 1000… gains a digit: drop it and raise the exponent.
  return bumped.length > p ? { digits: bumped.slice(0, p), exponent: d.exponent + 1 } : { digits: bumped, exponent: d.exponent };
}
