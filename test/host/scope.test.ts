/**
 * Agents in their own cgroup, on a REAL user manager: each agent's process tree runs in a
 * transient scope of its own under the fleet slice, bound to its unit, so that stopping the unit
 * (or a restart after a crash) ends every process of it, a setsid'd grandchild included; the
 * roster's limits are the scope's and the slice's properties, and a change of an agent's limits
 * restarts that agent. Memory enforcement is checked only where the manager may use the memory
 * controller.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_SCOPE_PREFIX, FLEET_SLICE } from '../../src/model/artifact.js';
import type { LimitKey } from '../../src/model/limits.js';
import { limitValue } from '../../src/resolve/limit-value.js';
import { startUserManager, userManagerSupport, type UserManager } from '../harness/user-manager.js';
import { tempDir } from '../support/cli.js';
import { mosaic } from '../support/host.js';
import { HARMLESS_RUNTIMES, ok, unitProps, until } from './host-support.js';

const support = userManagerSupport();
if (!support.ok) console.warn(`[scope] skipping: ${support.reason}`);

const roster = (forkerLimits: string, fleetLimits: string) => `version: 1
profile: minimal
fleet: { linger: false, session: scoped, limits: { ${fleetLimits} } }
${HARMLESS_RUNTIMES}  forker:
    command: [sh, -c, 'setsid sleep 100123 & exec sleep 100124']
agents:
  - name: forker
    runtime: forker
    limits: { ${forkerLimits} }
  - name: plain
    runtime: codex
`;
const FORKER_LIMITS = 'memory: 512M, memoryHigh: 384M, cpu: 150%, tasks: 64';
const FLEET_LIMITS = 'memory: 2G, cpu: 400%, tasks: 4096';

/** PIDs of processes whose command line is exactly `sleep ARG`, from /proc (the manager shares our pid namespace). */
function sleepers(arg: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${arg}\0`;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The systemd-tracked cgroup of a process (the unified line, or name=systemd on hybrid hosts). */
function cgroupOf(pid: number): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const line = lines.find((l) => l.includes(':name=systemd:')) ?? lines.find((l) => l.startsWith('0::'))!;
  return line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
}

const one = (arg: string) => async () => {
  const pids = sleepers(arg);
  return pids.length === 1 ? pids[0] : undefined;
};

/**
 * Whether the manager's own cgroup may use the memory controller (cgroup v2, delegated), so that
 * MemoryMax= is enforced; or why not.
 */
function memoryControllerOf(managerPid: number): { ok: true } | { ok: false; reason: string } {
  const unified = readFileSync(`/proc/${managerPid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
  if (!unified) return { ok: false, reason: 'the host has no unified (v2) cgroup hierarchy' };
  const mount = existsSync('/sys/fs/cgroup/unified/cgroup.procs') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup';
  // The manager itself sits in init.scope of its cgroup; its units get what that cgroup has.
  const file = join(mount, unified.slice(3).replace(/\/init\.scope$/, ''), 'cgroup.controllers');
  const controllers = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return controllers.split(/\s+/).includes('memory') ? { ok: true } : { ok: false, reason: `the memory controller is not delegated to the user manager (${file}: '${controllers}'), so MemoryMax= is recorded but not enforced` };
}

describe.skipIf(!support.ok)('agents in their own scope under the fleet slice, on a real user manager', () => {
  let m: UserManager;
  let work: string;
  const apply = async (yaml: string) => {
    writeFileSync(join(work, 'roster.yaml'), yaml);
    ok(await mosaic(m, work, 'apply', '--yes'), 'apply');
  };
  const scopeOf = (pid: number) => cgroupOf(pid).split('/').pop()!;

  beforeAll(async () => {
    m = await startUserManager();
    work = tempDir('mosaic-scope-');
    await apply(roster(FORKER_LIMITS, FLEET_LIMITS));
  });
  afterAll(async () => {
    await m?.stop();
  });

  it("runs the agent and its setsid'd grandchild in the agent's own scope, under the fleet slice", async () => {
    const agent = await until('the forker agent', one('100124'), 30_000);
    const grandchild = await until("the forker's setsid'd grandchild", one('100123'));
    const plain = await until('the plain agent', one('100001'), 30_000);
    const scope = scopeOf(agent);
    expect(scope).toMatch(new RegExp(`^${AGENT_SCOPE_PREFIX}forker-\\d+\\.scope$`));
    expect(cgroupOf(agent)).toContain(`/${FLEET_SLICE}/${scope}`);
    expect(cgroupOf(grandchild)).toBe(cgroupOf(agent));
    expect(scopeOf(plain)).toMatch(new RegExp(`^${AGENT_SCOPE_PREFIX}plain-\\d+\\.scope$`));
    expect(cgroupOf(plain)).toContain(`/${FLEET_SLICE}/`);

    const status = await m.systemctl('status', '--no-pager', scope);
    expect(status.stdout).toContain(`${agent} sleep 100124`);
    expect(status.stdout).toContain(`${grandchild} sleep 100123`);
    expect(await unitProps(m, scope, ['BindsTo', 'PartOf', 'Slice'])).toEqual({ BindsTo: 'mosaic-agent@forker.service', PartOf: 'mosaic-agent@forker.service', Slice: FLEET_SLICE });
  });

  it("lands the agent's limits on its scope and the fleet's on the slice, in bytes", async () => {
    const props = ['MemoryMax', 'MemoryHigh', 'CPUQuotaPerSecUSec', 'TasksMax'];
    const forker = scopeOf(await until('the forker agent', one('100124'), 30_000));
    expect(await unitProps(m, forker, props)).toEqual({ MemoryMax: '536870912', MemoryHigh: '402653184', CPUQuotaPerSecUSec: '1.500000s', TasksMax: '64' });
    const plain = scopeOf(await until('the plain agent', one('100001'), 30_000));
    expect(await unitProps(m, plain, props.slice(0, 3))).toEqual({ MemoryMax: 'infinity', MemoryHigh: 'infinity', CPUQuotaPerSecUSec: 'infinity' });
    expect(await unitProps(m, FLEET_SLICE, ['MemoryMax', 'CPUQuotaPerSecUSec', 'TasksMax'])).toEqual({ MemoryMax: '2147483648', CPUQuotaPerSecUSec: '4s', TasksMax: '4096' });
  });

  it('the largest limits the roster may give are ones systemd-run takes for a scope; cpu: infinity and a larger quota it refuses, as limitValue does', async () => {
    const scope = (...properties: string[]) => m.run('systemd-run', ['--user', '--scope', '--quiet', ...properties.flatMap((p) => ['-p', p]), 'true']);
    const value = (key: LimitKey, spelt: string) => {
      const read = limitValue(key, spelt);
      return 'value' in read ? read.value : `refused: ${read.problem}`;
    };
    const largest = await scope(`CPUQuota=${value('cpu', '21474836%')}`, `TasksMax=${value('tasks', '18446744073709551614')}`);
    expect(largest.stderr).toBe('');
    expect(largest.code).toBe(0);
    for (const [spelt, property] of [['infinity', 'CPUQuota=infinity'], ['21474837%', 'CPUQuota=21474837%']] as const) {
      expect(value('cpu', spelt)).toMatch(/^refused: /);
      const refused = await scope(property);
      expect(refused.code, property).not.toBe(0);
      expect(refused.stderr, property).toMatch(/CPU quota '.*' invalid/);
    }
  });

  it("status's pid is the agent's own process, in the agent's scope (not the pane's shell, not its setsid'd child)", async () => {
    const forker = await until('the forker agent', one('100124'), 30_000);
    await until("the forker's grandchild", one('100123'));
    const r = await mosaic(m, work, 'status', '--json');
    const row = (JSON.parse(r.stdout) as { agents: Array<{ name: string; pid: number | null }> }).agents.find((a) => a.name === 'forker')!;
    expect(row.pid).toBe(forker);
    expect(scopeOf(row.pid!)).toMatch(new RegExp(`^${AGENT_SCOPE_PREFIX}forker-\\d+\\.scope$`));
  });

  it("status counts the scope's memory as the agent's", async (ctx) => {
    const forker = await until('the forker agent', one('100124'), 30_000);
    const memoryOf = async (unit: string) => Number((await unitProps(m, unit, ['MemoryCurrent'])).MemoryCurrent);
    if (!Number.isSafeInteger(await memoryOf(scopeOf(forker)))) {
      console.warn('[scope] skipping status memory: the host does not account memory');
      ctx.skip();
      return;
    }
    const r = await mosaic(m, work, 'status', '--json');
    const row = (JSON.parse(r.stdout) as { agents: Array<{ name: string; memory: number }> }).agents.find((a) => a.name === 'forker')!;
    const [scope, unit] = [await memoryOf(scopeOf(forker)), await memoryOf('mosaic-agent@forker.service')];
    expect(Math.abs(row.memory - (scope + unit))).toBeLessThan(0.2 * (scope + unit));
    expect(row.memory).toBeGreaterThan(unit + scope / 2);
  });

  it('a crashed agent restarts in a new scope, and the old one is stopped with everything in it', async () => {
    const agent = await until('the forker agent', one('100124'), 30_000);
    const grandchild = await until("the forker's grandchild", one('100123'));
    const oldScope = scopeOf(agent);
    process.kill(agent, 'SIGKILL');
    const restarted = await until('the forker agent, restarted', async () => sleepers('100124').find((pid) => pid !== agent), 30_000);
    expect(scopeOf(restarted)).not.toBe(oldScope);
    await until('the old grandchild to end', async () => !sleepers('100123').includes(grandchild));
    await until('one grandchild, the new one', one('100123'));
    expect((await unitProps(m, 'mosaic-agent@forker.service', ['NRestarts'])).NRestarts).toBe('1');
  });

  it('a change of limits restarts that agent alone, with the new limits; the fleet limits follow on the slice', async () => {
    const forker = await until('the forker agent', one('100124'), 30_000);
    const plain = await until('the plain agent', one('100001'), 30_000);
    await apply(roster(FORKER_LIMITS.replace('512M', '1G'), FLEET_LIMITS.replace('2G', '3G')));
    const restarted = await until('the forker agent, restarted', async () => sleepers('100124').find((pid) => pid !== forker), 30_000);
    expect((await unitProps(m, scopeOf(restarted), ['MemoryMax'])).MemoryMax).toBe('1073741824');
    expect(sleepers('100001')).toEqual([plain]);
    // The old scope went with the restart, the grandchild the agent left in it too.
    await until('one grandchild, the new one', one('100123'));
    expect((await unitProps(m, FLEET_SLICE, ['MemoryMax'])).MemoryMax).toBe('3221225472');
  });

  it('an agent that allocates past its memory limit is killed, and its unit fails and restarts', async (ctx) => {
    const memory = memoryControllerOf(m.pid);
    if (!memory.ok) {
      console.warn(`[scope] skipping memory enforcement: ${memory.reason}`);
      ctx.skip();
      return;
    }
    const hog = `  - name: hog
    runtime: hog
    limits: { memory: 32M, swap: 0 }
`;
    const hogRuntime = `  hog:
    command: [sh, -c, 'x=$(head -c 268435456 /dev/zero | tr "\\\\0" a); exec sleep 100126']
agents:
`;
    await apply(roster(FORKER_LIMITS.replace('512M', '1G'), FLEET_LIMITS.replace('2G', '3G')).replace('agents:\n', hogRuntime) + hog);
    await until('the hog to be killed and restarted', async () => Number((await unitProps(m, 'mosaic-agent@hog.service', ['NRestarts'])).NRestarts) >= 1, 60_000);
    expect(sleepers('100126')).toEqual([]);
    ok(await m.systemctl('stop', 'mosaic-agent@hog.service'), 'systemctl stop');
  });

  it("stopping the agent's unit ends every process of it, the setsid'd grandchild included", async () => {
    const agent = await until('the forker agent', one('100124'), 30_000);
    const grandchild = await until("the forker's grandchild", one('100123'));
    const scope = scopeOf(agent);
    ok(await m.systemctl('stop', 'mosaic-agent@forker.service'), 'systemctl stop');
    await until('no process of forker left', async () => sleepers('100124').length === 0 && sleepers('100123').length === 0);
    expect(sleepers('100123')).not.toContain(grandchild);
    expect((await unitProps(m, scope, ['ActiveState'])).ActiveState).toBe('inactive');
    expect((await unitProps(m, 'mosaic-agent@forker.service', ['ActiveState'])).ActiveState).toBe('inactive');
  });
});
