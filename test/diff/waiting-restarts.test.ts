/**
 * The engine's check says which restarts wait (issue 27): `unit restart-when-idle` for update:
 * idle, `unit hold` for update: manual. The CLI reads them as data and shows them in the plan.
 */
import { describe, expect, it } from 'vitest';
import { EnginePlanError, parseEnginePlan } from '../../src/diff/engine-plan.js';
import { renderPlan } from '../../src/diff/render-plan.js';
import { painter } from '../../src/cli/io.js';

const check = (units: string) => `check 1\nconfig /home/u/.config\nuser u\ninstalled yes\nsession s\n${units}summary 0 2 0\ndigest abc\n`;

describe('restarts that wait, in the plan', () => {
  it('reads restart-when-idle and hold apart from restarts at once, and shows each with why', () => {
    const plan = parseEnginePlan(check('unit restart mosaic-agent@a.service\nunit restart-when-idle mosaic-agent@b.service\nunit hold mosaic-agent@c.service\n'));
    expect(plan.units).toMatchObject({ restart: ['mosaic-agent@a.service'], 'restart-when-idle': ['mosaic-agent@b.service'], hold: ['mosaic-agent@c.service'] });
    const text = renderPlan(plan, [], { showSecrets: false, paint: painter(false), patch: () => '' });
    expect(text).toContain('  restart  mosaic-agent@a.service\n');
    expect(text).toContain('  restart  mosaic-agent@b.service (when idle: waits while it works)\n');
    expect(text).toContain('  hold     mosaic-agent@c.service (update manual: restart by hand)\n');
  });

  it('refuses a unit record it does not know, rather than drop it', () => {
    expect(() => parseEnginePlan(check('unit reboot mosaic-agent@a.service\n'))).toThrow(EnginePlanError);
  });
});
