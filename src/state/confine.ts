import { lstatSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The directory components of `rel` (relative to `base`, the config root) that must be real
 * directories for mosaic-gen to work below them: the first one that is a symbolic link or not a
 * directory is returned, with what it is; null when every existing one is a real directory. The
 * last component (the file itself) is not checked: a link there is replaced or removed as a
 * link, never followed.
 */
export function unsafeParent(base: string, rel: string): { path: string; what: string } | null {
  const parts = rel.split('/').slice(0, -1);
  let current = base;
  for (const part of parts) {
    current = join(current, part);
    let stat;
    try {
      stat = lstatSync(current);
    } catch {
      return null; // nothing further down exists either
    }
    if (stat.isSymbolicLink()) return { path: current, what: 'a symbolic link' };
    if (!stat.isDirectory()) return { path: current, what: 'not a directory' };
  }
  return null;
}
