// A stand-in for Claude Code in host tests, keeping the part of its contract that mosaic-gen
// relies on: `--settings JSON` (a string) with hooks, run as Claude Code documents them (each
// command through a shell, the hook input as JSON on stdin: session_id, hook_event_name, …);
// `--resume ID` resumes that session, otherwise a new one; messages come from its terminal,
// pasted (bracketed paste, which it asks for) and submitted by Enter; each message is "worked
// on" for --work SECONDS (default 3; a message "work N: …" takes N). --deaf reads its terminal and ignores everything.
// It prints the session it was started with, for tests to read in its window.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

const args = process.argv.slice(2);
const value = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const settings = JSON.parse(value('--settings') ?? '{"hooks":{}}');
const resumed = value('--resume');
const session = resumed ?? randomUUID();
const workSeconds = Number(value('--work') ?? 3);
const deaf = args.includes('--deaf');

function matches(matcher, subject) {
  return matcher === undefined || matcher === '' || matcher === '*' || new RegExp(`^(${matcher})$`).test(subject ?? '');
}

/** Every matching hook of an event, one after another, each with the input on stdin. */
async function hook(event, extra = {}, subject) {
  const input = JSON.stringify({ session_id: session, transcript_path: '', cwd: process.cwd(), hook_event_name: event, ...extra });
  for (const group of settings.hooks?.[event] ?? []) {
    if (!matches(group.matcher, subject)) continue;
    for (const h of group.hooks ?? []) {
      if (h.type !== 'command') continue;
      await new Promise((resolve) => {
        const child = spawn('sh', ['-c', h.command], { stdio: ['pipe', 'ignore', 'inherit'] });
        child.stdin.on('error', () => {});
        child.stdin.end(input);
        child.on('close', resolve);
        child.on('error', resolve);
      });
    }
  }
}

// Raw mode: the terminal no longer turns \n into \r\n.
const say = (line) => process.stdout.write(`${line}\r\n`);
const queue = [];
let busy = false;
async function work() {
  if (busy) return;
  busy = true;
  while (queue.length > 0) {
    const prompt = queue.shift();
    await hook('UserPromptSubmit', { prompt });
    say(`working on: ${prompt.split('\n')[0]}`);
    await hook('PreToolUse', { tool_name: 'Bash', tool_input: { command: 'true' } }, 'Bash');
    // "work N: …" works N seconds on it, for tests that need a turn to outlast something.
    const seconds = Number(/^work (\d+):/.exec(prompt)?.[1] ?? workSeconds);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    say(`done: ${prompt.split('\n')[0]}`);
    await hook('Stop', { stop_hook_active: false });
  }
  busy = false;
}

say(`stand-in claude: session ${session} (${resumed ? 'resumed' : 'new'}) pid ${process.pid}`);
await hook('SessionStart', { source: resumed ? 'resume' : 'startup' });

if (process.stdin.isTTY) process.stdin.setRawMode(true);
// Bracketed paste on: tmux wraps a paste-buffer -p in ESC[200~ … ESC[201~.
process.stdout.write('\u001b[?2004h');
let pending = '';
let text = '';
let pasting = false;
process.stdin.on('data', (chunk) => {
  pending += chunk.toString('utf8');
  for (;;) {
    if (pending.startsWith('\u001b[200~')) { pasting = true; pending = pending.slice(6); continue; }
    if (pending.startsWith('\u001b[201~')) { pasting = false; pending = pending.slice(6); continue; }
    if (pending.startsWith('\u001b') && pending.length < 6) return;
    if (pending === '') return;
    const char = pending[0];
    pending = pending.slice(1);
    if (char === '\u0003') process.exit(130);
    if (!pasting && (char === '\r' || char === '\n')) {
      if (!deaf && text.trim() !== '') {
        queue.push(text);
        void work();
      }
      text = '';
    } else text += pasting && char === '\r' ? '\n' : char; // tmux pastes a line break as CR
  }
});
process.stdin.on('end', () => process.exit(0));
