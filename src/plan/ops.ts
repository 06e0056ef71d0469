import type { FileMode } from '../model/artifact.js';

/**
 * The plan is data: a list of ops, each of which has exactly one inverse. install.sh runs the
 * ops in order; uninstall.sh runs their inverses in reverse order. Because `inverse` is total
 * over the union (the compiler checks the switch), no op can be emitted without its undo.
 * Paths are relative to $XDG_CONFIG_HOME; `source` is relative to the output directory.
 */
export type Op =
  | { kind: 'daemon-reload' }
  | { kind: 'make-dir'; dir: string }
  | { kind: 'remove-dir'; dir: string }
  | { kind: 'install-file'; source: string; target: string; mode: FileMode }
  | { kind: 'remove-file'; source: string; target: string; mode: FileMode }
  | { kind: 'enable-unit'; unit: string; file: string; wantedBy: string }
  | { kind: 'disable-unit'; unit: string; file: string; wantedBy: string }
  | { kind: 'start-unit'; unit: string }
  | { kind: 'stop-unit'; unit: string }
  /** Only in transitions (apply), never in install.sh: a changed agent picks up its new files. */
  | { kind: 'restart-unit'; unit: string }
  | { kind: 'enable-linger' }
  | { kind: 'disable-linger' };

export type OpKind = Op['kind'];

export function inverse(op: Op): Op {
  switch (op.kind) {
    case 'daemon-reload':
      return op;
    case 'make-dir':
      return { kind: 'remove-dir', dir: op.dir };
    case 'remove-dir':
      return { kind: 'make-dir', dir: op.dir };
    case 'install-file':
      return { ...op, kind: 'remove-file' };
    case 'remove-file':
      return { ...op, kind: 'install-file' };
    case 'enable-unit':
      return { ...op, kind: 'disable-unit' };
    case 'disable-unit':
      return { ...op, kind: 'enable-unit' };
    case 'start-unit':
      return { kind: 'stop-unit', unit: op.unit };
    case 'stop-unit':
      return { kind: 'start-unit', unit: op.unit };
    case 'restart-unit':
      return op;
    case 'enable-linger':
      return { kind: 'disable-linger' };
    case 'disable-linger':
      return { kind: 'enable-linger' };
  }
}

/** The uninstall plan: the inverses of the install plan, last op first. */
export function uninstallPlan(install: readonly Op[]): Op[] {
  return install.map(inverse).reverse();
}
