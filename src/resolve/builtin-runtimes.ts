/** Runtimes every roster may use without defining them; `runtimes:` overrides or adds. */
export const BUILTIN_RUNTIMES: Readonly<Record<string, { command: readonly string[] }>> = {
  claude: { command: ['claude'] },
  codex: { command: ['codex'] },
  opencode: { command: ['opencode'] },
  pi: { command: ['pi'] },
};
