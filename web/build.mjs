// build.mjs - bundles the dashboard for embedding in the alidade binary.
//   node build.mjs OUTDIR [NODE_MODULES]
// writes OUTDIR/{index.html, app.js, app.css, countries-110m.json,
// countries-50m.json}. NODE_MODULES is where `npm ci` put the packages (the
// meson build installs them in the build folder, offline from the npm cache).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
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
copyFileSync(path.join(here, 'index.html'), path.join(out, 'index.html'));
for (const f of ['countries-110m.json', 'countries-50m.json']) {
  copyFileSync(path.join(nm, 'world-atlas', f), path.join(out, f));
}
