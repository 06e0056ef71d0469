import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'vitest';
import { userManagerSupport, type UserManager } from '../harness/user-manager.js';
import { BIN } from './cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The CLI as a separate process, inside the manager's namespace, as the fleet's user. */
export function mosaic(m: UserManager, cwd: string, ...args: string[]) {
  return m.run(process.execPath, [BIN, ...args], { cwd, timeoutMs: 60_000 });
}

/**
 * A full listing of a tree: one line per entry (sorted), with type, mode, and a sha256 of the
 * content for files or the link target for symlinks. Two equal listings mean byte-for-byte and
 * link-for-link equal trees (ownership aside: everything here belongs to one user).
 */
export function listing(root: string, skip: (rel: string) => boolean = () => false): string[] {
  const lines: string[] = [];
  const walk = (rel: string) => {
    const abs = rel ? join(root, rel) : root;
    for (const name of readdirSync(abs).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const st = lstatSync(join(root, r));
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) lines.push(`l ${r} -> ${readlinkSync(join(root, r))}`);
      else if (st.isDirectory()) {
        lines.push(`d ${mode} ${r}/`);
        walk(r);
      } else if (st.isFile()) lines.push(`f ${mode} ${r} ${createHash('sha256').update(readFileSync(join(root, r))).digest('hex')}`);
      else lines.push(`? ${mode} ${r}`);
    }
  };
  walk('');
  return lines;
}

/**
 * A listing of a HOME as the fleet's files leave it: without ~/.local, where the agents'
 * transcripts (~/.local/state/mosaic/) grow while agents run and stay after uninstall, on purpose.
 */
export function homeListing(home: string): string[] {
  return listing(home, (rel) => rel === '.local');
}

/** Polls `probe` until it returns a value that is not undefined/false, or throws after timeoutMs. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

export async function unitState(m: UserManager, unit: string): Promise<{ active: string; enabled: string; mainPid: number }> {
  const shown = await m.systemctl('show', '--property=ActiveState,UnitFileState,MainPID', unit);
  const props = new Map(shown.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
  return { active: props.get('ActiveState') ?? '', enabled: props.get('UnitFileState') ?? '', mainPid: Number(props.get('MainPID') ?? 0) };
}

export async function windows(m: UserManager, session: string): Promise<string[]> {
  const r = await m.run('tmux', ['-L', session, 'list-windows', '-t', `=${session}`, '-F', '#{window_name}']);
  return r.code === 0 ? r.stdout.trim().split('\n').filter(Boolean).sort() : [];
}

/**
 * `describe` for tests that need a real user manager: where none can run here they are skipped
 * with the reason, except under CI=true, where that is a failing test: CI never goes green on
 * skipped host tests it meant to run. MOSAIC_SKIP_SYSTEMD_TESTS=1 skips them on purpose, under
 * CI=true too: .ci/run's second pass under another Node runs everything but them, once the first
 * pass has run them.
 */
export function describeHost(title: string, body: () => void): void {
  const support = userManagerSupport();
  if (support.ok) describe(title, body);
  else if (process.env.CI === 'true' && !process.env.MOSAIC_SKIP_SYSTEMD_TESTS) {
    describe(title, () => {
      it('runs on this machine (CI=true: host tests may not be skipped)', () => {
        throw new Error(`no systemd user manager can run here: ${support.reason}`);
      });
    });
  } else describe.skip(`${title} (skipped: ${support.reason})`, body);
}
