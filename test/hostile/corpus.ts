/**
 * Hostile values: everything that means something to POSIX sh, systemd unit files (ExecStart=
 * words, `%` specifiers, EnvironmentFile= lines), tmux or YAML. Each value that would run a command
 * if it were ever evaluated runs `touch CANARY…`, so a test sees any evaluation as a file.
 */
export const KIB64 = 64 * 1024;

/** Values that every target syntax mosaic-gen writes args and env values into must carry. */
export function hostileValues(canary: string): string[] {
  const c = (n: number) => `${canary}/${n}`;
  const injections = [
    `$(touch ${c(1)})`,
    `\`touch ${c(2)}\``,
    `; touch ${c(3)}`,
    `&& touch ${c(4)}`,
    `| touch ${c(5)}`,
    `'; touch ${c(6)}; '`,
    `"; touch ${c(7)}; "`,
    `'$(touch ${c(8)})'`,
    `"$(touch ${c(9)})"`,
    `\n touch ${c(10)}\n`,
    `\\\ntouch ${c(11)}`,
    `\${IFS}touch\${IFS}${c(12)}`,
    `x'\\''$(touch ${c(13)})`,
    `%h/$(touch ${c(14)})`,
    `" ; touch ${c(15)} #`,
    `\r\ntouch ${c(16)}\r\n`,
    `ExecStartPre=/usr/bin/touch ${c(17)}`,
    `\nExecStartPre=/usr/bin/touch ${c(18)}\n`,
    `\nFOO=\`touch ${c(19)}\``,
    `$((0)) $(touch ${c(20)}) \${x:-$(touch ${c(21)})}`,
  ];
  const plain = [
    "'", '"', "''", '""', "it's", 'say "hi"', '\'"\'"',
    '$HOME', '${HOME}', '$VAR', '$$', '$', '$1', '$@', '$*', '$?', '${#}',
    '\\', '\\\\', 'ends with a backslash\\', '\\n', '\\t', '\\$HOME', '\\"', "\\'", '\\`', '\\x41', '\\0',
    '%i', '%h', '%%', '%', '%%%', '100%', '%n%I%E%t', '%{h}',
    ';', '&&', '||', '&', '|', '#', '# a comment', '#!', '=', 'KEY=VALUE', '==',
    ' leading', 'trailing ', '  both  ', ' ', '\t', 'tab\there', '\ttab-led', 'trailing tab\t',
    'ünïcödé', '日本語', '💥', 'e\u0301', '\u2028line\u2029sep', '\ufeffbom', '\u00a0nbsp\u00a0', '\u200b',
    'a\nb', '\n', 'trailing newline\n', '\nleading newline', '\n\n\n', 'a\r\nb', '\r', 'cr at end\r',
    '-', '--', '-e', '--help', '*', '?', '[a]', '~', '~/x', '!', '!!', '{a,b}', '<', '>', '<<EOF', '()', '{}',
    '\x01\x02\x1b[31mred\x1b[0m\x7f',
    '',
  ];
  const long = [
    'x'.repeat(KIB64),
    `'"$\`\\%;&#\t\n `.repeat(KIB64 / 12).slice(0, KIB64),
  ];
  return [...injections, ...plain, ...long];
}

/**
 * Directory names (each a single path component, so no `/`) that a workdir must carry to `cd`.
 * Their injections touch a relative CANARY… file: in whatever directory evaluated them.
 */
export function hostileDirNames(): string[] {
  return [
    'with spaces',
    `it's "q" $HOME $(touch CANARYd1) \`touch CANARYd2\` ; && # %i %h %%`,
    ' lead and trail ',
    'tab\there',
    'new\nline',
    'ünï 💥 日本',
    'back\\slash\\',
    '-dash',
    '~tilde',
    '%%',
    'cr\rhere',
  ];
}

/** Paths that systemd reads on one EnvironmentFile= line: no line break, no trailing \, no surrounding space. */
export function hostileEnvFileNames(): string[] {
  return [`sp ace %i %h %% $X \${Y} ;#'"\` $(touch CANARYe1)`, 'ünï💥', 'back\\slash', 'tab\tinside', 'gl*b?[ab]{c,d}', '~tilde'];
}
