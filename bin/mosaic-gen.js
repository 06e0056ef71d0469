#!/usr/bin/env node
// The only place that touches the real process: streams, argv and the exit status.
const { main } = require('../dist/mosaic-gen.cjs');

const io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
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
};

main(process.argv.slice(2), io).then(
  (status) => {
    process.exitCode = status;
  },
  (error) => {
    // Reaching here is a bug in mosaic-gen, never a user mistake: say so, with the trace.
    process.stderr.write(`mosaic-gen: internal error (please report it):\n${error?.stack ?? error}\n`);
    process.exitCode = 70;
  },
);
