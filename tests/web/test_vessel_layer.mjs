// test_vessel_layer.mjs - the vessel layer's incremental redraw (web/src/
// vessels.js) in node, no browser: after any sequence of whole-pixel pans,
// the shifted-and-patched pixels must equal a full redraw of the same view,
// at every mark size, with vessels across the edges and a hidden class;
// a change of zoom, time window or data must redraw in full.

import { VesselStore, VesselLayer } from '../../web/src/vessels.js';

let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok' : 'FAIL'} - ${what}`);
}

const W = 480, H = 360;
const canvas = () => ({ canvas: { width: W, height: H },
  createImageData: (w, h) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }),
  putImageData() {} });
let seed = 7;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
const store = new VesselStore();
for (let i = 0; i < 20000; i++) {
  store.upsert(i + 1, 40 + 20 * rnd(), -30 + 18 * rnd(), rnd() * 360, 5,
    rnd() < 0.1 ? null : Math.floor(rnd() * 360), [30, 70, 80, 0, 60][i % 5], 1000 + i);
}

function full(view, tmin, tmax, hidden) {
  const l = new VesselLayer();
  const n = l.draw(canvas(), store, view, tmin, tmax, hidden);
  return { buf: l.buf, n };
}
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

for (const zoom of [3.5, 5.5, 8]) {
  const S = 256 * 2 ** zoom;
  const view = { cx: (-21 + 180) / 360, cy: 0.33, zoom, scale: S };
  const hidden = new Uint8Array(10);
  hidden[7] = 1; // cargo hidden
  const layer = new VesselLayer(), c = canvas();
  layer.draw(c, store, view, -Infinity, Infinity, hidden);
  let bad = 0;
  for (const [dx, dy] of [[6, 3], [-6, -3], [0, 5], [17, 0], [-40, 22], [3, -1], [-200, 100], [1, 1], [0, -150]]) {
    view.cx -= dx / S;
    view.cy -= dy / S;
    const n = layer.draw(c, store, view, -Infinity, Infinity, hidden);
    const f = full(view, -Infinity, Infinity, hidden);
    if (!same(layer.buf, f.buf) || n !== f.n) bad++;
  }
  check(bad === 0, `zoom ${zoom}: 9 pans redrawn incrementally equal full redraws`);
  // a new time window (or zoom, or data) is a full redraw
  const n = layer.draw(c, store, view, 5000, Infinity, hidden);
  const f = full(view, 5000, Infinity, hidden);
  check(same(layer.buf, f.buf) && n === f.n && n > 0, `zoom ${zoom}: a narrower time window redraws in full`);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
