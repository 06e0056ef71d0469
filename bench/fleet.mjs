#!/usr/bin/env node
// Shipping at scale (issue 28), with real ansible-core over real ssh to two simulated hosts
// (test/harness/multi-host.ts: two Unix users, each with a real systemd --user manager):
//  - a no-change `fleet.yml` of a 6-agent roster over both hosts against a floor playbook on the
//    same inventory and connection (one `command: "true"` task), in turns (target: ≤ 2×);
//  - a first `fleet.yml` (ship and install) of a 100-agent roster against the 6-agent one, each
//    from no fleet, in turns, uninstalled between (target: ≤ 1.5×). Workers are on-demand in
//    both rosters: installed and enabled-or-not as the roster says, not started, so the figure
//    is shipping and installing, not 98 agent start-ups on a 2-CPU machine.
// Needs root (users, cgroups, sshd) and ansible-core; otherwise it says why and skips. Reports
// figures; asserts nothing. Usage: node bench/fleet.mjs [--quick]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'bin', 'mosaic-gen.js');
const quick = process.argv.includes('--quick');
const runs = quick ? 3 : 5;
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const skip = (why) => {
  console.log(`fleet shipping: skipped: ${why}`);
  process.exit(0);
};

if (process.getuid?.() !== 0) skip('needs root (it makes two users with their own user managers and an sshd)');
const work = mkdtempSync(join(tmpdir(), 'mosaic-bench-fleet-'));
// The harness is TypeScript: bundled for this run with the esbuild the build uses.
const { build } = await import('esbuild');
const harness = join(work, 'multi-host.mjs');
await build({ entryPoints: [join(REPO, 'test', 'harness', 'multi-host.ts')], bundle: true, platform: 'node', format: 'esm', outfile: harness, logLevel: 'error' });
const { ansibleEnv, multiHostSupport, startHosts } = await import(pathToFileURL(harness).href);
const support = multiHostSupport();
if (!support.ok) skip(support.reason);

function rosterText(n) {
  const lines = ['version: 1', 'fleet: { session: benchfleet }', 'runtimes:', '  sleeper: { command: [sleep, "100005"] }', 'hosts:', '  alpha: {}', '  beta: {}', 'agents:'];
  lines.push('  - { name: orchestrator, runtime: sleeper, class: orchestrator, host: alpha }', '  - { name: enhancer, runtime: sleeper, role: enhancer, host: beta }');
  for (let i = 2; i < n; i++) lines.push(`  - { name: worker-${i}, runtime: sleeper, role: coder, lifecycle: on-demand, host: ${i % 2 ? 'beta' : 'alpha'}, env: { TICKET: "T-${i}" } }`);
  return `${lines.join('\n')}\n`;
}

const sim = await startHosts(2);
const results = { load: { start: load() } };
try {
  writeFileSync(join(work, 'inventory'), sim.inventory(['alpha', 'beta']));
  mkdirSync(join(work, 'local'));
  writeFileSync(join(work, 'floor.yml'), '---\n- name: Floor\n  hosts: all\n  gather_facts: false\n  tasks:\n    - name: Nothing\n      ansible.builtin.command: "true"\n      changed_when: false\n');
  const env = ansibleEnv(work);
  for (const n of [6, 100]) {
    mkdirSync(join(work, `r${n}`));
    writeFileSync(join(work, `r${n}`, 'roster.yaml'), rosterText(n));
    const built = spawnSync(process.execPath, [BIN, 'build', 'roster.yaml', '-o', 'out'], { cwd: join(work, `r${n}`), encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build of ${n} agents: ${built.stderr}`);
  }
  const play = (playbook) => {
    const started = process.hrtime.bigint();
    const r = spawnSync('ansible-playbook', ['-i', 'inventory', playbook], { cwd: work, env, encoding: 'utf8', maxBuffer: 1 << 26 });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) throw new Error(`ansible-playbook ${playbook} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return wall;
  };

  // Ship and install from no fleet: 6 against 100 agents, in turns.
  const first = { 6: [], 100: [] };
  for (let i = 0; i < runs; i++) {
    for (const n of [6, 100]) {
      first[n].push(play(`r${n}/out/ansible/fleet.yml`));
      play(`r${n}/out/ansible/uninstall.yml`);
    }
  }
  // No change: the 6-agent fleet installed, fleet.yml against the floor, in turns (one warm-up each).
  play('r6/out/ansible/fleet.yml');
  play('floor.yml');
  const same = { fleet: [], floor: [] };
  for (let i = 0; i < runs; i++) {
    same.fleet.push(play('r6/out/ansible/fleet.yml'));
    same.floor.push(play('floor.yml'));
  }
  play('r6/out/ansible/uninstall.yml');
  results.load.end = load();
  results.noChange = { fleet: median(same.fleet), floor: median(same.floor) };
  results.noChange.ratio = results.noChange.fleet / results.noChange.floor;
  results.ship = { 6: median(first[6]), 100: median(first[100]) };
  results.ship.ratio = results.ship[100] / results.ship[6];
  console.log(`fleet shipping over two hosts, real ansible-core and ssh (${runs} runs each, medians; load ${results.load.start} → ${results.load.end}):`);
  console.log(`  no-change fleet.yml ${results.noChange.fleet.toFixed(2)} s / floor playbook ${results.noChange.floor.toFixed(2)} s = ${results.noChange.ratio.toFixed(2)}× (target ≤ 2)`);
  console.log(`  ship + install 100 agents ${results.ship[100].toFixed(2)} s / 6 agents ${results.ship[6].toFixed(2)} s = ${results.ship.ratio.toFixed(2)}× (target ≤ 1.5)`);
  writeFileSync(join(REPO, 'bench', 'fleet-results.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await sim.stop();
  rmSync(work, { recursive: true, force: true });
}
