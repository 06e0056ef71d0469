import { modeString } from '../model/artifact.js';
import { shWord } from '../render/quote.js';
import type { Op } from './ops.js';

/** One op as a call of the function that performs it in templates/scripts/prologue.sh. */
export function opShell(op: Op): string {
  const call = (fn: string, ...args: string[]) => [fn, ...args.map(shWord)].join(' ');
  switch (op.kind) {
    case 'daemon-reload':
      return call('daemon_reload');
    case 'make-dir':
      return call('make_dir', op.dir);
    case 'remove-dir':
      return call('remove_dir', op.dir);
    case 'install-file':
      return call('install_file', op.source, op.target, modeString(op.mode).slice(1));
    case 'remove-file':
      return call('remove_file', op.target);
    case 'enable-unit':
      return call('enable_unit', op.unit, op.file, op.wantedBy);
    case 'disable-unit':
      return call('disable_unit', op.unit, op.file, op.wantedBy);
    case 'start-unit':
      return call('start_unit', op.unit);
    case 'stop-unit':
      return call('stop_unit', op.unit);
    case 'restart-unit':
      return call('user_systemctl', 'restart', op.unit);
    case 'enable-linger':
      return call('enable_linger');
    case 'disable-linger':
      return call('disable_linger');
  }
}
