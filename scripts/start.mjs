// `npm start`: builds the extension for Chrome/Edge and Firefox and says how to load it.
// (The collector and dashboard join this command when they exist; see README.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const wxt = resolve('node_modules/.bin/wxt');
const builds = [
  { label: 'Chrome and Edge (MV3)', args: ['build'], dir: '.output/chrome-mv3' },
  { label: 'Firefox (MV3)', args: ['build', '-b', 'firefox', '--mv3'], dir: '.output/firefox-mv3' },
];

for (const build of builds) {
  process.stdout.write(`Building for ${build.label}...\n`);
  const run = spawnSync(wxt, build.args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0 || !existsSync(`${build.dir}/manifest.json`)) {
    process.stderr.write(`Build for ${build.label} failed (exit ${run.status}).\n`);
    process.exit(1);
  }
}

const chrome = resolve(builds[0].dir);
const firefox = resolve(builds[1].dir);
process.stdout.write(`
Daylight is built.

  Chrome and Edge: ${chrome}
    1. Open chrome://extensions (Edge: edge://extensions).
    2. Turn on "Developer mode".
    3. Click "Load unpacked" and choose the folder above.

  Firefox: ${firefox}
    1. Open about:debugging#/runtime/this-firefox.
    2. Click "Load Temporary Add-on..." and choose manifest.json in the folder above.

  With nothing configured, the bundled default policy gives every AI tool
  Daylight knows a friendly warning; try https://chatgpt.com/. The toolbar
  button shows the popup; its "Details and privacy" opens the options page.
  The policy engine also runs from the command line:

    npx daylight check https://chatgpt.com/ https://claude.ai/new
    npx daylight validate policies/examples/*.json
`);
