/**
 * Limits read as systemd reads them (systemd.resource-control(5)), resolved to the values the
 * generated files carry; and a change of an agent's limits is a change of that agent (its
 * digest), while fleet.limits, the slice's, restart nobody.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleOutput } from '../../src/emit/assemble-output.js';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import { sizeText, type LimitKey } from '../../src/model/limits.js';
import { limitValue } from '../../src/resolve/limit-value.js';
import { FLEET_SLICE } from '../../src/model/artifact.js';
import { verifyUnits } from '../harness/user-manager.js';

describe('limit values', () => {
  it.each<[LimitKey, string, string]>([
    ['memory', '512M', '536870912'],
    ['memory', '4G', '4294967296'],
    ['memory', '1.5G', '1610612736'],
    ['memory', '1T', '1099511627776'],
    ['memory', '4096', '4096'],
    ['memory', '100K', '102400'],
    ['memory', '50%', '50%'],
    ['memory', 'infinity', 'infinity'],
    ['memoryHigh', '384M', '402653184'],
    ['swap', '0', '0'],
    ['cpu', '150%', '150%'],
    ['cpu', '5%', '5%'],
    ['tasks', '512', '512'],
    ['tasks', '10%', '10%'],
    ['tasks', 'infinity', 'infinity'],
    // The largest values systemd reads (the same as these numbers, not rounded through a double).
    ['cpu', '21474836%', '21474836%'],
    ['tasks', '18446744073709551614', '18446744073709551614'],
    ['tasks', '0512', '512'],
  ])('%s: %s is %s', (key, spelt, value) => {
    expect(limitValue(key, spelt)).toEqual({ value });
  });

  it('sizes read back in the largest unit that divides them, and read again to the same bytes', () => {
    for (const [bytes, text] of [['536870912', '512M'], ['1610612736', '1536M'], ['1099511627776', '1T'], ['4096', '4K'], ['100', '100'], ['18014398509481984', '16384T']]) {
      expect(sizeText(bytes!)).toBe(text);
      expect(limitValue('memory', text!)).toEqual({ value: bytes });
    }
  });

  it.each<[LimitKey, string, string]>([
    ['memory', '4GB', 'write 4G'],
    ['memory', '2 GiB', 'write 2G'],
    ['memory', '0', 'infinity'],
    ['memory', '101%', 'a percentage of RAM such as 50%'],
    ['memory', '-1', 'K, M, G or T'],
    ['memory', '99999999T', 'infinity'],
    ['cpu', '2', '200%'],
    ['cpu', '0%', 'above 0'],
    ['cpu', 'all', 'percentage'],
    ['tasks', '0', 'above 0'],
    ['tasks', '1.5', 'whole number'],
    // What systemd ignores in a slice and refuses for a scope (see the verify test below).
    ['cpu', 'infinity', 'leave cpu out'],
    ['cpu', '21474837%', 'at most 21474836%'],
    ['tasks', '18446744073709551615', 'infinity'],
    ['tasks', '99999999999999999999', 'infinity'],
  ])('%s: %s is refused (hint: %s)', (key, spelt, hint) => {
    const read = limitValue(key, spelt);
    expect('hint' in read && read.hint).toContain(hint);
  });
});

describe('limits systemd reads', () => {
  it('the largest values accepted are ones systemd-analyze verify takes in the slice; the next ones up it ignores', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mosaic-gen-limits-'));
    try {
      const slice = (cpu: string, tasks: string) => {
        writeFileSync(join(dir, FLEET_SLICE), `[Slice]\nCPUQuota=${cpu}\nTasksMax=${tasks}\n`);
        return verifyUnits(dir, [FLEET_SLICE]);
      };
      const accepted = (key: LimitKey, spelt: string) => (limitValue(key, spelt) as { value: string }).value;
      expect(await slice(accepted('cpu', '21474836%'), accepted('tasks', '18446744073709551614'))).toBe('');
      expect(await slice('21474837%', '18446744073709551615')).toMatch(/Invalid CPU quota '21474837%'[\s\S]*Maximum tasks value '18446744073709551615' out of range/);
      expect(await slice('infinity', '1')).toMatch(/Invalid CPU quota 'infinity'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('limits in the manifest', () => {
  const roster = (agentLimits: string, fleetLimits: string) => `version: 1
fleet: { limits: { ${fleetLimits} } }
agents:
  - { name: orchestrator, runtime: pi, class: orchestrator, limits: { ${agentLimits} } }
  - { name: enhancer, runtime: claude, role: enhancer }
`;
  const digests = (yaml: string) => Object.fromEntries(assembleOutput(loadFleetFromText(yaml, 'roster.yaml').fleet!, '0.0.0').manifest.agents.map((a) => [a.name, a.digest]));

  it("changes the agent's digest with its limits, and no digest with the fleet's", () => {
    const base = digests(roster('memory: 1G', 'tasks: 100'));
    const agentChanged = digests(roster('memory: 2G', 'tasks: 100'));
    expect(agentChanged.orchestrator).not.toBe(base.orchestrator);
    expect(agentChanged.enhancer).toBe(base.enhancer);
    expect(digests(roster('memory: 1G', 'tasks: 200'))).toEqual(base);
    // The same limit spelt another way is the same agent.
    expect(digests(roster('memory: 1024M', 'tasks: 100'))).toEqual(base);
  });
});
