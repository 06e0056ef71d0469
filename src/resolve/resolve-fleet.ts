import { diagnosticIn, type Report } from '../errors.js';
import type { Fleet } from '../model/fleet.js';
import { RULES, resolveLimits, type Say } from './fleet-rules.js';
import { agentEnv, agentKind, mergeRoster, type SourcedRoster } from './merge-roster.js';
import { defaultHost, placeAgent } from './place-agents.js';
import { resolveHosts } from './resolve-hosts.js';
import { restartPolicy, transcriptPolicy } from './policy-value.js';
import { DEFAULT_RESTART } from '../model/restart.js';
import { DEFAULT_TRANSCRIPT } from '../model/transcript.js';
import { DEFAULT_RESTART_GAP } from '../model/activity.js';

export type { SourcedRoster } from './merge-roster.js';

/**
 * Merges the preset into the roster, checks every rule of fleet-rules.ts and applies defaults.
 * Pure: every problem goes to `report`; a Fleet is returned only when there were no errors.
 */
export function resolveFleet(roster: SourcedRoster, preset: SourcedRoster | undefined, report: Report, rosterName = roster.source.file): Fleet | undefined {
  const merged = mergeRoster(roster, preset);
  let failed = roster.dropped !== undefined;
  const say: Say = (severity, code, message, at, hint, part = 'value') => {
    if (severity === 'error') failed = true;
    // The preset is a file of the package, which the user cannot edit: a problem found there is
    // shown at the roster's profile: line, which brought it in.
    if (at.source !== roster.source) {
      report(diagnosticIn(severity, roster.source.file, code, `${message} (from the ${roster.input.profile} preset)`, hint, roster.source.rangeAt(['profile'], 'value')));
      return;
    }
    report(diagnosticIn(severity, at.source.file, code, message, hint, at.source.rangeAt(at.path, part)));
  };
  for (const rule of RULES) if (!(rule.wholeFleet && roster.dropped)) rule.check(merged, say);
  if (failed) return undefined;

  const byKey = ([x]: readonly [string, string], [y]: readonly [string, string]) => (x < y ? -1 : x > y ? 1 : 0);
  const settings = {
    linger: merged.setting('linger')?.value ?? false,
    path: merged.setting('path')?.value ?? [],
    tmux: merged.setting('tmux')?.value ?? '/usr/bin/tmux',
  };
  // Without hosts there is nowhere to place an agent: every one is on the fleet's one host (null).
  const fallbackHost = roster.input.hosts === undefined ? undefined : defaultHost(roster.input);
  // Per agent, each key over the fleet's, the fleet's over the defaults (values checked by the rules).
  const restart = restartPolicy(merged.setting('restart')?.value ?? {}, DEFAULT_RESTART).value;
  const transcript = transcriptPolicy(merged.setting('transcript')?.value ?? {}, DEFAULT_TRANSCRIPT).value;
  return {
    roster: rosterName,
    profile: roster.input.profile ?? null,
    session: merged.setting('session')?.value ?? 'mosaic',
    ...settings,
    limits: resolveLimits(merged.setting('limits')?.value),
    restart,
    transcript,
    restartGap: merged.setting('restartGap')?.value ?? DEFAULT_RESTART_GAP,
    agents: merged.agents.flatMap((agent) => {
      const a = agent.input;
      const runtime = merged.runtimes[a.runtime!]!;
      return placeAgent(a, fallbackHost).map(({ name, host, replica }) => {
        const env = new Map<string, string>();
        for (const [key, value] of [...merged.fleetEnv, ...(host === null ? [] : merged.hostEnv[host] ?? []), ...runtime.env, ...agentEnv(agent)]) env.set(key, value);
        return {
          name,
          ...agentKind(a),
          lifecycle: a.lifecycle ?? 'always-on',
          runtime: a.runtime!,
          command: [...runtime.command, ...(a.args ?? [])],
          args: a.args ?? [],
          workdir: a.workdir ?? '~',
          env: [...env].sort(byKey),
          envFiles: a.envFiles ?? [],
          host,
          replica,
          limits: resolveLimits(a.limits),
          restart: restartPolicy(a.restart ?? {}, restart).value,
          transcript: transcriptPolicy(a.transcript ?? {}, transcript).value,
          activity: runtime.report,
          resume: (a.resume ?? merged.setting('resume')?.value ?? true) ? runtime.resume : [],
          update: a.update ?? merged.setting('update')?.value ?? 'idle',
        };
      });
    }),
    hosts: resolveHosts(roster.input, settings),
  };
}
