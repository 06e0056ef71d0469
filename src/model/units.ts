/**
 * The units mosaic-gen writes, as data: who requires, follows and wants whom. The unit templates
 * print these relations and the manifest's enablement is derived from the same `wantedBy`, so
 * the two cannot disagree.
 */
import { AGENT_SCOPE_PREFIX, AGENT_TEMPLATE_UNIT, FLEET_SLICE, FLEET_TARGET, HOLDER_UNIT, SUPERVISOR_TARGET, agentUnit, envTarget, inUnit, launchTarget } from './artifact.js';
import type { EnabledUnit } from './manifest.js';
import type { Lifecycle } from './roster-input.js';

/** The user manager's own target that starts at login (and at boot, with linger). */
export const DEFAULT_TARGET = 'default.target';

export interface UnitRelations {
  file: string;
  /** Units this one needs running, and starts after (Requires= and After=). */
  requires?: string;
  /** The unit whose stop stops this one (PartOf=). */
  partOf?: string;
  /** The [Install] WantedBy= target: enabling links the unit into its .wants/. */
  wantedBy: string;
}

export const UNITS = {
  holder: { file: HOLDER_UNIT, partOf: FLEET_TARGET, wantedBy: FLEET_TARGET },
  agent: { file: AGENT_TEMPLATE_UNIT, requires: HOLDER_UNIT, partOf: FLEET_TARGET, wantedBy: FLEET_TARGET },
  fleet: { file: FLEET_TARGET, wantedBy: DEFAULT_TARGET },
} as const satisfies Record<string, UnitRelations>;

/**
 * An agent's scope, as the supervisor names it from the agent's name (`unitBefore NAME
 * unitAfter` is the agent's unit, which the scope is bound to).
 */
export const AGENT_SCOPE = {
  slice: FLEET_SLICE,
  scopePrefix: AGENT_SCOPE_PREFIX,
  unitBefore: AGENT_TEMPLATE_UNIT.slice(0, AGENT_TEMPLATE_UNIT.indexOf('@') + 1),
  unitAfter: AGENT_TEMPLATE_UNIT.slice(AGENT_TEMPLATE_UNIT.indexOf('@') + 1),
} as const;

/** The installed paths the agent template unit names, with `%i` for the agent. */
export const AGENT_UNIT_PATHS = {
  envFile: inUnit(envTarget('%i')),
  supervisor: inUnit(SUPERVISOR_TARGET),
  launch: inUnit(launchTarget('%i')),
} as const;

/**
 * The units install enables, in order: the holder, the always-on agents by unit name, and the
 * fleet target last, as its links are what boot follows.
 */
export function enabledUnits(agents: ReadonlyArray<{ name: string; lifecycle: Lifecycle }>): EnabledUnit[] {
  const enable = (unit: string, relations: UnitRelations): EnabledUnit => ({ unit, file: relations.file, wantedBy: relations.wantedBy });
  return [
    enable(HOLDER_UNIT, UNITS.holder),
    ...agents
      .filter((a) => a.lifecycle === 'always-on')
      .map((a) => enable(agentUnit(a.name), UNITS.agent))
      .sort((x, y) => (x.unit < y.unit ? -1 : 1)),
    enable(FLEET_TARGET, UNITS.fleet),
  ];
}
