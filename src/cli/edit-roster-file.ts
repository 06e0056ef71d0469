import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errorIn } from '../errors.js';
import { acquireFileLock } from '../host/file-lock.js';
import { readRosterFile } from '../load/read-roster-file.js';
import type { EditOutcome } from '../author/finish-edit.js';
import { writeFileAtomic } from '../host/write-file-atomic.js';
import type { Fleet } from '../model/fleet.js';
import { EXIT, painter, useColor, type CliIO } from './io.js';
import { diagnosticsJson, printDiagnostics } from './print-diagnostics.js';
import { rosterArg } from './roster-arg.js';

export interface EditOptions {
  roster?: string;
  json?: boolean;
  dryRun?: boolean;
}

/**
 * The shared shell of `add` and `remove`: read the roster, run the pure edit, and write the
 * result atomically only when it validates. Every refusal leaves the file as it was.
 */
export async function editRosterFile(io: CliIO, options: EditOptions, edit: (text: string, file: string) => EditOutcome): Promise<number> {
  const { path, file } = rosterArg(io, options.roster);
  const failed = (message: string, hint: string, outcome?: EditOutcome) => {
    const failure = errorIn(file, 'WRITE', message, hint);
    return report(io, options, file, { ...(outcome ?? { text: '', sources: new Map(), changes: [] }), ok: false, diagnostics: [...(outcome?.diagnostics ?? []), failure] }, false);
  };
  // Edits take turns: each reads the roster only after the previous one has written it.
  const locked = options.dryRun ? undefined : await acquireFileLock(lockPath(path), LOCK_WAIT_MS);
  if (locked && !locked.ok) {
    return locked.error
      ? failed(`cannot lock ${file} for editing (${locked.error.code ?? locked.error.message})`, 'check the permissions of its directory')
      : failed(`another mosaic-gen${locked.holder ? ` (PID ${locked.holder})` : ''} has been editing ${file} for ${LOCK_WAIT_MS / 1000} s`, `try again; if no mosaic-gen is running, remove ${lockPath(path)}`);
  }
  try {
    return await editLocked(io, options, path, file, edit, failed);
  } finally {
    if (locked?.ok) locked.lock.release();
  }
}

const LOCK_WAIT_MS = 30_000;

/** Beside the roster (its real file, when the roster is a symlink), where edits of it meet. */
function lockPath(path: string): string {
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // no roster: the read reports it
  }
  return join(dirname(real), `.${basename(real)}.mosaic-gen.lock`);
}

async function editLocked(io: CliIO, options: EditOptions, path: string, file: string, edit: (text: string, file: string) => EditOutcome, failed: (message: string, hint: string, outcome?: EditOutcome) => number): Promise<number> {
  const read = readRosterFile(path, file);
  if (!read.ok) return report(io, options, file, { ok: false, text: '', diagnostics: [read.diagnostic], sources: new Map(), changes: [] }, false);
  const outcome = edit(read.text, file);
  if (!outcome.ok) return report(io, options, file, outcome, false);
  if (!options.dryRun) {
    // Compare and swap: an editor that ignores the lock may have saved meanwhile; never undo that.
    const again = readRosterFile(path, file);
    if (!again.ok || again.text !== read.text) return failed(`${file} changed while mosaic-gen was editing it`, 'run the command again', outcome);
    try {
      writeFileAtomic(path, outcome.text, { overwrite: true, mode: 'keep', durable: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      return failed(`cannot write ${file} (${code})`, 'check the permissions of the file and its directory', outcome);
    }
  } else if (!options.json) {
    // diff is loaded only for a dry run, the one use of it here.
    const { createTwoFilesPatch } = await import('diff');
    io.stdout(createTwoFilesPatch(file, file, read.text, outcome.text, undefined, undefined, { context: 3 }).replace(/^Index: .*\n=+\n/, ''));
  }
  return report(io, options, file, outcome, !options.dryRun);
}

function report(io: CliIO, options: EditOptions, file: string, outcome: EditOutcome, written: boolean): number {
  if (options.json) {
    const result = {
      file,
      ok: outcome.ok,
      written,
      changes: outcome.changes,
      diagnostics: diagnosticsJson(outcome.diagnostics, outcome.sources),
      ...(outcome.fleet ? { fleet: summary(outcome.fleet) } : {}),
    };
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return outcome.ok ? EXIT.OK : EXIT.ERROR;
  }
  printDiagnostics(io, outcome.diagnostics, outcome.sources);
  if (!outcome.ok) {
    io.stderr(`${file}: not changed\n`);
    return EXIT.ERROR;
  }
  const paint = painter(useColor(io));
  const verb = written ? '' : ' (dry run, not written)';
  for (const change of outcome.changes) io.stdout(`${file}: ${paint('green', change)}${verb}\n`);
  if (outcome.fleet) io.stdout(`${file}: ${describe(outcome.fleet)}\n`);
  return EXIT.OK;
}

export function summary(fleet: Fleet) {
  return {
    profile: fleet.profile,
    agents: fleet.agents.map((a) => ({ name: a.name, role: a.role, class: a.class, runtime: a.runtime, lifecycle: a.lifecycle })),
  };
}

function describe(fleet: Fleet): string {
  const names = fleet.agents.map((a) => a.name).join(', ');
  const count = `${fleet.agents.length} agent${fleet.agents.length === 1 ? '' : 's'}`;
  return `${fleet.profile ? `${fleet.profile} fleet` : 'fleet'} of ${count}: ${names}`;
}
