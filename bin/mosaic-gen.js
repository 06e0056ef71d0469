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

// A reader that goes away (`mosaic-gen build --check | head -c1`) is no error of ours: stop
// writing to that stream and end with the status the command would have had.
const closed = new Set();
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    closed.add(stream);
  });
}
const writer = (stream) => (text) => {
  if (!closed.has(stream)) stream.write(text);
};

const { main, runOnTerminal } = require('../dist/mosaic-gen.cjs');

const io = {
  stdout: writer(process.stdout),
  stderr: writer(process.stderr),
  cwd: process.cwd(),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
  stdin: () => require('node:fs').readFileSync(0),
  prompt: process.stdin.isTTY
    ? async (question) => {
        // Loaded only to ask: every run pays for what is imported at the top.
        const { createInterface } = await import('node:readline/promises');
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        try {
          return await rl.question(question);
        } finally {
          rl.close();
        }
      }
    : undefined,
  terminal: process.stdin.isTTY && process.stdout.isTTY ? (command, args) => runOnTerminal(command, args) : undefined,
};

main(argv, io).then(
  (status) => {
    process.exitCode = status;
  },
  (error) => {
    // Reaching here is a bug in mosaic-gen, never a user mistake: say so, with the trace.
    process.stderr.write(`mosaic-gen: internal error (please report it):\n${error?.stack ?? error}\n`);
    process.exitCode = 70;
  },
);
