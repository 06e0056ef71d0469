import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFixture, FIXTURES, readTree } from '../support/build.js';
import { REPO } from '../support/cli.js';

/**
 * Each fixture roster (test/fixtures/rosters/) carries its own assertions about its build, as
 * podman's quadlet test files do, in `##` comment lines:
 *
 *   ## assert-files PATH…                 exactly these files (`a/{b,c}.env` is a/b.env a/c.env)
 *   ## assert-golden PATH GOLDEN          the file is test/golden/GOLDEN (the roster's name aside)
 *   ## assert-line PATH LINE              the file has this line (leading blanks aside)
 *   ## !assert-line PATH LINE             the file has no such line
 *   ## assert-json PATH POINTER JSON      the JSON file holds this value at this JSON pointer
 *
 * A golden holds one distinct output, reviewed once; the fixtures that produce the same output
 * name it. After an intended change: UPDATE_GOLDEN=1 npx vitest run test/back-end/golden, then
 * review `git diff test/golden` like code.
 */
const GOLDEN = join(REPO, 'test', 'golden');
const ROSTERS = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort();

interface Assertion {
  line: number;
  negated: boolean;
  kind: string;
  args: string[];
  /** The text after PATH (for assert-line), or after PATH POINTER (for assert-json). */
  rest: string;
}

function assertionsOf(roster: string): Assertion[] {
  return readFileSync(join(FIXTURES, roster), 'utf8')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter(({ text }) => text.startsWith('## '))
    .map(({ text, line }) => {
      const [word = '', ...args] = text.slice(3).split(' ');
      const rest = (n: number) => text.slice(3).split(' ').slice(n + 1).join(' ');
      const kind = word.replace(/^!/, '');
      return { line, negated: word.startsWith('!'), kind, args, rest: rest(kind === 'assert-json' ? 2 : 1) };
    });
}

/** `env/{a,b}.env` → env/a.env env/b.env (one brace group). */
function expand(word: string): string[] {
  const m = /^(.*)\{([^}]*)\}(.*)$/.exec(word);
  return m ? m[2]!.split(',').map((part) => `${m[1]}${part}${m[3]}`) : [word];
}

/** The header names the roster a file was built from: a golden is shared by several rosters. */
const sameRoster = (text: string, roster: string) => text.replaceAll(`from ${roster}.`, 'from ROSTER.').replaceAll(`"roster": "${roster}"`, '"roster": "ROSTER"');

function pointer(value: unknown, path: string): unknown {
  if (path === '') return value;
  return path
    .slice(1)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], value);
}

describe('golden output: each fixture against its own assertions', () => {
  it.each(ROSTERS)('%s', async (roster) => {
    const assertions = assertionsOf(roster);
    expect(assertions.length, `${roster} has no ## assert- lines`).toBeGreaterThan(0);
    const out = await buildFixture(roster);
    const tree = readTree(out);
    rmSync(out, { recursive: true, force: true });
    const file = (path: string, at: Assertion) => {
      const found = tree.get(path);
      if (!found) throw new Error(`${roster}:${at.line}: no file ${path} in the build; it has: ${[...tree.keys()].join(' ')}`);
      return found.text;
    };
    for (const a of assertions) {
      const where = `${roster}:${a.line}: ${a.negated ? '!' : ''}${a.kind} ${a.args.join(' ')}`;
      const shown = (text: string) => `${where}\n--- ${a.args[0]} as built ---\n${text}`;
      switch (a.kind) {
        case 'assert-files':
          expect([...tree.keys()].sort(), where).toEqual(a.args.flatMap(expand).sort());
          break;
        case 'assert-golden': {
          const [path = '', golden = ''] = a.args;
          const text = sameRoster(file(path, a), roster);
          if (process.env.UPDATE_GOLDEN) {
            mkdirSync(dirname(join(GOLDEN, golden)), { recursive: true });
            writeFileSync(join(GOLDEN, golden), text);
          }
          expect(text, where).toBe(readFileSync(join(GOLDEN, golden), 'utf8'));
          break;
        }
        case 'assert-line': {
          const text = file(a.args[0]!, a);
          const has = text.split('\n').some((l) => l.trimStart() === a.rest);
          expect(has, shown(text)).toBe(!a.negated);
          break;
        }
        case 'assert-json': {
          const text = file(a.args[0]!, a);
          expect(pointer(JSON.parse(text), a.args[1]!), shown(text)).toEqual(JSON.parse(a.rest));
          break;
        }
        default:
          throw new Error(`${roster}:${a.line}: unknown assertion ${a.kind}`);
      }
    }
  });

  it('every golden is named by a fixture', () => {
    const named = new Set(ROSTERS.flatMap((r) => assertionsOf(r).filter((a) => a.kind === 'assert-golden').map((a) => a.args[1]!)));
    const files = readTree(GOLDEN);
    expect([...files.keys()].filter((g) => !named.has(g))).toEqual([]);
  });
});
