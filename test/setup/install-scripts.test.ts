/**
 * `npm ci` on a fresh machine prints no warning of ours: npm 11 runs a dependency's install script
 * only when package.json's allowScripts covers it, and otherwise warns at the end of every install.
 * `npm install-scripts ls` names what is not covered, from node_modules, without the network.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

const npm = (...args: string[]) => spawnSync('npm', args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
/** npm before 11 has no install-script policy (and no such command): nothing to cover there. */
const hasPolicy = npm('install-scripts', '--help').status === 0;

describe.skipIf(!hasPolicy)(`allowScripts${hasPolicy ? '' : ' (skipped: this npm has no install-script policy)'}`, () => {
  it("covers every installed dependency's install script", () => {
    const r = npm('install-scripts', 'ls');
    expect(r.stdout.trim()).toBe('No packages with unreviewed install scripts.');
    expect(r.status).toBe(0);
  });
});
