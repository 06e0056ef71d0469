// The benchmark of README "Benchmark": the real CLI as a separate process, cold each time.
// Usage: npm run bench, or node bench/run.mjs [--quick] [--bin PATH] (another build of the CLI,
// to compare two versions on the same machine); writes bench/results.json.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const binAt = process.argv.indexOf('--bin');
const BIN = binAt > 0 ? process.argv[binAt + 1] : join(REPO, 'bin', 'mosaic-gen.js');
const NODE = process.execPath;
const TIME = '/usr/bin/time';
const QUICK = process.argv.includes('--quick');
/** Fleet sizes and how many timed runs each gets (after one untimed warm-up). */
const SIZES = QUICK ? [[5, 3], [1000, 3]] : [[5, 9], [100, 9], [1000, 7], [10000, 3]];
const BASE_RUNS = QUICK ? 7 : 25;

const work = mkdtempSync(join(tmpdir(), 'mosaic-gen-bench-'));
const hasTime = existsSync(TIME);

/** One run of a command: wall seconds (measured here), CPU seconds and peak RSS in MiB (from GNU time). */
function runOnce(argv, { cwd = work, env = {}, before } = {}) {
  before?.();
  const rssFile = join(work, 'rss');
  const command = hasTime ? [TIME, '-f', '%M %U %S', '-o', rssFile, ...argv] : argv;
  const start = process.hrtime.bigint();
  const result = spawnSync(command[0], command.slice(1), { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  const [rssKiB, user, sys] = hasTime ? readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number) : [];
  return { wall, rss: hasTime ? rssKiB / 1024 : null, cpu: hasTime ? user + sys : null };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Median wall time and median peak RSS over `runs` timed runs, after one warm-up run. */
function measure(argv, runs, options) {
  return measureTogether({ only: [argv, options] }, runs).only;
}

/**
 * measure() for several commands whose times are compared, taken in turns (a run of each, then a
 * run of each again): load that comes and goes during the measurement then weighs on all of them
 * alike instead of on whichever ran at that moment.
 */
function measureTogether(commands, runs) {
  const entries = Object.entries(commands);
  for (const [, [argv, options]] of entries) runOnce(argv, options);
  const samples = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let i = 0; i < runs; i++) for (const [name, [argv, options]] of entries) samples[name].push(runOnce(argv, options));
  return Object.fromEntries(
    entries.map(([name]) => {
      const of = (key) => (hasTime ? median(samples[name].map((s) => s[key])) : null);
      return [name, { wall: median(samples[name].map((s) => s.wall)), cpu: of('cpu'), rss: of('rss'), runs }];
    }),
  );
}

const RUNTIMES = ['claude', 'codex', 'pi', 'opencode'];

/** A fleet of n agents (n ≥ 2): an orchestrator, an enhancer, then workers with the usual fields. */
function rosterText(n) {
  const lines = ['version: 1', 'transport: tmux', 'fleet:', '  session: bench', '  path: [~/.local/bin]', '  env: { LOG_LEVEL: info }', 'agents:'];
  lines.push('  - { name: orchestrator, runtime: pi, class: orchestrator }', '  - { name: enhancer, runtime: claude, role: enhancer }');
  for (let i = 2; i < n; i++) {
    const name = `agent-${String(i).padStart(5, '0')}`;
    lines.push(`  - name: ${name}`, `    runtime: ${RUNTIMES[i % 4]}`, `    role: ${i % 3 ? 'coder' : 'code-review'}`);
    if (i % 2) lines.push('    lifecycle: on-demand');
    lines.push(`    workdir: ~/src/app-${i}`, '    args: [--model, o4]', `    env: { TZ: UTC, TICKET: "T-${i}" }`);
    if (i % 5 === 0) lines.push(`    envFiles: [~/.config/mosaic/secrets/${name}.env]`);
  }
  return `${lines.join('\n')}\n`;
}

/** The largest roster the tool accepts (8 MiB), of small agents, as test/hostile/resource-bounds.test.ts writes them. */
function limitRosterText() {
  const parts = ['version: 1\nagents:\n  - { name: boss, runtime: pi, class: orchestrator }\n  - { name: helper, runtime: pi, role: enhancer }\n'];
  let size = parts[0].length;
  for (let i = 0; ; i++) {
    const line = `  - { name: a${i}, runtime: claude, args: [--id, "${i}"] }\n`;
    if (size + line.length > 8 * 1024 * 1024) return { text: parts.join(''), agents: i + 2 };
    parts.push(line);
    size += line.length;
  }
}

/** Every file under dir with what changes when it is written (inode, mtime, size). */
function snapshot(dir) {
  const files = new Map();
  for (const entry of readdirSync(dir, { recursive: true })) {
    const stat = lstatSync(join(dir, entry));
    if (stat.isFile()) files.set(entry, `${stat.ino}:${stat.mtimeMs}:${stat.size}`);
  }
  return files;
}

const changedFiles = (before, after) => [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path)).sort();

