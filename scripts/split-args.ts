/**
 * Stand-in for src/grammar/tokenize.ts while it is being written: redis-cli's
 * own splitting (hiredis' sdssplitargs) of one command line into arguments,
 * on bytes.
 *
 *   splitArgs(Buffer.from('SET "a b" \'c\\\'d\' "\\x00"')) → [SET, "a b", "c'd", <00>]
 */
export function splitArgs(line: Buffer): Buffer[] {
  const out: Buffer[] = [];
  const isSpace = (c: number | undefined): boolean => c !== undefined && (c === 0x20 || (c >= 0x09 && c <= 0x0d));
  const hex = (c: number | undefined): number => {
    if (c === undefined) return -1;
    const s = String.fromCharCode(c);
    return /[0-9a-fA-F]/.test(s) ? parseInt(s, 16) : -1;
  };
  let i = 0;
  for (;;) {
    while (isSpace(line[i])) i++;
    if (i >= line.length) return out;
    const cur: number[] = [];
    let inq = false;
    let insq = false;
    for (;;) {
      const c = line[i];
      if (inq) {
        if (c === undefined) throw new Error('unbalanced quotes');
        if (c === 0x5c && line[i + 1] === 0x78 && hex(line[i + 2]) >= 0 && hex(line[i + 3]) >= 0) {
          cur.push(hex(line[i + 2]) * 16 + hex(line[i + 3]));
          i += 3;
        } else if (c === 0x5c && line[i + 1] !== undefined) {
          i++;
          const e = line[i]!;
          const map: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x61: 0x07 };
          cur.push(map[e] ?? e);
        } else if (c === 0x22) {
          if (line[i + 1] !== undefined && !isSpace(line[i + 1])) throw new Error('closing quote must be followed by a space');
          i++;
          break;
        } else cur.push(c);
      } else if (insq) {
        if (c === undefined) throw new Error('unbalanced quotes');
        if (c === 0x5c && line[i + 1] === 0x27) {
          cur.push(0x27);
          i++;
        } else if (c === 0x27) {
          if (line[i + 1] !== undefined && !isSpace(line[i + 1])) throw new Error('closing quote must be followed by a space');
          i++;
          break;
        } else cur.push(c);
      } else {
        if (c === undefined || isSpace(c)) break;
        if (c === 0x22) inq = true;
        else if (c === 0x27) insq = true;
        else cur.push(c);
      }
      i++;
    }
    out.push(Buffer.from(cur));
  }
}
