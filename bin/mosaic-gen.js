#!/usr/bin/env node
// The only place that touches the real process: streams, argv and the exit status.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Answered before loading the program or making process.stdout: asking for the version costs
  // what starting Node does.
  try {
    require('node:fs').writeSync(1, `${require('../package.json').version}\n`);
  } catch (error) {
    if (error.code !== 'EPIPE') throw error;
  }
  return;
}

const { fstatSync, statSync, writeSync } = require('node:fs');

// Output is written straight to the descriptor: making process.stdout (and the stream modules
// behind it) cost milliseconds of every run's start. A descriptor set non-blocking by whoever
// shares it can refuse a write (EAGAIN); from then on that output goes through the stream, which
// waits. A reader that goes away (`mosaic-gen build --check | head -c1`) is no error of ours:
// stop writing there and end with the status the command would have had. Any other failure
// (a full disk, EIO) also stops writing there, and the run ends with status 1 saying why.
let failedOutput;
const writer = (fd, name) => {
  let closed = false;
  let stream;
  const gone = (error) => {
    if (error.code !== 'EPIPE') failedOutput ??= { name, error };
    closed = true;
    return false;
  };
  // true while the output is still read, so that a command that writes until stopped stops.
  return (text) => {
    if (closed) return false;
    if (stream) {
      stream.write(text);
      return !closed;
    }
    const bytes = Buffer.from(text);
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done);
    } catch (error) {
      if (error.code !== 'EAGAIN') return gone(error);
      stream = process[name].on('error', gone);
      stream.write(bytes.subarray(done));
    }
    return true;
  };
};
// Only a character device other than /dev/null can be a terminal; asking the tty module loads
// net and streams, so only those are asked (not a pipe, a file or /dev/null, as in CI and cron).
const terminal = (fd) => {
  try {
    const stat = fstatSync(fd);
    return stat.isCharacterDevice() && stat.rdev !== statSync('/dev/null').rdev && require('node:tty').isatty(fd);
  } catch {
    return false;
  }
};
const terminalOut = terminal(1);
let terminalIn;
const stdinIsTerminal = () => (terminalIn ??= terminal(0));

// Node >= 22.1 keeps the code it compiled for these bundles on disk and checks it against their
// text before use: a later run neither parses them again nor compiles what the last run compiled.
// Node 20 has no such cache and runs them from their text. The cache is only speed: Node reports
// a failure to enable it in the returned status instead of throwing, and a run goes on without.
// Its place is the user's own cache directory, not Node's default (node-compile-cache in the
// shared temporary directory): a cache is compiled code this process runs, so none may come from
// a directory another user could have made first. NODE_COMPILE_CACHE still chooses, when set.
const { enableCompileCache } = require('node:module');
if (enableCompileCache) {
  const { XDG_CACHE_HOME, HOME, NODE_COMPILE_CACHE } = process.env;
  const cacheHome = XDG_CACHE_HOME?.startsWith('/') ? XDG_CACHE_HOME : HOME?.startsWith('/') ? `${HOME}/.cache` : undefined;
  if (NODE_COMPILE_CACHE) enableCompileCache();
  else if (cacheHome) enableCompileCache(`${cacheHome}/mosaic-gen/node-compile-cache`);
}
const { main, runOnTerminal } = require('../dist/mosaic-gen.cjs');

// Standard input to its end or to maxBytes, whichever comes first, in chunks: readFileSync(0)
// would hold all of a `head -c 300M` before the size check, and never return from a `yes`.
function readUpTo(fd, maxBytes) {
  const { readSync } = require('node:fs');
  const chunks = [];
  let total = 0;
  while (total < maxBytes) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes - total));
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) break;
    chunks.push(read === chunk.length ? chunk : chunk.subarray(0, read));
    total += read;
  }
  return Buffer.concat(chunks, total);
}

async function ask(question) {
  // Loaded only to ask: every run pays for what is imported at the top.
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

const io = {
  stdout: writer(1, 'stdout'),
  stderr: writer(2, 'stderr'),
  cwd: process.cwd(),
  env: process.env,
  isTTY: terminalOut,
  stdin: (maxBytes) => readUpTo(0, maxBytes),
  // Asked only by the commands that prompt or attach.
  get prompt() {
    return stdinIsTerminal() ? ask : undefined;
  },
  get terminal() {
    return stdinIsTerminal() && terminalOut ? (command, args) => runOnTerminal(command, args) : undefined;
  },
};

main(argv, io).then(
  (status) => {
    process.exitCode = status;
    if (failedOutput) {
      const { name, error } = failedOutput;
      if (name === 'stdout') io.stderr(`mosaic-gen: cannot write to standard output: ${error.code ?? error.message}\n`);
      if (status === 0) process.exitCode = 1;
    }
  },
  (error) => {
    // Reaching here is a bug in mosaic-gen, never a user mistake: say so, with the trace.
    process.stderr.write(`mosaic-gen: internal error (please report it):\n${error?.stack ?? error}\n`);
    process.exitCode = 70;
  },
);