/** Every directory (text null) and file under root, parents first, as [relative path, text]. */
function treeEntries(root) {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .map((entry) => {
      const path = join(entry.parentPath ?? entry.path, entry.name);
      return [path.slice(root.length + 1), entry.isDirectory() ? null : readFileSync(path, 'utf8')];
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function procfileText(n) {
  return Array.from({ length: n }, (_, i) => `agent${i}: sleep 3600\n`).join('');
}

function foremanPath() {
  const found = spawnSync('sh', ['-c', 'command -v foreman'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function planAvailable() {
  // Commander answers `unknown-command --help` with the program's help, so look for plan's own usage line.
  const help = spawnSync(NODE, [BIN, 'plan', '--help'], { encoding: 'utf8' });
  return help.status === 0 && /Usage: mosaic-gen plan/.test(help.stdout);
}

const fresh = (dir) => () => rmSync(dir, { recursive: true, force: true });
const fmt = (s) => (s == null ? '—' : s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(0)} ms`);
const fmtCpu = (c) => (c == null ? '' : ` cpu ${fmt(c)}`);
const fmtRss = (m) => (m == null ? '—' : `${m.toFixed(0)} MiB`);
const ratio = (a, b) => (a == null || b == null ? null : a / b);

const foreman = foremanPath();
const withPlan = planAvailable();
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const results = { bin: BIN, node: process.version, date: new Date().toISOString(), quick: QUICK, loadAverageAtStart: loadAverage(), baseline: {}, sizes: {}, ratios: {}, skipped: [] };

console.log(`mosaic-gen benchmark (node ${process.version}; medians; wall time includes process start)`);
if (!hasTime) results.skipped.push('peak RSS: /usr/bin/time (GNU time) is not installed');
if (!foreman) results.skipped.push('foreman: not installed (Debian package ruby-foreman); foreman ratios are not measured');
if (!withPlan) results.skipped.push('plan: `mosaic-gen plan --help` fails (the command does not exist yet); plan is not measured');
for (const line of results.skipped) console.log(`skip: ${line}`);

// build writes into a fresh directory each time; build --check reads one build left in place.
const repoOut = join(work, 'repo-out');
const checkedOut = join(work, 'checked-out');
runOnce([NODE, BIN, 'build', 'roster.yaml', '-o', checkedOut], { cwd: REPO });
results.baseline = measureTogether(
  {
    nodeNoop: [[NODE, '-e', '0']],
    version: [[NODE, BIN, '--version']],
    validateRepository: [[NODE, BIN, 'validate', 'roster.yaml'], { cwd: REPO }],
    buildRepository: [[NODE, BIN, 'build', 'roster.yaml', '-o', repoOut], { cwd: REPO, before: fresh(repoOut) }],
    checkRepository: [[NODE, BIN, 'build', '--check', 'roster.yaml', '-o', checkedOut], { cwd: REPO }],
  },
  BASE_RUNS,
);
const baseLine = (label, m) => console.log(`${label.padEnd(25)}${fmt(m.wall)}  ${fmtRss(m.rss)}${fmtCpu(m.cpu)}`);
baseLine('node -e 0:', results.baseline.nodeNoop);
baseLine('mosaic-gen --version:', results.baseline.version);
baseLine('validate roster.yaml:', results.baseline.validateRepository);
baseLine('build roster.yaml:', results.baseline.buildRepository);
baseLine('build --check roster.yaml:', results.baseline.checkRepository);

for (const [n, runs] of SIZES) {
  const dir = join(work, `n${n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'roster.yaml'), rosterText(n));
  writeFileSync(join(dir, 'Procfile'), procfileText(n));
  const out = join(dir, 'out');
  const entry = { agents: n };
  entry.build = measure([NODE, BIN, 'build', 'roster.yaml', '-o', out], runs, { cwd: dir, before: fresh(out) });
  // Installing 10,000 agents with install.sh forks ~100,000 processes; plan is timed up to 1,000.
  if (withPlan && n > 1000) results.skipped.push(`plan at ${n} agents: skipped (installing that fleet with install.sh takes minutes)`);
  if (withPlan && n <= 1000) {
    // Install the build offline under a staging root, then plan against it: no changes.
    const stage = join(dir, 'stage');
    runOnce([NODE, BIN, 'build', 'roster.yaml', '-o', out], { cwd: dir });
    mkdirSync(stage);
    const installed = spawnSync('sh', [join(out, 'install.sh'), '--offline'], { env: { ...process.env, DESTDIR: stage, XDG_CONFIG_HOME: '/config' }, encoding: 'utf8' });
    if (installed.status !== 0) throw new Error(`install.sh --offline failed:\n${installed.stderr}`);
    entry.plan = measure([NODE, BIN, 'plan', 'roster.yaml', '--offline'], runs, { cwd: dir, env: { DESTDIR: stage, XDG_CONFIG_HOME: '/config' } });
  }
  if (n === 1000) {
    // A rebuild after one agent changed, alternating between two rosters that differ in that agent
    // only; then build --check of the unchanged out/. Which files each wrote, from inodes and mtimes.
    const original = rosterText(n);
    const changed = original.replace('TICKET: "T-500"', 'TICKET: "T-500b"');
    runOnce([NODE, BIN, 'build', 'roster.yaml', '-o', out], { cwd: dir, before: fresh(out) });
    let flip = false;
    const toggle = () => writeFileSync(join(dir, 'roster.yaml'), (flip = !flip) ? changed : original);
    const beforeRebuild = snapshot(out);
    toggle();
    runOnce([NODE, BIN, 'build', 'roster.yaml', '-o', out], { cwd: dir });
    entry.rebuildWrote = changedFiles(beforeRebuild, snapshot(out));
    entry.rebuild = measure([NODE, BIN, 'build', 'roster.yaml', '-o', out], runs, { cwd: dir, before: toggle });
    if (flip) toggle();
    runOnce([NODE, BIN, 'build', 'roster.yaml', '-o', out], { cwd: dir });
    const beforeCheck = snapshot(out);
    entry.check = measure([NODE, BIN, 'build', '--check', 'roster.yaml', '-o', out], runs, { cwd: dir });
    entry.checkWrote = changedFiles(beforeCheck, snapshot(out));
  }
  if (foreman) {
    const fout = join(dir, 'foreman-out');
    entry.foreman = measure([foreman, 'export', 'systemd', fout, '-f', 'Procfile', '-d', dir, '-a', 'bench', '-u', 'bench'], runs, { cwd: dir, before: fresh(fout) });
    if (n === 1000) {
      // The layouts' floors: the same trees made by a plain script (bench/recreate-tree.cjs).
      runOnce([NODE, BIN, 'build', 'roster.yaml', '-o', out], { cwd: dir, before: fresh(out) });
      entry.floor = {};
      for (const [name, tree] of [['build', out], ['foreman', fout]]) {
        const list = join(dir, `${name}-tree.json`);
        const entries = treeEntries(tree);
        writeFileSync(list, JSON.stringify(entries));
        const copy = join(dir, `${name}-floor`);
        entry.floor[name] = { files: entries.filter(([, text]) => text !== null).length, directories: entries.filter(([, text]) => text === null).length + 1, ...measure([NODE, join(REPO, 'bench', 'recreate-tree.cjs'), list, copy], runs, { cwd: dir, before: fresh(copy) }) };
      }
    }
  }
  results.sizes[n] = entry;
}

// Memory and time at the size limit: validate reads, checks and resolves the whole fleet.
{
  const limit = limitRosterText();
  writeFileSync(join(work, 'limit.yaml'), limit.text);
  results.limit = { agents: limit.agents, bytes: Buffer.byteLength(limit.text), validate: measure([NODE, BIN, 'validate', 'limit.yaml'], QUICK ? 1 : 3) };
  // Outside the everyday subset (an anchor on line 2), yaml reads the roster: its limit is 2 MiB.
  const outside = `version: 1\nruntimes: { claude: &claude { command: [claude] } }\n${limit.text.slice('version: 1\n'.length)}`;
  const cut = outside.lastIndexOf('\n', 2 * 1024 * 1024 - 1) + 1;
  writeFileSync(join(work, 'outside.yaml'), outside.slice(0, cut));
  results.limitOutsideSubset = { bytes: cut, validate: measure([NODE, BIN, 'validate', 'outside.yaml'], QUICK ? 1 : 3) };
}

for (const line of results.skipped.filter((l) => l.startsWith('plan at'))) console.log(`skip: ${line}`);

// Per-agent cost: the marginal time of an agent beyond the smallest fleet, so start-up is not spread over it.
const smallest = results.sizes[SIZES[0][0]];
for (const [n] of SIZES.slice(1)) {
  const entry = results.sizes[n];
  entry.buildPerAgent = (entry.build.wall - smallest.build.wall) / (n - SIZES[0][0]);
  if (entry.plan) entry.planPerAgent = (entry.plan.wall - smallest.plan.wall) / (n - SIZES[0][0]);
  if (entry.foreman) entry.foremanPerAgent = (entry.foreman.wall - smallest.foreman.wall) / (n - SIZES[0][0]);
}

console.log('');
console.log('agents   build (RSS)          per agent   plan (RSS)           per agent   foreman export (RSS)');
for (const [n] of SIZES) {
  const e = results.sizes[n];
  const per = (v) => (v == null ? '—' : `${(v * 1e6).toFixed(0)} µs`);
  console.log(
    [
      String(n).padEnd(8),
      `${fmt(e.build.wall)} (${fmtRss(e.build.rss)})`.padEnd(20),
      per(e.buildPerAgent).padEnd(11),
      (e.plan ? `${fmt(e.plan.wall)} (${fmtRss(e.plan.rss)})` : 'skipped').padEnd(20),
      per(e.planPerAgent).padEnd(11),
      e.foreman ? `${fmt(e.foreman.wall)} (${fmtRss(e.foreman.rss)})` : 'skipped',
    ].join(' '),
  );
}

const thousand = results.sizes[1000];
if (thousand?.rebuild) {
  console.log('');
  console.log(`1,000 agents, one agent changed: rebuild ${fmt(thousand.rebuild.wall)}${fmtCpu(thousand.rebuild.cpu)}, wrote ${thousand.rebuildWrote.join(', ')}`);
  console.log(`1,000 agents, unchanged: build --check ${fmt(thousand.check.wall)}${fmtCpu(thousand.check.cpu)}, wrote ${thousand.checkWrote.length ? thousand.checkWrote.join(', ') : 'nothing'}`);
}
if (thousand?.floor) {
  const { build: ours, foreman: theirs } = thousand.floor;
  console.log(`1,000 agents, the trees alone (bench/recreate-tree.cjs, nothing rendered): build's ${ours.files} files in ${ours.directories} directories ${fmt(ours.wall)}${fmtCpu(ours.cpu)}; foreman's ${theirs.files} files in ${theirs.directories} ${fmt(theirs.wall)}${fmtCpu(theirs.cpu)}`);
}
console.log(`size limit (${results.limit.bytes} bytes, ${results.limit.agents} agents): validate ${fmt(results.limit.validate.wall)} (${fmtRss(results.limit.validate.rss)})${fmtCpu(results.limit.validate.cpu)}`);
const outsideLimit = results.limitOutsideSubset;
console.log(`size limit outside the everyday subset (${outsideLimit.bytes} bytes): validate ${fmt(outsideLimit.validate.wall)} (${fmtRss(outsideLimit.validate.rss)})${fmtCpu(outsideLimit.validate.cpu)}`);

const r = results.ratios;
const big = results.sizes[1000];
const huge = results.sizes[10000];
const node0 = results.baseline.nodeNoop.wall;
r.versionOverNode = ratio(results.baseline.version.wall, node0);
r.validateRepositoryOverNode = ratio(results.baseline.validateRepository.wall, node0);
r.buildRepositoryOverNode = ratio(results.baseline.buildRepository.wall, node0);
r.checkRepositoryOverNode = ratio(results.baseline.checkRepository.wall, node0);
r.foremanOverBuild1000 = ratio(big?.foreman?.wall, big?.build.wall);
r.foremanOverFloor1000 = ratio(big?.foreman?.wall, big?.floor?.build.wall);
r.perAgent10000Over1000 = ratio(huge?.buildPerAgent, big?.buildPerAgent);
r.plan1000OverBuild1000 = ratio(big?.plan?.wall, big?.build.wall);
/** Files a rebuild after one agent changed may write: that agent's, and the bundle's plan files. */
const ownOrPlan = (path) => path.includes('agent-00500') || ['manifest.json', 'install.sh', 'uninstall.sh', 'FLEET.md'].includes(path);

/** CPU time (user + sys) ratios beside each wall-time one: on a loaded machine they say more. */
const cpuRatio = {
  versionOverNode: ratio(results.baseline.version.cpu, results.baseline.nodeNoop.cpu),
  validateRepositoryOverNode: ratio(results.baseline.validateRepository.cpu, results.baseline.nodeNoop.cpu),
  buildRepositoryOverNode: ratio(results.baseline.buildRepository.cpu, results.baseline.nodeNoop.cpu),
  checkRepositoryOverNode: ratio(results.baseline.checkRepository.cpu, results.baseline.nodeNoop.cpu),
  foremanOverBuild1000: ratio(big?.foreman?.cpu, big?.build.cpu),
  perAgent10000Over1000: ratio(huge && smallest && big ? (huge.build.cpu - smallest.build.cpu) / (10000 - SIZES[0][0]) : null, big && smallest ? (big.build.cpu - smallest.build.cpu) / (1000 - SIZES[0][0]) : null),
  plan1000OverBuild1000: ratio(big?.plan?.cpu, big?.build.cpu),
};
results.cpuRatios = cpuRatio;
const show = (label, name, target, ok) => {
  const [value, cpu] = [r[name], cpuRatio[name]];
  const verdict = (v) => (ok(v) ? 'met' : 'MISSED');
  console.log(`${label.padEnd(48)} ${value == null ? 'not measured' : `${value.toFixed(2)}×`.padEnd(8)} ${value == null ? '' : `(target ${target}: ${verdict(value)})`}${cpu == null ? '' : `; cpu ${cpu.toFixed(2)}× (${verdict(cpu)})`}`);
};
const fact = (label, value, target, ok) => console.log(`${label.padEnd(48)} ${String(value).padEnd(8)} (target ${target}: ${ok ? 'met' : 'MISSED'})`);
console.log('');
show('--version / node -e 0', 'versionOverNode', '≤ 1.15', (v) => v <= 1.15);
show('validate roster.yaml / node -e 0', 'validateRepositoryOverNode', '≤ 1.3', (v) => v <= 1.3);
show('build roster.yaml / node -e 0', 'buildRepositoryOverNode', '≤ 1.4', (v) => v <= 1.4);
show('build --check roster.yaml / node -e 0', 'checkRepositoryOverNode', '≤ 1.4', (v) => v <= 1.4);
show('foreman export 1,000 / build 1,000', 'foremanOverBuild1000', '≥ 1', (v) => v >= 1);
if (big?.floor) console.log(`${'  foreman export 1,000 / build\'s tree alone'.padEnd(48)} ${r.foremanOverFloor1000.toFixed(2)}×   (the most the layout allows, with no code at all)`);
show('per-agent build cost 10,000 / 1,000', 'perAgent10000Over1000', '≤ 1', (v) => v <= 1);
show('plan 1,000 (no changes) / build 1,000', 'plan1000OverBuild1000', '≤ 1.2', (v) => v <= 1.2);
if (thousand?.rebuild) {
  fact('rebuild, one agent changed: files written', thousand.rebuildWrote.length, "that agent's and plan files", thousand.rebuildWrote.length > 0 && thousand.rebuildWrote.every(ownOrPlan));
  fact('build --check, unchanged 1,000: files written', thousand.checkWrote.length, '0', thousand.checkWrote.length === 0);
}
fact('validate at the size limit: seconds', results.limit.validate.wall.toFixed(2), '< 5', results.limit.validate.wall < 5);
if (results.limit.validate.rss != null) fact('validate at the size limit: peak RSS (MiB)', results.limit.validate.rss.toFixed(0), '< 400', results.limit.validate.rss < 400);
fact('  outside the subset (2 MiB): seconds', outsideLimit.validate.wall.toFixed(2), '< 5', outsideLimit.validate.wall < 5);
if (outsideLimit.validate.rss != null) fact('  outside the subset (2 MiB): peak RSS (MiB)', outsideLimit.validate.rss.toFixed(0), '< 400', outsideLimit.validate.rss < 400);
results.loadAverageAtEnd = loadAverage();
console.log(`load average (1, 5, 15 min) at the start ${results.loadAverageAtStart.join(' ')}, at the end ${results.loadAverageAtEnd.join(' ')} on ${os.cpus().length} CPUs: wall times, and so ratios, are inflated on a loaded machine`);

writeFileSync(join(REPO, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwrote bench/results.json');
rmSync(work, { recursive: true, force: true });
