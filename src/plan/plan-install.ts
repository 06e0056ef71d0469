import { MANIFEST_TARGET } from '../model/artifact.js';
import type { Manifest } from '../model/manifest.js';
import { parseMode } from '../model/manifest.js';
import type { Op } from './ops.js';

export const MANIFEST_SOURCE = 'manifest.json';

/**
 * The install plan of a build, from its manifest alone (so a host's installed manifest yields the
 * same plan without the roster). The first daemon-reload's inverse is the last step of uninstall:
 * the manager forgets the removed units.
 */
export function planInstall(manifest: Manifest): Op[] {
  const targets = [...manifest.files.map((f) => f.target), MANIFEST_TARGET];
  const ops: Op[] = [{ kind: 'daemon-reload' }];
  for (const dir of parentDirs(targets)) ops.push({ kind: 'make-dir', dir });
  for (const file of manifest.files) ops.push({ kind: 'install-file', source: file.path, target: file.target, mode: parseMode(file.mode) });
  ops.push({ kind: 'install-file', source: MANIFEST_SOURCE, target: MANIFEST_TARGET, mode: 0o600 });
  ops.push({ kind: 'daemon-reload' });
  for (const unit of manifest.enable) ops.push({ kind: 'enable-unit', ...unit });
  if (manifest.linger) ops.push({ kind: 'enable-linger' });
  for (const unit of manifest.start) ops.push({ kind: 'start-unit', unit });
  return ops;
}

/** Every directory the targets need, parents before children, '' being $XDG_CONFIG_HOME itself. */
export function parentDirs(targets: readonly string[]): string[] {
  const dirs = new Set<string>(['']);
  for (const target of targets) {
    const parts = target.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}
