#!/usr/bin/env node
// The engine's cost (issue 25): processes exec'd and wall time of a no-change `install.sh
// --check` at 6 (this repository's roster), 100 and 1,000 agents, each installed offline into a
// staging root first; and `mosaic-gen plan --offline` against `build` of the same 100 agents.
// Execs are counted by strace (successful execve calls only: a PATH search that fails is not a
// process). Run by `npm run bench` after bench/run.mjs; `--quick` runs fewer repetitions.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'bin', 'mosaic-gen.js');
const quick = process.argv.includes('--quick');
const runs = quick ? 3 : 9;
const work = mkdtempSync(join(tmpdir(), 'mosaic-bench-engine-'));
const RUNTIMES = ['claude', 'codex', 'opencode', 'pi'];

function rosterText(n) {
  const lines = ['version: 1', 'transport: tmux', 'fleet:', '  session: bench', '  linger: false', '  env: { LOG_LEVEL: info }', 'agents:'];
  lines.push('  - { name: orchestrator, runtime: pi, class: orchestrator }', '  - { name: enhancer, runtime: claude, role: enhancer }');
  for (let i = 2; i < n; i++) {
    const name = `agent-${String(i).padStart(5, '0')}`;
    lines.push(`  - name: ${name}`, `    runtime: ${RUNTIMES[i % 4]}`, `    role: ${i % 3 ? 'coder' : 'code-review'}`);
    if (i % 2) lines.push('    lifecycle: on-demand');
    lines.push(`    workdir: ~/src/app-${i}`, `    env: { TZ: UTC, TICKET: "T-${i}" }`);
    if (i % 5 === 0) lines.push(`    envFiles: [~/.config/mosaic/secrets/${name}.env]`);
  }
  return `${lines.join('\n')}\n`;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (s) => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(0)} ms`);

function run(argv, env, cwd = work) {
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { ...r, wall: Number(process.hrtime.bigint() - started) / 1e9 };
}

function timed(argv, env, cwd) {
  const walls = [];
  for (let i = 0; i < runs; i++) walls.push(run(argv, env, cwd).wall);
  return median(walls);
}

const strace = spawnSync('sh', ['-c', 'command -v strace'], { encoding: 'utf8' }).stdout.trim();
function execs(argv, env, cwd) {
  if (!strace) return null;
  const log = join(work, 'strace.log');
  run([strace, '-f', '-qq', '-e', 'trace=execve', '-o', log, ...argv], env, cwd);
  return readFileSync(log, 'utf8').split('\n').filter((line) => line.includes('execve(') && / = 0$/.test(line)).length;
}

const results = { sizes: [], plan: null, load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number) };
console.log(`engine: no-change install.sh --offline --check (${runs} runs each; load ${results.load.join(' ')})`);
if (!strace) console.log('  (strace is not installed: execs are not counted; apt-get install strace)');
for (const [label, text] of [['6 (roster.yaml)', readFileSync(join(REPO, 'roster.yaml'), 'utf8')], ['100', rosterText(100)], ['1,000', rosterText(1000)]]) {
  const dir = mkdtempSync(join(work, 'size-'));
  const stage = join(dir, 'stage');
  writeFileSync(join(dir, 'roster.yaml'), text);
  const env = { HOME: '/home/bench', USER: 'bench', DESTDIR: stage, XDG_CONFIG_HOME: '', XDG_RUNTIME_DIR: '' };
  const built = run([process.execPath, BIN, 'build', 'roster.yaml', '-o', 'out'], {}, dir);
  if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
  const install = run(['sh', 'out/install.sh', '--offline'], env, dir);
  if (install.status !== 0) throw new Error(`install failed: ${install.stderr}`);
  const check = ['sh', 'out/install.sh', '--offline', '--check'];
  const verify = run(check, env, dir);
  if (verify.status !== 0) throw new Error(`not a no-change check (exit ${verify.status}): ${verify.stdout}${verify.stderr}`);
  const size = { agents: label, execs: execs(check, env, dir), wall: timed(check, env, dir) };
  results.sizes.push(size);
  console.log(`  ${label.padEnd(16)} ${String(size.execs ?? '—').padStart(4)} execs  ${fmt(size.wall)}  (target: at most 40 execs: ${size.execs === null ? 'not counted' : size.execs <= 40 ? 'met' : 'MISSED'})`);
  if (label === '100') {
    const plan = timed([process.execPath, BIN, 'plan', 'roster.yaml', '--offline'], env, dir);
    const build = timed([process.execPath, BIN, 'build', 'roster.yaml', '-o', join(dir, 'again')], {}, dir);
    results.plan = { plan, build, ratio: plan / build, execs: execs([process.execPath, BIN, 'plan', 'roster.yaml', '--offline'], env, dir) };
  }
}
const p = results.plan;
console.log(`plan --offline of 100 agents, no change: ${fmt(p.plan)} (${p.execs ?? '—'} execs) against build ${fmt(p.build)}: ${p.ratio.toFixed(2)}x (target: at most 1.5x: ${p.ratio <= 1.5 ? 'met' : 'MISSED'})`);
console.log('before this engine (issue 25): install.sh --offline --check of 6 agents 146 execs; of 100 agents 494 execs and 7.2 s; plan --offline of 100 agents 0.41 s');
writeFileSync(join(REPO, 'bench', 'engine-results.json'), `${JSON.stringify(results, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
