// Run by scripts/build.mjs after it writes dist/: runs typical commands of the new CLI in this
// process, through the bundle loader, then saves every bundle's V8 code cache with the functions
// those runs compiled (src/cli/load-bundle.ts says why). `--help` loads every command's bundle.
const { appendFileSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { loadBundle, saveCodeCaches } = require('../dist/mosaic-gen-load.cjs');

const ROOT = join(__dirname, '..');
/** Each run and the status it must end with; OUT is a fresh directory. The last shows a diff of a stale out/. */
const RUNS = [
  [['--help'], 0],
  [['validate', 'roster.yaml'], 0],
  [['build', 'roster.yaml', '-o', 'OUT'], 0],
  [['build', 'roster.yaml', '-o', 'OUT'], 0],
  [['build', '--check', 'roster.yaml', '-o', 'OUT'], 0],
  [['profiles'], 0],
  [['schema'], 0],
  [['build', '--check', 'roster.yaml', '-o', 'OUT'], 2, (out) => appendFileSync(join(out, 'FLEET.md'), 'changed\n')],
  // A roster outside the everyday subset (an anchor): read by yaml, so its bundle is trained too.
  [['validate', 'ANCHORED'], 0],
];
const ANCHORED = 'version: 1\nruntimes:\n  claude: &claude\n    command: [claude]\nagents:\n  - { name: boss, runtime: claude, class: orchestrator }\n';

async function train() {
  const out = mkdtempSync(join(tmpdir(), 'mosaic-gen-train-'));
  try {
    const { main } = loadBundle('mosaic-gen.cjs');
    writeFileSync(join(out, 'anchored.yaml'), ANCHORED);
    for (const [argv, expected, before] of RUNS) {
      let said = '';
      const io = { stdout: () => {}, stderr: (text) => (said += text), cwd: ROOT, env: { PATH: process.env.PATH }, isTTY: false };
      before?.(join(out, 'out'));
      const status = await main(argv.map((arg) => ({ OUT: join(out, 'out'), ANCHORED: join(out, 'anchored.yaml') })[arg] ?? arg), io);
      if (status !== expected) throw new Error(`mosaic-gen ${argv.join(' ')} exited with ${status}, not ${expected}:\n${said}`);
    }
    saveCodeCaches();
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

train().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
