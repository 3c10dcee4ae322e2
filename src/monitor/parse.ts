/**
 * `redis-cli MONITOR` captures: one line per command Redis ran, as
 * redis-server 7.0 writes them (replicationFeedMonitors):
 *
 *   1795707299.226106 [0 127.0.0.1:56714] "set" "user:1001:name" "Ada Lovelace"
 *   1795707299.470652 [0 lua] "SET" "lock:42" "tok en"
 *   1795707299.499701 [0 unix:/tmp/redis.sock] "set" "via:unix" "socket"
 *
 * Seconds.microseconds, then the database number and who sent it (an address,
 * `[::1]:port` for IPv6, `unix:<socket path>`, or `lua` for a command a script
 * ran), then every argument quoted by `sdscatrepr`: `\\ \" \n \r \t \a \b`
 * and `\xHH` for any other byte outside printable ASCII. Those are the escapes
 * redis-cli's own quoting reads back, so the arguments go through the
 * tokenizer once the line is known to be a MONITOR line.
 */
import { TokenizeError } from '../errors.js';
import { tokenize } from '../grammar/tokenize.js';

export interface MonitorEntry {
  /** 1-based line in the capture. */
  readonly line: number;
  /** Unix time in seconds, with the microseconds MONITOR prints. */
  readonly time: number;
  readonly db: number;
  /** `127.0.0.1:56714`, `[::1]:6000`, `unix:/path`, or `lua`. */
  readonly client: string;
  /** Run by a Lua script (EVAL, FCALL) rather than sent by a client: the script's own entry is in the capture too. */
  readonly fromScript: boolean;
  readonly argv: readonly Buffer[];
}

// The client part is matched lazily up to the `] "` that starts the arguments,
// since an IPv6 peer is written in brackets itself.
const LINE = /^(\d+\.\d+) \[(\d+) (.+?)\] ("(?:[^"\\]|\\.)*"(?: "(?:[^"\\]|\\.)*")*)$/s;

/**
 * One MONITOR line, or a `TokenizeError` when the line is not one.
 *
 *   parseMonitorLine('1795707299.289521 [0 127.0.0.1:56726] "set" "bin" "a\\x00b"', 3)
 *   → { line: 3, time: 1795707299.289521, db: 0, client: '127.0.0.1:56726', fromScript: false,
 *       argv: [<set>, <bin>, <61 00 62>] }
 */
export function parseMonitorLine(text: string | Buffer, line: number): MonitorEntry {
  // sdscatrepr escapes every byte outside printable ASCII: a real line is ASCII.
  const s = typeof text === 'string' ? text : text.toString('latin1');
  const m = LINE.exec(s.replace(/\r$/, ''));
  if (m === null) {
    const shown = s.length > 60 ? `${s.slice(0, 60)}…` : s;
    throw new TokenizeError(`not a MONITOR line: ${JSON.stringify(shown)}`, 0);
  }
  const client = m[3]!;
  return { line, time: Number(m[1]), db: Number(m[2]), client, fromScript: client === 'lua', argv: tokenize(m[4]!) };
}

/** What redis-cli prints when MONITOR starts; not a command. */
const MONITOR_OK = /^OK\r?$/;

/**
 * Every entry of a capture, with the lines that are not MONITOR lines as
 * errors beside them (an empty line and redis-cli's leading `OK` are skipped).
 *
 *   [...monitorEntries(readFileSync('cap.txt'))]
 *   → [{ entry: { line: 2, argv: [<set>, …], … } }, { line: 9, error: TokenizeError }, …]
 */
export function* monitorEntries(
  capture: string | Buffer,
): Generator<{ readonly entry: MonitorEntry } | { readonly line: number; readonly error: TokenizeError }> {
  const text = typeof capture === 'string' ? capture : capture.toString('latin1');
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '' || MONITOR_OK.test(l)) continue;
    try {
      yield { entry: parseMonitorLine(l, i + 1) };
    } catch (error) {
      if (!(error instanceof TokenizeError)) throw error;
      yield { line: i + 1, error };
    }
  }
}

/**
 * Whether a file looks like a MONITOR capture rather than a list of
 * redis-cli lines: its first line that is not blank or `OK` is a MONITOR line.
 *
 *   looksLikeMonitor('OK\n1795707299.2 [0 127.0.0.1:1] "ping"\n')  → true
 *   looksLikeMonitor('SET k v\n')                                   → false
 */
export function looksLikeMonitor(capture: string | Buffer): boolean {
  const text = typeof capture === 'string' ? capture : capture.subarray(0, 64 * 1024).toString('latin1');
  for (const l of text.split('\n')) {
    if (l.trim() === '' || MONITOR_OK.test(l)) continue;
    return LINE.test(l.replace(/\r$/, '')) || /^\d+\.\d+ \[\d+ /.test(l);
  }
  return false;
}
