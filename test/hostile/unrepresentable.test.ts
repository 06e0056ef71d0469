/**
 * Values that a target syntax cannot carry are refused by `validate`, with code UNREPRESENTABLE and
 * the line:col of the value, never emitted broken (and `build` writes nothing).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, rosterFile } from '../support/cli.js';

const base = (extra: { fleet?: string; agent?: string; runtimes?: string }) => `version: 1
${extra.fleet ? `fleet:\n${extra.fleet}\n` : ''}${extra.runtimes ? `runtimes:\n${extra.runtimes}\n` : ''}agents:
  - name: orchestrator
    runtime: pi
    role: orchestrator
  - name: enhancer
    runtime: pi
    role: enhancer
${extra.agent ?? ''}
`;

/** [what, roster, line of the bad value] */
const CASES: Array<[string, string, number]> = [
  ['NUL in an arg', base({ agent: '    args: ["a\\0b"]' }), 9],
  ['NUL in an env value', base({ agent: '    env: { X: "a\\0" }' }), 9],
  ['NUL in a workdir', base({ agent: '    workdir: "/tmp/a\\0b"' }), 9],
  ['NUL in fleet.env', base({ fleet: '  env: { X: "\\0" }' }), 3],
  ['NUL in fleet.path', base({ fleet: '  path: ["/a\\0"]' }), 3],
  ['NUL in a runtime command', base({ runtimes: '  pi: { command: ["pi\\0"] }' }), 3],
  ['NUL in fleet.tmux', base({ fleet: '  tmux: "/usr/bin/t\\0mux"' }), 3],
  ['an unpaired surrogate in an env value', base({ agent: '    env: { X: "\\uD800" }' }), 9],
  ['an unpaired surrogate in an arg', base({ agent: '    args: ["\\uDC00x"]' }), 9],
  ['a newline in an envFiles path', base({ agent: '    envFiles: ["/a\\nb"]' }), 9],
  ['a CR in an envFiles path', base({ agent: '    envFiles: ["/a\\rb"]' }), 9],
  ['a trailing backslash in an envFiles path', base({ agent: '    envFiles: ["/a\\\\"]' }), 9],
  ['a leading space in an envFiles path', base({ agent: '    envFiles: [" /a"]' }), 9],
  ['a trailing space in an envFiles path', base({ agent: '    envFiles: ["/a "]' }), 9],
  ['a quote in fleet.tmux', base({ fleet: `  tmux: "/opt/it's/tmux"` }), 3],
  ['a backslash in fleet.tmux', base({ fleet: '  tmux: "/opt/a\\\\b/tmux"' }), 3],
  ['a tab in fleet.tmux', base({ fleet: '  tmux: "/opt/a\\tb/tmux"' }), 3],
  ['a trailing slash in fleet.tmux', base({ fleet: '  tmux: "/usr/bin/"' }), 3],
];

describe('values no target syntax can carry', () => {
  it.each(CASES)('%s: validate refuses it with UNREPRESENTABLE at its line; build writes nothing', async (_what, text, line) => {
    const { dir, path, cleanup } = rosterFile(text);
    try {
      const result = await cli(['validate', '--json', path], { cwd: dir });
      expect(result.status).toBe(1);
      const report = JSON.parse(result.stdout) as { diagnostics: Array<{ code: string; line?: number; col?: number; message: string }> };
      const errors = report.diagnostics.filter((d) => d.code !== 'FLOOR');
      // (A runtime's command is reported once per agent that uses it.)
      expect([...new Set(errors.map((d) => d.code))]).toEqual(['UNREPRESENTABLE']);
      expect(errors[0]!.line).toBe(line);
      expect(errors[0]!.col).toBeGreaterThan(1);
      const text_ = await cli(['validate', path], { cwd: dir });
      expect(text_.stderr).toMatch(new RegExp(`roster\\.yaml:${line}:\\d+: error\\[UNREPRESENTABLE\\]`));
      const build = await cli(['build', path, '-o', join(dir, 'out')], { cwd: dir });
      expect(build.status).toBe(1);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});
