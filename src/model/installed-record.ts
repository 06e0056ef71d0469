import type { EnabledUnit } from './manifest.js';
import type { Lifecycle } from './roster-input.js';

/** A recorded file as it is on the host. */
export type FileState = 'ok' | 'edited' | 'missing' | 'not-a-file';

/** What the installed record says of a host, as the engine read it, with each file's state. */
export interface InstalledRecord {
  session: string;
  tmux: string;
  agents: { name: string; lifecycle: Lifecycle }[];
  files: { target: string; agent: string | null; state: FileState }[];
  /** The fleet's enablement links on disk, whoever made them. */
  links: EnabledUnit[];
}
