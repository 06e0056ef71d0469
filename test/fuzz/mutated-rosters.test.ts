/**
 * Property: a mutated roster (keys deleted, duplicated, retyped, misspelt; random bytes; deep
 * nesting; very long strings; alias bombs) ends in typed diagnostics with a code and a position,
 * never an exception, a stack trace or a partial write.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { assembleOutput } from '../../src/emit/assemble-output.js';
import { formatDiagnostic, hasErrors } from '../../src/errors.js';
import { loadFleet } from '../../src/load/load-fleet.js';
import { VERSION } from '../../src/version.js';
import { cli, tempDir } from '../support/cli.js';
import { mutatedRoster, FUZZ_TIMEOUT, RUNS, SEED } from './arbitraries.js';

/** Problems that concern the file as a whole, so have no place in it. */
const PLACELESS = new Set(['EMPTY', 'TOO_LARGE']);

const dir = tempDir('mosaic-gen-fuzz-mut-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

vi.setConfig({ testTimeout: FUZZ_TIMEOUT });

describe(`mutated rosters (${RUNS} cases)`, () => {
  it('end in a Fleet or in diagnostics a user can act on (place in the file, message, hint), never an exception', () => {
    const roster = join(dir, 'roster.yaml');
    const outcomes = new Map<string, number>();
    let typos = 0;
    fc.assert(
      fc.property(mutatedRoster, ({ bytes, steps, typo }) => {
        writeFileSync(roster, bytes);
        const started = performance.now();
        const result = loadFleet(roster, 'roster.yaml');
        const elapsed = performance.now() - started;
        const context = `after ${steps.join(', ')}:\n${bytes.toString('utf8').slice(0, 2000)}`;
        expect(elapsed, `front end took ${elapsed.toFixed(0)} ms ${context}`).toBeLessThan(10_000);
        const text = bytes.toString('utf8');
        // Lines as yaml counts them (a lone CR does not end one).
        const lines = text.split('\n');
        for (const d of result.diagnostics) {
          // What the user reads: one `FILE[:LINE:COL]: severity[CODE]: message` line, a hint line.
          const shown = formatDiagnostic(d, result.sources).split('\n');
          const head = /^roster\.yaml(?::(\d+):(\d+))?: (error|warning)\[[A-Z0-9_]+\]: (\S.*)$/.exec(shown[0]!);
          expect(head, `${shown.join('\n')} ${context}`).not.toBeNull();
          expect(shown.slice(1).every((l) => /^ {2}hint: \S/.test(l)) && shown.length <= 2, `${shown.join('\n')} ${context}`).toBe(true);
          expect(shown.join('\n'), context).not.toMatch(/\n\s+at /);
          if (d.severity !== 'error' || PLACELESS.has(d.code)) continue;
          expect(head![1], `${shown[0]} has no line:col ${context}`).toBeDefined();
          // The place is in the file: a line it has, a column of that line (or just past its end).
          const [line, col] = [Number(head![1]), Number(head![2])];
          expect(line, `${shown[0]} ${context}`).toBeGreaterThanOrEqual(1);
          expect(line, `${shown[0]}: the file has ${lines.length} lines ${context}`).toBeLessThanOrEqual(lines.length);
          expect(col, `${shown[0]} ${context}`).toBeGreaterThanOrEqual(1);
          expect(col, `${shown[0]}: line ${line} has ${lines[line - 1]!.length} characters ${context}`).toBeLessThanOrEqual(lines[line - 1]!.length + 1);
        }
        if (typo) {
          // A misspelt key is shown where it is written, named, with the key meant.
          const shown = result.diagnostics.filter((d) => d.code === 'UNKNOWN_KEY').map((d) => formatDiagnostic(d, result.sources));
          const quoted = `'${typo.misspelt}'`;
          const about = shown.find((t) => t.includes(`unknown key ${quoted}`));
          expect(about, `no UNKNOWN_KEY for ${quoted} (meant '${typo.key}') ${context}`).toBeDefined();
          expect(about, context).toContain(`\n  hint: did you mean '${typo.key}'?`);
          const line = Number(/^roster\.yaml:(\d+):/.exec(about!)![1]);
          expect(lines[line - 1], `line ${line} should hold the key ${quoted} ${context}`).toContain(typo.misspelt);
          typos++;
        }
        if (result.fleet) {
          expect(hasErrors(result.diagnostics)).toBe(false);
          // Whatever the front end accepts, the back end renders: no value reaches a quoting helper
          // that resolve should have refused.
          assembleOutput(result.fleet, VERSION);
          outcomes.set('built', (outcomes.get('built') ?? 0) + 1);
        } else {
          expect(hasErrors(result.diagnostics), `no fleet and no error ${context}`).toBe(true);
          for (const code of new Set(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))) outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: !process.env.FUZZ_SHRINK },
    );
    expect(typos, 'misspelt keys among the cases').toBeGreaterThan(0);
    console.log(`${RUNS} mutated rosters (${typos} with a misspelt key): ${[...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  });

  it('a failed build writes nothing, and the CLI prints diagnostics, never a stack trace', async () => {
    // Through the whole CLI (fewer cases: each is a full build).
    const runs = Math.max(20, Math.floor(RUNS / 10));
    let failed = 0;
    await fc.assert(
      fc.asyncProperty(mutatedRoster, async ({ bytes, steps }) => {
        const roster = join(dir, 'cli.yaml');
        const out = join(dir, 'cli-out');
        rmSync(out, { recursive: true, force: true });
        writeFileSync(roster, bytes);
        const result = await cli(['build', roster, '-o', out], { cwd: dir });
        const context = `after ${steps.join(', ')}: ${result.stderr.slice(0, 1000)}`;
        expect([0, 1], context).toContain(result.status);
        expect(result.stderr, context).not.toMatch(/\n\s+at .*:\d+:\d+/);
        if (result.status === 0) {
          expect(existsSync(join(out, 'manifest.json')), context).toBe(true);
        } else {
          failed++;
          expect(result.stderr, context).toMatch(/error\[[A-Z0-9_]+\]/);
          expect(existsSync(out), `a failed build left ${out} behind ${context}`).toBe(false);
        }
      }),
      { numRuns: runs, seed: SEED + 1, endOnFailure: !process.env.FUZZ_SHRINK },
    );
    console.log(`${runs} mutated rosters through \`build -o\`: ${failed} refused with nothing written, ${runs - failed} built`);
  });
});
