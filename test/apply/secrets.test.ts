import { describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../support/cli.js';
import { FLEET_DIR } from '../../src/model/artifact.js';

/**
 * Secrets live in envFiles, which mosaic-gen only names. Their contents never reach out/, the
 * plan, the apply log or the installed files; what mosaic-gen writes that holds environment is 0600.
 */
const SECRET = 'sk-live-DO-NOT-PRINT-4242';

function everyFile(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('secrets', () => {
  it('never appear in out/, plan, apply output or installed files; env files and the manifest are 0600', async () => {
    const home = tempDir('mosaic-secrets-');
    const work = tempDir('mosaic-secrets-work-');
    mkdirSync(join(home, 'secrets'));
    writeFileSync(join(home, 'secrets', 'coder0.env'), `API_KEY=${SECRET}\n`, { mode: 0o600 });
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), USER: 'someone' };
    const roster = (extra: string) => `version: 1
profile: general
agents:
  - name: coder0
    runtime: codex
    envFiles: [~/secrets/coder0.env, ${join(home, 'secrets', 'coder0.env')}]
    env: { VISIBLE: "plain", TOKEN_HINT: "${extra}" }
`;
    writeFileSync(join(work, 'roster.yaml'), roster('first'));
    const outputs: string[] = [];
    const run = async (...args: string[]) => {
      const result = await cli(args, { cwd: work, env });
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    expect((await run('build')).status).toBe(0);
    expect((await run('plan', '--offline')).status).toBe(0);
    expect((await run('plan', '--offline', '--json')).status).toBe(0);
    expect((await run('apply', '--offline', '--yes')).status).toBe(0);
    writeFileSync(join(work, 'roster.yaml'), roster('second'));
    const changed = await run('plan', '--offline');
    expect(changed.stdout).toContain('TOKEN_HINT=(redacted');
    expect(changed.stdout).not.toContain('second');
    expect((await run('apply', '--offline', '--yes', '--dry-run')).status).toBe(0);
    expect((await run('apply', '--offline', '--yes')).status).toBe(0);

    for (const text of outputs) expect(text).not.toContain(SECRET);
    for (const file of [...everyFile(join(work, 'out')), ...everyFile(join(home, '.config'))]) {
      expect(readFileSync(file, 'utf8'), file).not.toContain(SECRET);
    }
    const installed = join(home, '.config', FLEET_DIR);
    for (const file of readdirSync(join(installed, 'env'))) expect(statSync(join(installed, 'env', file)).mode & 0o777, file).toBe(0o600);
    expect(statSync(join(installed, 'manifest.json')).mode & 0o777).toBe(0o600);
    for (const file of readdirSync(join(work, 'out', 'env'))) expect(statSync(join(work, 'out', 'env', file)).mode & 0o777, file).toBe(0o600);
    // Without redaction the plan shows values the roster itself holds, never the envFiles'.
    writeFileSync(join(work, 'roster.yaml'), roster('third'));
    const shown = await run('plan', '--offline', '--show-secrets');
    expect(shown.stdout).toContain('TOKEN_HINT="third"');
    expect(shown.stdout).not.toContain(SECRET);
  });
});
