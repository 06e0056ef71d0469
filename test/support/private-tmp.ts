/**
 * Global setup (vitest.config.ts): the whole run gets its own TMPDIR, so that what a test leaves
 * in the temp dir can be told apart from other runs on the machine. At the end the directory is
 * removed, and if anything was left in it the run fails, naming what.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The compile cache's place in the run's directory, not counted as left behind. */
const CACHE = 'xdg-cache';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-gen-run-'));
  // As /tmp: some tests run commands as another user.
  chmodSync(dir, 0o1777);
  // Test workers are started after this and inherit it; os.tmpdir() reads TMPDIR.
  process.env.TMPDIR = dir;
  // Under Node >= 22.1 the CLI keeps Node's compile cache in XDG_CACHE_HOME (else ~/.cache): here,
  // so that a test comparing a HOME before and after a run sees only what the command did there.
  // Tests of the cache itself set their own.
  process.env.XDG_CACHE_HOME = join(dir, CACHE);
  return () => {
    // The engine's private lock directory where no runtime directory is set (mosaic-fleet-UID,
    // 0700, like /tmp/tmux-UID) is meant to stay, as is the compile cache.
    const left = readdirSync(dir).filter((name) => name !== CACHE && !/^mosaic-fleet-\d+$/.test(name));
    rmSync(dir, { recursive: true, force: true });
    if (left.length === 0) return;
    // Vitest reports an error thrown here but still exits 0: set the status itself.
    console.error(`\nFAIL: the tests left ${left.length} entries in the temp dir: ${left.slice(0, 10).join(', ')}${left.length > 10 ? ', …' : ''}`);
    process.exitCode = 1;
  };
}
