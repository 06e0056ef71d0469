import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { commandError } from '../../errors.js';
import { VERIFY_SECONDS } from '../../model/activity.js';
import { activityDir, queueMessage, readActivity, writePrivate, type Activity } from '../../state/agent-activity.js';
import { agentOf, fleetTmux, fleetWindows, readInstalledFleet, type InstalledFleet } from '../installed-fleet.js';
import { EXIT, type CliIO } from '../io.js';
import { printDiagnostics } from '../print-diagnostics.js';

/** A message is what a person would type: a megabyte is far more than any prompt. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

interface SendOptions {
  verify?: boolean;
  queue?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * send NAME TEXT: types a message into the agent's window as a person would, a bracketed paste
 * (so that line breaks in it are text, not Enter) and then Enter as a key of its own. An agent
 * that is working is not interrupted: the message is refused, or with --queue left for the
 * agent's supervisor to type when it next turns idle (nothing of this command waits for that).
 */
export function registerSend(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command('send')
    .description("type a message into an agent's window (bracketed paste, then Enter)")
    .argument('<agent>', 'agent name')
    .argument('<text>', 'the message, or - to read it from standard input')
    .option('--verify', `exit 0 only when the agent took the message within ${VERIFY_SECONDS} s: it turned working (hooks), or its window changed (no hooks); else 1, with what it saw`)
    .option('--queue', 'if the agent is working, queue the message: its supervisor types it when the agent next turns idle')
    .addHelpText('after', `\nExamples:\n  mosaic-gen send coder0 'run the tests and fix what fails'\n  git diff | mosaic-gen send code-review - --verify\n  mosaic-gen send coder0 'then update the changelog' --queue`)
    .action(async (name: string, given: string, options: SendOptions) => {
      const fail = (code: 'USAGE' | 'BUSY', message: string, hint: string) => {
        printDiagnostics(io, [commandError('mosaic-gen send', code, message, hint)], new Map());
        exit(EXIT.ERROR);
      };
      const text = given === '-' ? (io.stdin?.(MAX_MESSAGE_BYTES + 1) ?? Buffer.alloc(0)).toString('utf8') : given;
      if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) return fail('USAGE', `the message is larger than ${MAX_MESSAGE_BYTES} bytes`, 'send a file path for the agent to read instead');
      // What a person would submit: trailing line breaks are the Enter this command types itself.
      const message = text.replace(/[\r\n]+$/, '');
      if (message.trim() === '') return fail('USAGE', 'the message is empty', `mosaic-gen send ${name} 'TEXT', or pipe it in with -`);
      const fleet = await readInstalledFleet(io, 'send');
      if (!fleet || !agentOf(io, fleet, name)) return exit(EXIT.ERROR);
      if (!(await fleetWindows(fleet)).has(name)) return fail('USAGE', `agent '${name}' has no window: it is not running`, `start it with: mosaic-gen start ${name}`);
      const dir = activityDir(io.env, fleet.record.session);
      const before = readActivity(dir, name);
      if (before.state === 'working') {
        if (!options.queue) return fail('BUSY', `agent '${name}' is working (${since(before)}): a message now would land in the middle of its turn`, `send it with --queue, and it is typed when ${name} next turns idle`);
        if (dir === null) return fail('USAGE', `there is no runtime directory of the fleet to queue in (is XDG_RUNTIME_DIR the user manager's?)`, 'send it when the agent is idle');
        queueMessage(dir, name, message, Date.now());
        io.stdout(`${name}: queued: it is working (${since(before)}); its supervisor types the message when it next turns idle\n`);
        return exit(EXIT.OK);
      }
      const pane = options.verify ? await capture(fleet, name) : null;
      const sent = await typeMessage(fleet, dir, name, message);
      if (sent !== null) return fail('USAGE', `cannot type into agent '${name}': ${sent}`, `see mosaic-gen status, and mosaic-gen logs ${name}`);
      if (!options.verify) {
        io.stdout(`${name}: sent\n`);
        return exit(EXIT.OK);
      }
      // The receipt: the runtime's hooks say it began a turn; without hooks, its window changed.
      const started = Date.now();
      let now: Activity = before;
      let after: string | null = pane;
      while (Date.now() - started < VERIFY_SECONDS * 1000) {
        await sleep(100);
        now = readActivity(dir, name);
        if (now.state === 'working') {
          io.stdout(`${name}: sent; working after ${((Date.now() - started) / 1000).toFixed(1)} s (${now.source ?? 'unknown'})\n`);
          return exit(EXIT.OK);
        }
        if (now.source !== 'hooks') {
          after = await capture(fleet, name);
          if (after !== null && after !== pane) {
            io.stdout(`${name}: sent; its window changed after ${((Date.now() - started) / 1000).toFixed(1)} s (no hooks: ${now.state})\n`);
            return exit(EXIT.OK);
          }
        }
      }
      const seen = now.source === 'hooks' ? `its hooks still say ${now.state} (${since(now)})` : `its window did not change (activity ${now.state})`;
      const last = (after ?? (await capture(fleet, name)) ?? '').split('\n').filter((line) => line.trim() !== '').slice(-5);
      io.stderr(`${name}: sent, but not taken within ${VERIFY_SECONDS} s: ${seen}${last.length ? `; its last lines:\n${last.map((line) => `  | ${line}`).join('\n')}` : ''}\n`);
      return exit(EXIT.ERROR);
    });
}

function since(activity: Activity): string {
  if (activity.since === null) return activity.source ?? 'no report';
  return `since ${new Date(activity.since * 1000).toISOString().replace(/\.000Z$/, 'Z')}, ${activity.source ?? 'no report'}`;
}

/** The window's visible text, or null without one. */
async function capture(fleet: InstalledFleet, name: string): Promise<string | null> {
  const shown = await fleetTmux(fleet, 'capture-pane', '-p', '-t', `=${fleet.record.session}:=${name}`);
  return shown.code === 0 ? shown.stdout : null;
}

/**
 * The supervisor types queued messages the same way (templates/launch/supervise.sh.hbs,
 * type_message): the text through a private file into a tmux buffer of the agent's, pasted
 * bracketed and deleted, then Enter a moment later, which a runtime reads as a key of its own.
 * null when done, else what went wrong.
 */
async function typeMessage(fleet: InstalledFleet, dir: string | null, name: string, message: string): Promise<string | null> {
  const scratch = dir === null ? mkdtempSync(join(tmpdir(), 'mosaic-send-')) : null;
  const file = writePrivate(scratch ?? dir!, message);
  const target = `=${fleet.record.session}:=${name}`;
  const buffer = `mosaic-send-${name}`;
  try {
    for (const args of [['load-buffer', '-b', buffer, file], ['paste-buffer', '-p', '-d', '-b', buffer, '-t', target]]) {
      const done = await fleetTmux(fleet, ...args);
      if (done.code !== 0) return done.stderr.trim() || `tmux ${args[0]}: exit ${done.code}`;
    }
    await sleep(200);
    const entered = await fleetTmux(fleet, 'send-keys', '-t', target, 'Enter');
    return entered.code === 0 ? null : entered.stderr.trim() || `tmux send-keys: exit ${entered.code}`;
  } finally {
    rmSync(scratch ?? file, { recursive: true, force: true });
  }
}
