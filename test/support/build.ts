import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cli, REPO, tempDir } from './cli.js';

export const FIXTURES = join(REPO, 'test', 'fixtures', 'rosters');

/** Builds a fixture roster (named relative to the fixtures dir, as the header shows it) into a fresh dir. */
export async function buildFixture(name: string, out = tempDir('mosaic-gen-out-')): Promise<string> {
  const result = await cli(['build', name, '-o', out], { cwd: FIXTURES });
  if (result.status !== 0) throw new Error(`build of ${name} failed:\n${result.stderr}`);
  return out;
}

/** Every file under dir, as relative path → content and mode. */
export function readTree(dir: string): Map<string, { text: string; mode: number }> {
  const files = new Map<string, { text: string; mode: number }>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), { text: readFileSync(path, 'utf8'), mode: statSync(path).mode & 0o777 });
    }
  };
  walk(dir);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}
