/** A generated file: where it goes in out/, where it is installed, with which mode and text. */
export interface Artifact {
  /** Path inside the output directory, with `/` separators. */
  path: string;
  /** Install location relative to $XDG_CONFIG_HOME. */
  target: string;
  mode: FileMode;
  text: string;
  /** Whose process reads the file: one agent, every agent, the tmux holder, or nobody's (the target). */
  owner: Owner;
}

/**
 * What a change of a file means for running processes. An agent restarts when the meaning of a
 * file it reads changes (its own files, or one that every agent reads); the holder likewise.
 */
export type Owner = { agent: string } | 'agents' | 'holder' | 'fleet';

export function ownerAgent(owner: Owner): string | null {
  return typeof owner === 'object' ? owner.agent : null;
}

/** The three modes mosaic-gen writes: units and scripts readable, env files private. */
export type FileMode = 0o644 | 0o600 | 0o755;

export function modeString(mode: FileMode): string {
  return `0${mode.toString(8)}`;
}

/** Where units go under $XDG_CONFIG_HOME, and mosaic's own files. */
export const UNIT_DIR = 'systemd/user';
export const FLEET_DIR = 'mosaic/fleet';
export const MANIFEST_TARGET = `${FLEET_DIR}/manifest.json`;

/** The build's record in out/ (and in a bundle), installed as MANIFEST_TARGET. */
export const MANIFEST_SOURCE = 'manifest.json';

/** The fleet summary for reviewers (out/ only: not in the manifest, never installed). */
export const FLEET_SUMMARY = 'FLEET.md';

/** The bundle's scripts (out/ only, run from there): two short entry points and the engine they source. */
export const BUNDLE_SCRIPTS = { install: 'install.sh', uninstall: 'uninstall.sh', engine: 'engine.sh' } as const;

/** Where logind keeps one flag file per lingering user, relative to the root (a staging root offline). */
export const LINGER_DIR = 'var/lib/systemd/linger';

/**
 * What a run that changes the host may leave behind if it stops half-way: the engine writes it
 * before the first change and removes it with the record, so that until then every content
 * and unit named there counts as the fleet's (not drift; removed by uninstall).
 */
export const JOURNAL_TARGET = `${FLEET_DIR}/transition-in-progress`;

/** Where install.sh records that it turned linger on (so uninstall turns it off only then). */
export const LINGER_RECORD = `${FLEET_DIR}/linger-enabled-by-install`;

/**
 * Where install.sh records the directories it created (one `DIR/` a line, `/` being
 * $XDG_CONFIG_HOME itself), so that uninstall removes those and never one that was there before.
 */
export const DIRS_RECORD = `${FLEET_DIR}/dirs-made-by-install`;

/** The fleet directory's subdirectories: agents' env files and launch scripts, the supervisor. */
export const FLEET_SUBDIRS = { env: 'env', launch: 'launch', bin: 'bin' } as const;

/** An agent's files, by agent name (`%i` in the template unit). */
export function envTarget(name: string): string {
  return `${FLEET_DIR}/${FLEET_SUBDIRS.env}/${name}.env`;
}
export function launchTarget(name: string): string {
  return `${FLEET_DIR}/${FLEET_SUBDIRS.launch}/${name}.sh`;
}

/**
 * The fleet's one supervisor, which every agent unit runs (with the agent's name and launch
 * script). Not under launch/: any name there could also be an agent's.
 */
export const SUPERVISOR_TARGET = `${FLEET_DIR}/${FLEET_SUBDIRS.bin}/mosaic-supervise.sh`;

/** The reporter an agent's hooks run (model/activity.ts), beside the supervisor, which finds it there. */
export const REPORTER_TARGET = `${FLEET_DIR}/${FLEET_SUBDIRS.bin}/mosaic-report.sh`;

/** A target as a unit file names it: `%E` is $XDG_CONFIG_HOME in a user manager. */
export function inUnit(target: string): string {
  return `%E/${target}`;
}

export const HOLDER_UNIT = 'mosaic-tmux-holder.service';
export const AGENT_TEMPLATE_UNIT = 'mosaic-agent@.service';
export const FLEET_TARGET = 'mosaic-fleet.target';

const [agentUnitPrefix, agentUnitSuffix] = AGENT_TEMPLATE_UNIT.split('@') as [string, string];

/** What an agent unit's name has around the agent's (`mosaic-agent@` NAME `.service`), for install.sh too. */
export const AGENT_UNIT_AROUND = { head: `${agentUnitPrefix}@`, tail: agentUnitSuffix } as const;

/**
 * The slice every agent's process tree runs under (fleet.limits are its properties), and the
 * prefix of each agent's transient scope, `mosaic-run-NAME-PID.scope`: one per run of the agent,
 * so a scope still being collected never blocks the next run's. The slice's name has no dash:
 * systemd makes each dash a level (`mosaic-fleet.slice` would live in an implicit `mosaic.slice`
 * that nothing stops, left loaded after uninstall).
 */
export const FLEET_SLICE = 'mosaic.slice';
export const AGENT_SCOPE_PREFIX = 'mosaic-run-';

export function agentUnit(name: string): string {
  return `${AGENT_UNIT_AROUND.head}${name}${AGENT_UNIT_AROUND.tail}`;
}

/** The agent of an agent unit's name (`mosaic-agent@NAME.service` → NAME); undefined for any other unit. */
export function agentOfUnit(unit: string): string | undefined {
  const { head, tail } = AGENT_UNIT_AROUND;
  if (!unit.startsWith(head) || !unit.endsWith(tail)) return undefined;
  const name = unit.slice(head.length, unit.length - tail.length);
  return name === '' || /\s/.test(name) ? undefined : name;
}
