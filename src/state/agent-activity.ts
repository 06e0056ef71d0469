/**
 * The agents' files in the fleet's runtime directory (model/activity.ts) as the CLI reads and
 * writes them: the activity the reporter and the supervisor keep, the pending-restart mark the
 * engine leaves, and messages queued for an agent's next idle turn.
 */
import { closeSync, constants, lstatSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVITY_SUBDIR, PENDING_SUFFIX, QUEUE_INFIX, RUNTIME_DIR, SESSION_SUFFIX, parseActivity, type Activity } from '../model/activity.js';

export { UNKNOWN_ACTIVITY, type Activity } from '../model/activity.js';
import { transcriptDir } from '../model/transcript.js';


type Env = Readonly<Record<string, string | undefined>>;

/**
 * The agents' directory of a fleet, or null where there is none that is safe to use: every step
 * from $XDG_RUNTIME_DIR down must be a directory of this user's own, reached by no link.
 */
export function activityDir(env: Env, session: string): string | null {
  const runtime = env.XDG_RUNTIME_DIR;
  if (!runtime || !runtime.startsWith('/')) return null;
  let path = runtime;
  for (const step of ['', RUNTIME_DIR, session, ACTIVITY_SUBDIR]) {
    path = step === '' ? path : join(path, step);
    try {
      const stat = lstatSync(path);
      if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) return null;
    } catch {
      return null;
    }
  }
  return path;
}

/** What the agent's runtime (or its pane) last said; unknown when nothing did. */
export function readActivity(dir: string | null, name: string): Activity {
  return parseActivity((dir && readRegular(join(dir, name))) ?? '');
}

/** The reason a restart for a change waits ("idle": for the agent to be idle; "manual": for a person), or null. */
export function pendingRestart(dir: string | null, name: string): string | null {
  const text = dir && readRegular(join(dir, `${name}${PENDING_SUFFIX}`));
  return text ? text.trim() || 'idle' : null;
}

/**
 * A message for the agent's next idle turn: written whole under a temporary name, then renamed
 * into the queue, whose names sort in the order messages were queued.
 */
export function queueMessage(dir: string, name: string, text: string, now: number): string {
  const final = join(dir, `${name}${QUEUE_INFIX}${String(now).padStart(15, '0')}-${process.pid}`);
  const temporary = writePrivate(dir, text);
  renameSync(temporary, final);
  return final;
}

/** A private file (0600, created exclusively, never through a link) holding text; its path. */
export function writePrivate(dir: string, text: string): string {
  for (let attempt = 0; ; attempt++) {
    const path = join(dir, `.send-${process.pid}-${Date.now()}-${attempt}`);
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 100) continue;
      throw error;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return path;
  }
}

/** The agent's recorded session file ($XDG_STATE_HOME/mosaic/NAME.session). */
export function sessionFile(env: Env, home: string, name: string): string {
  return join(transcriptDir(env, home), `${name}${SESSION_SUFFIX}`);
}

/** Forgets the agent's session, so that its next start is a new one (restart --fresh). */
export function forgetSession(env: Env, home: string, name: string): void {
  if (!home.startsWith('/') && !env.XDG_STATE_HOME?.startsWith('/')) return;
  rmSync(sessionFile(env, home, name), { force: true });
}

function readRegular(path: string): string | null {
  try {
    if (!lstatSync(path).isFile()) return null;
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
