/**
 * Quoting, proven with the real tools: a hostile value used as an arg, a workdir and an env value
 * reaches the agent process unchanged through systemd's EnvironmentFile=, the launch script (sh)
 * and tmux; and execWord() (src/render/quote.ts) words are read back by systemd's own ExecStart=
 * parser as the values they quote.
 */
import fc from 'fast-check';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { execWord } from '../../src/render/quote.js';
import { startUserManager, type UserManager } from '../harness/user-manager.js';
import { buildRoster, describeHost, mkdirP, ok, runScript, until } from './host-support.js';
import { homeListing } from '../support/host.js';


/** Quotes, `$`, backquote, backslash, `%` (and specifiers), spaces, a newline, unicode. */
const HOSTILE = `it's "quoted" $HOME \${HOME} $$ \`id\` back\\slash \\n 100% %i %h %% two  spaces\nsecond line ünïcødé ✓ 🚀`;

/** `KEY=value` entries of `env -0` output. */
function parseEnv0(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) env.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return env;
}
const argv0 = (text: string) => text.split('\0').slice(0, -1);

describeHost('quoting on a real systemd user manager', () => {
  let m: UserManager;

  beforeAll(async () => {
    m = await startUserManager();
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('a hostile arg, workdir and env value arrive unchanged in the agent process', async () => {
    const probe = join(m.home, 'probe.sh');
    const outDir = join(m.home, 'probe-out');
    writeFileSync(
      probe,
      `#!/bin/sh\nout='${outDir}'\nmkdir -p "$out"\nprintf '%s\\0' "$@" >"$out/argv"\npwd >"$out/pwd"\nenv -0 >"$out/env"\n: >"$out/done"\nexec sleep 100000\n`,
      { mode: 0o755 },
    );
    mkdirP(join(m.home, HOSTILE));
    const roster = stringify({
      version: 1,
      fleet: { session: 'qt', linger: false, env: { FLEET_VALUE: HOSTILE } },
      runtimes: { probe: { command: [probe, HOSTILE] }, pi: { command: ['sleep', '100002'] } },
      agents: [
        { name: 'orchestrator', runtime: 'pi', class: 'orchestrator' },
        { name: 'enhancer', runtime: 'probe', role: 'enhancer', args: [HOSTILE, '', ' '], workdir: `~/${HOSTILE}`, env: { PROBE_VALUE: HOSTILE, EMPTY: '' } },
      ],
    });
    const out = await buildRoster(roster);
    const before = homeListing(m.home);
    ok(await runScript(m, out, 'install.sh'), 'install.sh');
    try {
      await until('the probe to run', async () => existsSync(join(outDir, 'done')));
      expect(argv0(readFileSync(join(outDir, 'argv'), 'utf8'))).toEqual([HOSTILE, HOSTILE, '', ' ']);
      expect(readFileSync(join(outDir, 'pwd'), 'utf8')).toBe(`${join(m.home, HOSTILE)}\n`);
      const env = parseEnv0(readFileSync(join(outDir, 'env'), 'utf8'));
      expect(env.get('PROBE_VALUE')).toBe(HOSTILE);
      expect(env.get('FLEET_VALUE')).toBe(HOSTILE);
      expect(env.get('EMPTY')).toBe('');
    } finally {
      ok(await runScript(m, out, 'uninstall.sh'), 'uninstall.sh');
    }
    rmSync(outDir, { recursive: true });
    expect(homeListing(m.home).filter((l) => !l.includes('probe-out'))).toEqual(before.filter((l) => !l.includes('probe-out')));
  });

  it("execWord: systemd's ExecStart= parser reads back exactly the quoted values", async () => {
    const dump = join(m.home, 'dump.sh');
    const argvFile = join(m.home, 'exec-argv');
    writeFileSync(dump, `#!/bin/sh\nprintf '%s\\0' "$@" >'${argvFile}'\n`, { mode: 0o755 });
    const fixed = [
      HOSTILE, '', ' ', '  lead', 'trail  ', '\t', '\n', '"', "'", '\\', '\\\\', '\\n', '\\x41', '$', '$$', '${HOME}', '$HOME', '%', '%%', '%i',
      '%h', '%n', '%%%', ';', '-', '--', '>out', '|', '&&', '#comment', '\x01', '\x1b[31m', '\x7f', 'é', '✓', '🚀', '\u00a0', '\u2028',
    ];
    const random = fc.sample(
      fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary-ascii', maxLength: 20 })).map((s) => s.replace(/\0/g, '')),
      { seed: 4242, numRuns: 300 },
    );
    for (const [i, values] of [fixed, random].entries()) {
      const unit = `mosaic-quote-probe-${i}.service`;
      writeFileSync(join(m.unitDir, unit), `[Service]\nType=oneshot\nExecStart=${dump} ${values.map(execWord).join(' ')}\n`);
      try {
        ok(await m.systemctl('daemon-reload'), 'daemon-reload');
        rmSync(argvFile, { force: true });
        ok(await m.systemctl('start', unit), `start ${unit}`);
        expect(argv0(readFileSync(argvFile, 'utf8'))).toEqual(values);
      } finally {
        rmSync(join(m.unitDir, unit));
      }
    }
    ok(await m.systemctl('daemon-reload'), 'daemon-reload');
  });
});
