/**
 * The lock files mosaic-gen takes (out/ while building, a roster while editing): a live holder
 * is waited for, a dead one's lock is taken over, and so is a lock naming this very process,
 * which can only be a dead process's whose PID came round again (node as PID 1 in a container).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireFileLock } from '../../src/host/file-lock.js';
import { tempDir } from '../support/cli.js';

describe('file locks', () => {
  it("takes over a lock whose holder is gone, or that names this process's own PID", async () => {
    const lock = join(tempDir(), 'x.lock');
    for (const holder of [spawnSync('true').pid, process.pid]) {
      writeFileSync(lock, `${holder}\n`);
      const taken = await acquireFileLock(lock, 0);
      expect(taken.ok, `holder ${holder}`).toBe(true);
      expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`);
      if (taken.ok) taken.lock.release();
      expect(existsSync(lock)).toBe(false);
    }
  });

  it('a lock this process holds is not taken from it by a second acquire in the same process', async () => {
    const lock = join(tempDir(), 'x.lock');
    const first = await acquireFileLock(lock, 0);
    expect(first.ok).toBe(true);
    expect(await acquireFileLock(lock, 50)).toEqual({ ok: false, holder: process.pid });
    if (first.ok) first.lock.release();
    const again = await acquireFileLock(lock, 0);
    expect(again.ok).toBe(true);
    if (again.ok) again.lock.release();
  });

  it('waits for a live holder, then names it', async () => {
    const lock = join(tempDir(), 'x.lock');
    // PID 1 is alive (and not this test's process).
    writeFileSync(lock, '1\n');
    const start = Date.now();
    const taken = await acquireFileLock(lock, 200);
    expect(taken).toEqual({ ok: false, holder: 1 });
    expect(Date.now() - start).toBeGreaterThanOrEqual(200);
    expect(readFileSync(lock, 'utf8')).toBe('1\n');
  });

  it('waits without blocking the process: timers keep firing, and the holder going away ends the wait', async () => {
    const lock = join(tempDir(), 'x.lock');
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    const gone = new Promise((done) => holder.on('exit', done));
    writeFileSync(lock, `${holder.pid}\n`);
    // The holder is ended from a timer: a blocking wait would never let it fire, and would give
    // up after the whole 10 s naming the holder.
    let ticks = 0;
    const ticker = setInterval(() => {
      ticks += 1;
      if (ticks === 10) holder.kill('SIGKILL');
    }, 10);
    try {
      const taken = await acquireFileLock(lock, 10_000);
      expect(taken.ok).toBe(true);
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n`);
      if (taken.ok) taken.lock.release();
    } finally {
      clearInterval(ticker);
      holder.kill('SIGKILL');
      await gone;
    }
  });
});
