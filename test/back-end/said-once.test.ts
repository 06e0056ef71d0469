/**
 * Every name and path the model owns (src/model/artifact.ts, src/model/units.ts) is spelt there
 * only: a rename is one edit. And an agent is small: what a reviewer reads for one agent.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleOutput } from '../../src/emit/assemble-output.js';
import { loadFleet } from '../../src/load/load-fleet.js';
import { AGENT_TEMPLATE_UNIT, FLEET_DIR, FLEET_TARGET, HOLDER_UNIT, LINGER_DIR, SUPERVISOR_TARGET, UNIT_DIR, agentOfUnit, agentUnit, ownerAgent } from '../../src/model/artifact.js';
import { TMP_PREFIX } from '../../src/model/own-names.js';
import { FLEET_LOCK } from '../../src/model/fleet-lock.js';
import { DEFAULT_TARGET } from '../../src/model/units.js';
import { REPO } from '../support/cli.js';

function files(dir: string): string[] {
  return readdirSync(join(REPO, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    return statSync(join(REPO, rel)).isDirectory() ? files(rel) : [rel];
  });
}

describe('said once', () => {
  const owned = [FLEET_DIR, UNIT_DIR, HOLDER_UNIT, FLEET_TARGET, AGENT_TEMPLATE_UNIT.split('@')[0]! + '@', SUPERVISOR_TARGET.split('/').pop()!, `WantedBy=${DEFAULT_TARGET}`, '%E/', FLEET_LOCK.runtime, LINGER_DIR, TMP_PREFIX];
  const sources = [...files('src'), ...files('templates')].filter((f) => /\.(ts|hbs)$/.test(f) && !f.startsWith('src/model/') && !f.startsWith('templates/presets/'));

  it.each(owned)('%s is spelt only in src/model', (name) => {
    const spelt = sources.filter((f) => readFileSync(join(REPO, f), 'utf8').includes(name));
    expect(spelt).toEqual([]);
  });

  it('a diagnostic is made by the one builder of src/errors.ts (errorIn, diagnosticIn, commandError), never by hand', () => {
    const ts = files('src').filter((f) => f.endsWith('.ts') && f !== 'src/errors.ts');
    const byHand = ts.filter((f) => /severity: '(error|warning)',/.test(readFileSync(join(REPO, f), 'utf8')));
    expect(byHand).toEqual([]);
  });

  it('an agent unit name and its agent are one definition read both ways', () => {
    for (const name of ['a', 'coder-0', 'x1']) expect(agentOfUnit(agentUnit(name))).toBe(name);
    for (const unit of [HOLDER_UNIT, FLEET_TARGET, AGENT_TEMPLATE_UNIT, agentUnit('')]) expect(agentOfUnit(unit)).toBeUndefined();
  });

  // 25 until issue 27: an agent's activity wiring and the session it resumes (with why) take three lines.
  it("a reviewer reads under 28 lines for one agent of the repository's roster (env, launch, drop-in)", () => {
    const { fleet } = loadFleet(join(REPO, 'roster.yaml'), 'roster.yaml');
    const output = assembleOutput(fleet!, '0.0.0');
    for (const agent of fleet!.agents) {
      const lines = output.files.filter((f) => ownerAgent(f.owner) === agent.name).reduce((n, f) => n + f.text.split('\n').length - 1, 0);
      expect(lines, agent.name).toBeLessThan(28);
    }
  });
});
