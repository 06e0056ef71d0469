/**
 * Property: on random rosters in every style the fuzz corpus writes (block scalars of each chomping
 * mode, flow and block collections, quotes), with comments, blank lines and anchors added, random
 * add/remove sequences change only what they mean to: every other value parses as before, an added
 * agent reads back as given, and add then remove gives back the original bytes.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addAgent, type NewAgent } from '../../src/author/add-agent.js';
import { removeAgent } from '../../src/author/remove-agent.js';
import { BUILTIN_RUNTIME_NAMES, FUZZ_TIMEOUT, name, PRESET_AGENTS, RUNS, rosterText, SEED, text as anyText, validRoster, yamlStyle, type Roster } from '../fuzz/arbitraries.js';

type Data = Record<string, unknown> & { agents: Array<Record<string, unknown>>; omit?: string[]; profile?: keyof typeof PRESET_AGENTS };

/** Comments, blank lines and an anchor put into the text, each kept only where it changes no value. */
const decorations = fc.record({
  comments: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 6 }), fc.constantFrom('# note', '#', '# - name: fake', '#: x')), { maxLength: 4 }),
  blanks: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 })), { maxLength: 4 }),
  anchor: fc.boolean(),
  keepScalar: fc.boolean(),
});

function decorated(text: string, d: { comments: Array<[number, number, string]>; blanks: Array<[number, number]>; anchor: boolean; keepScalar: boolean }): string {
  const value = parse(text);
  const keep = (candidate: string) => {
    try {
      return isDeepStrictEqual(parse(candidate), value) ? candidate : undefined;
    } catch {
      return undefined;
    }
  };
  let current = text;
  for (const [at, indent, comment] of d.comments) {
    const lines = current.split('\n');
    const i = at % lines.length;
    lines.splice(i, 0, `${' '.repeat(indent)}${comment}`);
    current = keep(lines.join('\n')) ?? current;
  }
  for (const [at, count] of d.blanks) {
    const lines = current.split('\n');
    lines.splice(at % lines.length, 0, ...Array.from({ length: count + 1 }, () => ''));
    current = keep(lines.join('\n')) ?? current;
  }
  if (d.anchor) {
    const first = /^(\s*(?:- )?runtime: )([a-z]+)$/m.exec(current);
    if (first) {
      const runtime = first[2]!;
      const anchored = current.replace(first[0], `${first[1]}&rt ${runtime}`);
      const later = anchored.slice(first.index + first[0].length + 4).replace(new RegExp(`^(\\s*(?:- )?runtime: )${runtime}$`, 'm'), '$1*rt');
      current = keep(anchored.slice(0, first.index + first[0].length + 4) + later) ?? current;
    }
  }
  if (d.keepScalar) {
    // A `|+` env value next to the end of agents: (the case that once lost and gained blank lines).
    const candidate = current.replace(/\n*$/, '\n');
    const withKeep = /^agents:\n(  - [\s\S]*)$/m.test(candidate) ? `${candidate}    env:\n      KEEP: |+\n        x\n\n` : candidate;
    const parsed = (() => {
      try {
        return parse(withKeep) as Data;
      } catch {
        return undefined;
      }
    })();
    if (parsed && parsed.agents.at(-1)?.env && (parsed.agents.at(-1)!.env as Record<string, unknown>).KEEP === 'x\n\n') current = withKeep;
  }
  return current;
}

/** Each case runs several edits, each a full front-end pass: a quarter of the fuzz budget. */
const CASES = Math.max(50, Math.round(RUNS / 4));

type Op = { kind: 'add'; agent: NewAgent } | { kind: 'remove'; pick: number };

const newAgent: fc.Arbitrary<NewAgent> = fc.record({
  name,
  runtime: fc.constantFrom(...BUILTIN_RUNTIME_NAMES),
  env: fc.option(fc.dictionary(fc.constantFrom('A', 'B_1', 'TZ'), fc.oneof(anyText, fc.constantFrom('a\n', 'a\n\n', '\n', 'l1\nl2', ' x '))), { nil: undefined }),
});
const ops = fc.array(fc.oneof(newAgent.map((agent): Op => ({ kind: 'add', agent })), fc.nat().map((pick): Op => ({ kind: 'remove', pick }))), { minLength: 1, maxLength: 4 });

function fleetNames(data: Data): string[] {
  const preset = data.profile ? PRESET_AGENTS[data.profile].map((a) => a.name).filter((n) => !(data.omit ?? []).includes(n)) : [];
  return [...new Set([...preset, ...data.agents.map((a) => String(a.name))])];
}

/** The data an edit may not touch: everything but agents: and omit:, and the agents other than `except`. */
function untouched(data: Data, except: string) {
  const { agents, omit, ...rest } = data;
  return { rest, agents: agents.filter((a) => a.name !== except), omit: (omit ?? []).filter((n) => n !== except) };
}

describe('add and remove change only what they mean to', () => {
  it(
    'random rosters, styles, comments, blank lines and anchors; random edit sequences',
    () => {
      const tally = { adds: 0, removes: 0, refused: 0 };
      fc.assert(
        fc.property(validRoster, yamlStyle, decorations, ops, (roster: Roster, style, d, sequence) => {
          let text = decorated(rosterText(roster, style), d);
          for (const op of sequence) {
            const before = parse(text) as Data;
            const names = fleetNames(before);
            const target = op.kind === 'add' ? op.agent.name : names[op.pick % names.length]!;
            const outcome = op.kind === 'add' ? addAgent(text, 'roster.yaml', op.agent) : removeAgent(text, 'roster.yaml', target);
            if (!outcome.ok) {
              tally.refused++;
              expect(outcome.diagnostics.length).toBeGreaterThan(0);
              expect(outcome.text).toBe(text);
              continue;
            }
            const after = parse(outcome.text) as Data;
            expect(untouched(after, target)).toEqual(untouched(before, target));
            if (op.kind === 'add') {
              tally.adds++;
              const { env, ...fields } = op.agent;
              expect(after.agents.at(-1)).toEqual({ ...fields, ...(env && Object.keys(env).length ? { env } : {}) });
              expect(after.omit ?? []).not.toContain(target);
              if (!before.agents.some((a) => a.name === target) && !(before.omit ?? []).includes(target)) {
                const back = removeAgent(outcome.text, 'roster.yaml', target);
                expect(back.ok).toBe(true);
                expect(back.text).toBe(text);
              }
            } else {
              tally.removes++;
              expect(after.agents.map((a) => a.name)).not.toContain(target);
              expect(fleetNames(after)).not.toContain(target);
            }
            text = outcome.text;
          }
        }),
        { numRuns: CASES, seed: SEED },
      );
      // The property held over real edits, not only refusals.
      expect(tally.adds).toBeGreaterThan(CASES / 2);
      expect(tally.removes).toBeGreaterThan(CASES / 10);
    },
    FUZZ_TIMEOUT,
  );
});
