import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { UserManager } from '../harness/user-manager.js';
import { BIN } from './cli.js';

/** Every entry under dir: type, mode, and a content hash or link target. Byte-for-byte and link-for-link. */
export function listing(dir: string, skip: (path: string) => boolean = () => false): string[] {
  const lines: string[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const rel = relative(dir, path);
      if (skip(rel)) continue;
      const stat = lstatSync(path);
      const mode = (stat.mode & 0o7777).toString(8);
      if (stat.isSymbolicLink()) lines.push(`l ${rel} -> ${readlinkSync(path)}`);
      else if (stat.isDirectory()) {
        lines.push(`d ${rel} ${mode}`);
        walk(path);
      } else lines.push(`f ${rel} ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16)}`);
    }
  };
  walk(dir);
  return lines;
}

/** The CLI as a separate process, inside the manager's namespace, as the fleet's user. */
export function mosaic(m: UserManager, cwd: string, ...args: string[]) {
  return m.run(process.execPath, [BIN, ...args], { cwd, timeoutMs: 60_000 });
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
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
