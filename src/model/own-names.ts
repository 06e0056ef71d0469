import { FLEET_DIR, FLEET_SLICE, UNIT_DIR } from './artifact.js';

/**
 * Every temporary file starts so, in out/, beside a roster and in the installed fleet, where a
 * stale one is swept (apply and install.sh, whose mktemp uses the same prefix).
 */
export const TMP_PREFIX = '.mosaic-tmp.';

/** Every unit of ours starts with this but the fleet slice: the confinement rule below and the scripts' globs. */
export const OWN_UNIT_PREFIX = 'mosaic-';

/**
 * The one confinement rule: the only paths under $XDG_CONFIG_HOME that mosaic-gen (the CLI and
 * the bundle's scripts alike) ever creates, writes, renames or removes. Anything a record names
 * outside them is refused before a single thing is touched. The patterns are POSIX extended
 * regular expressions, so install.sh checks the very same text with `grep -E`.
 */
const UNIT = `(${OWN_UNIT_PREFIX}[a-z0-9-]+(@[a-z0-9-]*)?\\.(service|target)|${FLEET_SLICE.replace('.', '\\.')})`;
const LEAF = '[a-z0-9][a-z0-9._-]*';

/** A file: a mosaic unit or its drop-in, or a file in the fleet directory or one level below it. */
export const OWN_FILE_ERE = `^(${UNIT_DIR}/${UNIT}(\\.d/[a-z0-9-]+\\.conf)?|${FLEET_DIR}/([a-z]+/)?${LEAF})$`;

/** A directory below $XDG_CONFIG_HOME that may hold own files or links (the root itself is one too). */
export const OWN_DIR_ERE = `^(systemd|${UNIT_DIR}|mosaic|${FLEET_DIR}|${FLEET_DIR}/[a-z]+|${UNIT_DIR}/${UNIT}\\.d|${UNIT_DIR}/[A-Za-z0-9:_.@-]+\\.(target|service)\\.wants)$`;

/** A unit name that mosaic-gen may enable, disable, start or stop. */
export const OWN_UNIT_ERE = `^${UNIT}$`;

/** A unit that may want one of ours (the `X` of `X.wants/`). */
export const WANTED_BY_ERE = '^[A-Za-z0-9:_.@-]+\\.(target|service)$';

const ownFile = new RegExp(OWN_FILE_ERE);
const ownUnit = new RegExp(OWN_UNIT_ERE);
const ownDir = new RegExp(OWN_DIR_ERE);
const wantedBy = new RegExp(WANTED_BY_ERE);

export function isOwnFile(target: string): boolean {
  return ownFile.test(target);
}

export function isOwnDir(dir: string): boolean {
  return dir === '' || (ownDir.test(dir) && !dir.includes('..'));
}

export function isOwnUnit(unit: string): boolean {
  return ownUnit.test(unit);
}

export function isWantedBy(unit: string): boolean {
  return wantedBy.test(unit) && !unit.includes('..');
}
