import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { ioredisCommand } from '../../src/codemod/ioredis-call.js';
import { nodeRedisTransform } from '../../src/codemod/node-redis-replies.js';
import { COMMAND_SPECS, specOf } from '../../src/grammar/table.js';
import { translationStatus } from '../../src/translate.js';

// Issue #6: a fixture for every command the codemod handles, under each client
// flavour, and a report fixture for each command it reports (blocking
// commands, pub/sub messaging). The commands a flavour handles are the
// translated ones its client can call (node-redis: per command module, whose
// reply transform is reproduced). A command is shown when a fixture input of
// that flavour calls it: converted (at a position its report does not list),
// or reported (one of the report's lines) where the codemod does not convert
// it yet; the fixture tests pin either outcome.
/** Handled commands no fixture can show yet, and why: each must still be missing (remove it once a fixture shows it). */
// (node-redis evalRo/evalShaRo were one: their declared reply type is printed cut short, and the call converts without a type argument.)
const KNOWN_GAPS: Readonly<Record<string, Readonly<Record<string, string>>>> = {};
const FIXTURES = fileURLToPath(new URL('../../fixtures/codemod/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Each flavour's fixture directories (relative to fixtures/codemod). */
const DIRS = {
  ioredis4: ['values/ioredis4'],
  ioredis5: ['cases', 'values/ioredis5', 'apps/ioredis5'],
  ioredis6: ['values/ioredis6'],
  'node-redis4': ['values/node-redis4', 'apps/node-redis4'],
  'node-redis5': ['values/node-redis5', 'apps/node-redis5'],
} as const;
type FlavourName = keyof typeof DIRS;

/** How a fixture names its flavour's client (an import, or a JSDoc import type). */
const CLIENT_MODULE: Readonly<Record<FlavourName, RegExp>> = {
  ioredis4: /['"]ioredis['"]/,
  ioredis5: /['"]ioredis['"]/,
  ioredis6: /['"]ioredis['"]/,
  'node-redis4': /['"](redis|@redis\/client)['"]/,
  'node-redis5': /['"](redis|@redis\/client)['"]/,
};

const TRANSLATED = COMMAND_SPECS.filter((s) => translationStatus(s.name).translated);

/** Why a translated command is reported rather than converted: it blocks a connection, or it is pub/sub messaging. */
function reportedAs(name: string): 'blocking' | 'pubsub' | undefined {
  const spec = specOf(name);
  if (spec === undefined) return undefined;
  if (spec.flags.includes('blocking')) return 'blocking';
  if (spec.group === 'pubsub' && !name.startsWith('PUBSUB ')) return 'pubsub';
  return undefined;
}

/** Built-ins whose methods share names with Redis commands (`Object.keys`, `map.get`). */
const NOT_CLIENTS = /^(Object|Array|JSON|Math|Promise|Reflect|Number|String|Buffer|console|Date|process)$|Map$|Set$/;

interface Call {
  readonly method: string;
  /** The first argument when it is a string literal (ioredis' `xgroup('CREATE', …)`). */
  readonly first?: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The `receiver.method(…)` calls of a flavour's fixture inputs, with whether each was reported. */
function calls(flavour: FlavourName): { readonly shown: Call[]; readonly reported: (Call & { rule: string })[] } {
  const shown: Call[] = [];
  const reported: (Call & { rule: string })[] = [];
  for (const dir of DIRS[flavour]) {
    for (const name of readdirSync(join(FIXTURES, dir)).filter((f) => /\.input\.[cm]?[jt]sx?$/.test(f))) {
      const text = readFileSync(join(FIXTURES, dir, name), 'utf8');
      // A directory may hold other clients' cases (cases/ has node-redis ones): only files naming this client count.
      if (!CLIENT_MODULE[flavour].test(text)) continue;
      const base = name.replace(/\.input\.[^.]+$/, '');
      const reportPath = join(FIXTURES, dir, `${base}.report.txt`);
      const rules = new Map<string, string>();
      if (existsSync(reportPath)) {
        for (const m of readFileSync(reportPath, 'utf8').matchAll(/^[^:\n]+:(\d+):(\d+): warning: .* \[([^\]]+)\]$/gm)) rules.set(`${m[1]}:${m[2]}`, m[3]!);
      }
      const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
          const receiver = node.expression.expression;
          if (!(ts.isIdentifier(receiver) && NOT_CLIENTS.test(receiver.text))) {
            const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
            const first = node.arguments[0];
            const call = {
              method: node.expression.name.text,
              ...(first !== undefined && ts.isStringLiteralLike(first) ? { first: first.text } : {}),
              file: `${dir}/${name}`,
              line: line + 1,
              column: character + 1,
            };
            const rule = rules.get(`${call.line}:${call.column}`);
            if (rule === undefined) shown.push(call);
            else reported.push({ ...call, rule });
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return { shown, reported };
}

/** The command an ioredis call runs (`xgroup('CREATE', …)` → XGROUP CREATE), or undefined. */
function ioredisCalled(call: Call): string | undefined {
  const found = ioredisCommand(call.method);
  if (found === undefined) return undefined;
  if (specOf(found.command) !== undefined) return found.command;
  return call.first === undefined ? undefined : `${found.command} ${call.first.toUpperCase()}`;
}

/** node-redis' command table (upper-case module names and camelCase methods → modules) of major 4 or 5. */
function nodeRedisTable(major: 4 | 5): Record<string, { transformReply?: unknown }> {
  const load = createRequire(join(REPO, 'package.json'));
  if (major === 4) {
    const client = join(REPO, 'node_modules/@redis/client/dist/lib');
    return {
      ...(load(join(client, 'cluster/commands.js')) as { default: Record<string, object> }).default,
      ...(load(join(client, 'client/commands.js')) as { default: Record<string, object> }).default,
    };
  }
  return (load(join(REPO, 'node_modules/redis5/node_modules/@redis/client/dist/lib/commands/index.js')) as { default: Record<string, object> }).default;
}

/** The Redis command of a node-redis module name: `ZRANGE_WITHSCORES` → ZRANGE, `XGROUP_CREATE` → XGROUP CREATE, `SORT_RO` → SORT_RO. */
function moduleCommand(key: string): string | undefined {
  const parts = key.split('_');
  for (let n = parts.length; n > 0; n--) {
    for (const name of [parts.slice(0, n).join('_'), parts.slice(0, n).join(' ')]) if (specOf(name) !== undefined) return name;
  }
  return undefined;
}

/** Whether node-redis' reply transform of a module is reproduced (src/codemod/node-redis-replies.ts). */
function replyReproduced(key: string, module: { transformReply?: unknown }, major: 4 | 5): boolean {
  const listed = nodeRedisTransform(key, major === 4 ? 'node-redis4' : 'node-redis5');
  if (listed !== undefined) return listed !== 'unknown';
  const t = module.transformReply;
  return !(typeof t === 'function' || (major === 5 && typeof t === 'object' && t !== null && (t as Record<number, unknown>)[2] !== undefined));
}

interface Coverage {
  /** What the flavour converts (commands, or node-redis command modules) that no fixture shows, converted or reported. */
  readonly unshown: string[];
  /** What it reports that no report fixture shows reported. */
  readonly unreported: string[];
  readonly converted: number;
  readonly reportedTotal: number;
}

function ioredisCoverage(flavour: 'ioredis4' | 'ioredis5' | 'ioredis6'): Coverage {
  const { shown, reported } = calls(flavour);
  const shownCommands = new Set(shown.map(ioredisCalled));
  const reportedCommands = new Set(reported.map(ioredisCalled));
  const converted = TRANSLATED.map((s) => s.name).filter((n) => reportedAs(n) === undefined);
  const reportedNames = COMMAND_SPECS.map((s) => s.name).filter((n) => reportedAs(n) !== undefined && ioredisCommand(n.split(' ')[0]!.toLowerCase()) !== undefined);
  return {
    unshown: converted.filter((n) => !shownCommands.has(n) && !reportedCommands.has(n)),
    unreported: reportedNames.filter((n) => !reportedCommands.has(n)),
    converted: converted.length,
    reportedTotal: reportedNames.length,
  };
}

function nodeRedisCoverage(major: 4 | 5): Coverage {
  const flavour = major === 4 ? 'node-redis4' : 'node-redis5';
  const table = nodeRedisTable(major);
  const keyOf = (method: string): string | undefined => {
    const module = table[method];
    return module === undefined ? undefined : Object.keys(table).find((k) => k === k.toUpperCase() && table[k] === module);
  };
  const { shown, reported } = calls(flavour);
  const shownModules = new Set(shown.map((c) => keyOf(c.method)));
  const reportedModules = new Set(reported.map((c) => keyOf(c.method)));
  const modules = Object.keys(table).filter((k) => k === k.toUpperCase());
  const converted = modules.filter((k) => {
    const command = moduleCommand(k);
    return command !== undefined && translationStatus(command).translated && reportedAs(command) === undefined && replyReproduced(k, table[k]!, major);
  });
  const reportedModuleNames = modules.filter((k) => {
    const command = moduleCommand(k);
    return command !== undefined && reportedAs(command) !== undefined;
  });
  return {
    unshown: converted.filter((k) => !shownModules.has(k) && !reportedModules.has(k)),
    unreported: reportedModuleNames.filter((k) => !reportedModules.has(k)),
    converted: converted.length,
    reportedTotal: reportedModuleNames.length,
  };
}

describe('codemod fixture coverage', () => {
  for (const flavour of Object.keys(DIRS) as FlavourName[]) {
    it(`${flavour}: every command it converts has a fixture, every one it reports a report fixture`, () => {
      const coverage = flavour.startsWith('ioredis')
        ? ioredisCoverage(flavour as 'ioredis4' | 'ioredis5' | 'ioredis6')
        : nodeRedisCoverage(flavour === 'node-redis4' ? 4 : 5);
      expect(coverage.converted).toBeGreaterThan(100);
      expect(coverage.reportedTotal).toBeGreaterThan(5);
      const gaps = Object.keys(KNOWN_GAPS[flavour] ?? {});
      expect(gaps.filter((g) => !coverage.unshown.includes(g)), 'known gaps a fixture now shows').toEqual([]);
      expect({ unshown: coverage.unshown.filter((c) => !gaps.includes(c)), unreported: coverage.unreported }).toEqual({ unshown: [], unreported: [] });
    });
  }
});
