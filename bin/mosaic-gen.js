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

// Through the loader: each bundle with the code cache npm run build made for it.
const { main, runOnTerminal } = require('../dist/mosaic-gen-load.cjs').loadBundle('mosaic-gen.cjs');

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
  stdin: () => require('node:fs').readFileSync(0),
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
