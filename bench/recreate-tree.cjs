// The floor under a build's time on this machine: node bench/recreate-tree.cjs LIST DIR creates
// the directories and files LIST names (JSON: [[path, text | null for a directory], ...]) under
// the new directory DIR, with nothing rendered, hashed or checked. bench/run.mjs times it for the
// tree mosaic-gen builds and for the one foreman exports, to tell the cost of the layout (how many
// files and directories) from the cost of the code.
const { closeSync, mkdirSync, openSync, readFileSync, writeSync } = require('node:fs');
const { join } = require('node:path');

const [list, root] = process.argv.slice(2);
mkdirSync(root);
for (const [path, text] of JSON.parse(readFileSync(list, 'utf8'))) {
  if (text === null) {
    mkdirSync(join(root, path));
    continue;
  }
  const fd = openSync(join(root, path), 'wx');
  writeSync(fd, text);
  closeSync(fd);
}
