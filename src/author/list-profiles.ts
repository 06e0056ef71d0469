import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../errors.js';
import { loadFleet, presetPath, type FrontEndResult } from '../load/load-fleet.js';
import { PROFILES, type Profile } from '../model/roster-input.js';

export interface ProfileSummary {
  name: Profile;
  /** The preset file's own opening comment, as one paragraph. */
  description: string;
  agents: Array<{ name: string; role: string | null; class: string; runtime: string; lifecycle: string }>;
}

/** The presets, each resolved as a fleet of its own (so defaults show as they will apply). */
export function listProfiles(): { profiles: ProfileSummary[]; diagnostics: Diagnostic[]; sources: FrontEndResult['sources'] } {
  const profiles: ProfileSummary[] = [];
  const diagnostics: Diagnostic[] = [];
  const sources: FrontEndResult['sources'] = new Map();
  for (const name of PROFILES) {
    const path = presetPath(name);
    const result = loadFleet(path);
    diagnostics.push(...result.diagnostics);
    for (const [file, counter] of result.sources) sources.set(file, counter);
    if (!result.fleet) continue;
    profiles.push({
      name,
      description: describe(readFileSync(path, 'utf8')),
      agents: result.fleet.agents.map((a) => ({ name: a.name, role: a.role, class: a.class, runtime: a.runtime, lifecycle: a.lifecycle })),
    });
  }
  return { profiles, diagnostics, sources };
}

function describe(text: string): string {
  const header: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    header.push(line.replace(/^#\s?/, '').trim());
  }
  return header.filter((line) => line !== '' && !line.startsWith('yaml-language-server:')).join(' ');
}
