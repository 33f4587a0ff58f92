// build.mjs - bundles the dashboard for embedding in the alidade binary.
//   node build.mjs OUTDIR [NODE_MODULES]
// writes OUTDIR/{index.html, app.js, app.css, countries-110m.json,
// countries-50m.json}. NODE_MODULES is where `npm ci` put the packages (the
// meson build installs them in the build folder, offline from the npm cache).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] || path.join(here, 'dist'));
const nm = path.resolve(process.argv[3] || path.join(here, 'node_modules'));
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [path.join(here, 'src', 'main.js')],
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  minify: true,
  legalComments: 'eof',
  // topojson-client's sources carry no licence comment: say it here
  banner: { js: '/*! alidade dashboard (Apache-2.0); includes topojson-client 3.1.0, ISC licence, Copyright 2012-2019 Michael Bostock */' },
  nodePaths: [nm],
  outfile: path.join(out, 'app.js'),
  logLevel: 'warning',
});
await build({
  entryPoints: [path.join(here, 'style.css')],
  bundle: true,
  minify: true,
  outfile: path.join(out, 'app.css'),
  logLevel: 'warning',
});
// index.html names its script and style with a hash of their content: the
// node lets browsers keep /assets/ for a week, and a new binary's page then
// asks for new URLs instead of getting last week's app.js from the cache
// (the node ignores the query when it looks an asset up)
const hash = (f) => createHash('sha256').update(readFileSync(path.join(out, f))).digest('hex').slice(0, 12);
const html = readFileSync(path.join(here, 'index.html'), 'utf8')
  .replace('href="assets/app.css"', `href="assets/app.css?v=${hash('app.css')}"`)
  .replace('src="assets/app.js"', `src="assets/app.js?v=${hash('app.js')}"`);
if (!html.includes('app.js?v=') || !html.includes('app.css?v=')) throw new Error('index.html: the app.js/app.css references were not found');
writeFileSync(path.join(out, 'index.html'), html);
for (const f of ['countries-110m.json', 'countries-50m.json']) {
  copyFileSync(path.join(nm, 'world-atlas', f), path.join(out, f));
}
