// vessels.js - the latest position of every vessel, in columns (typed
// arrays), and the layer that draws them. 100,000 vessels must redraw in a
// few milliseconds, even in a browser without a GPU, so vessels are not
// canvas paths: each one is a small pre-rasterised mark (a triangle pointing
// to the heading, one mask per 10 degrees, dark outline for contrast) written
// straight into the layer's pixel buffer, colour by vessel type. The masks'
// pixel offsets are precomputed for the canvas width, so drawing a vessel is
// a dozen array stores.

import { lonToX, latToY } from './geo.js';

// AIS ship type (ITU-R M.1371 table 53) -> class shown on the map
export const CLASSES = [
  { key: 'fishing', label: 'Fishing (30)', color: '#ff8c1a' },
  { key: 'towing', label: 'Towing (31-32)', color: '#c49a6c' },
  { key: 'military', label: 'Military (35)', color: '#9ccc65' },
  { key: 'pleasure', label: 'Pleasure (36-37)', color: '#f06bd8' },
  { key: 'highspeed', label: 'High speed (40-49)', color: '#ffe14d' },
  { key: 'special', label: 'SAR/tug/pilot (50-59)', color: '#26c6da' },
  { key: 'passenger', label: 'Passenger (60-69)', color: '#5c8dff' },
  { key: 'cargo', label: 'Cargo (70-79)', color: '#35d07f' },
  { key: 'tanker', label: 'Tanker (80-89)', color: '#ff4d4d' },
  { key: 'other', label: 'Other / unknown', color: '#b8c4cc' },
];

export function typeClass(t) {
  t = t | 0;
  if (t === 30) return 0;
  if (t === 31 || t === 32) return 1;
  if (t === 35) return 2;
  if (t === 36 || t === 37) return 3;
  if (t >= 40 && t <= 49) return 4;
  if (t >= 50 && t <= 59) return 5;
  if (t >= 60 && t <= 69) return 6;
  if (t >= 70 && t <= 79) return 7;
  if (t >= 80 && t <= 89) return 8;
  return 9;
}

const NO_HEADING = 36;

function headingBucket(heading, cog) {
  let h = heading;
  if (h === null || h === undefined || !(h >= 0 && h < 360)) h = cog;
  if (h === null || h === undefined || !(h >= 0 && h < 360)) return NO_HEADING;
  return Math.round(h / 10) % 36;
}

export class VesselStore {
  constructor() {
    this.n = 0;
    this.cap = 0;
    this.index = new Map();
    this.version = 0;
    this.grow(1024);
  }

  grow(cap) {
    const old = this;
    const mk = (T, name) => { const a = new T(cap); if (old[name]) a.set(old[name].subarray(0, this.n)); return a; };
    this.mmsi = mk(Uint32Array, 'mmsi');
    this.x = mk(Float64Array, 'x');
    this.y = mk(Float64Array, 'y');
    this.lat = mk(Float32Array, 'lat');
    this.lon = mk(Float32Array, 'lon');
    this.cog = mk(Float32Array, 'cog');
    this.sog = mk(Float32Array, 'sog');
    this.heading = mk(Int16Array, 'heading');
    this.type = mk(Uint8Array, 'type');
    this.cls = mk(Uint8Array, 'cls');
    this.hb = mk(Uint8Array, 'hb');
    this.t = mk(Float64Array, 't');
    this.cap = cap;
  }

  clear() { this.n = 0; this.index.clear(); this.version++; }

  // one vessel's latest position; an older report than the one held is ignored
  upsert(mmsi, lat, lon, cog, sog, heading, type, t) {
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return -1;
    let i = this.index.get(mmsi);
    if (i === undefined) {
      if (this.n === this.cap) this.grow(this.cap * 2);
      i = this.n++;
      this.index.set(mmsi, i);
      this.mmsi[i] = mmsi;
      this.type[i] = 0;
      this.t[i] = -Infinity;
    } else if (t < this.t[i]) {
      return i;
    }
    this.lat[i] = lat; this.lon[i] = lon;
    this.x[i] = lonToX(lon); this.y[i] = latToY(lat);
    this.cog[i] = cog ?? NaN; this.sog[i] = sog ?? NaN;
    this.heading[i] = heading === null || heading === undefined || !(heading < 360) ? -1 : heading;
    if (type) this.type[i] = type;
    this.cls[i] = typeClass(this.type[i]);
    this.hb[i] = headingBucket(heading, cog);
    this.t[i] = t;
    this.version++;
    return i;
  }

  // the columnar answer of GET /api/vessels
  loadColumns(d) {
    this.clear();
    const m = d.mmsi || [];
    if (this.cap < m.length) this.grow(Math.max(1024, m.length));
    const col = (name) => d[name] || [];
    const lat = col('lat'), lon = col('lon'), cog = col('cog'), sog = col('sog'),
      hd = col('heading'), ty = col('type'), t = col('t');
    for (let k = 0; k < m.length; k++) {
      this.upsert(m[k], lat[k], lon[k], cog[k], sog[k], hd[k], ty[k], t[k] ?? 0);
    }
    this.version++;
  }

  get(mmsi) {
    const i = this.index.get(mmsi);
    if (i === undefined) return null;
    return {
      mmsi, lat: this.lat[i], lon: this.lon[i], cog: this.cog[i], sog: this.sog[i],
      heading: this.heading[i] < 0 ? null : this.heading[i], type: this.type[i], t: this.t[i],
    };
  }
}

// masks: for each heading bucket (and one without heading) the body and the
// outline pixels of a vessel mark of radius r, as [dx, dy] pairs
function rasterise(r) {
  const masks = [];
  for (let b = 0; b <= NO_HEADING; b++) {
    const inside = new Set();
    const R = Math.ceil(r) + 1;
    let test;
    if (b === NO_HEADING) {
      const s = Math.max(1, Math.round(r * 0.55));
      test = (x, y) => Math.abs(x) <= s && Math.abs(y) <= s;
    } else {
      const a = (b * 10 * Math.PI) / 180; // clockwise from north
      const pt = (ang, d) => [Math.sin(ang) * d, -Math.cos(ang) * d];
      const p0 = pt(a, r), p1 = pt(a + 2.45, r * 0.85), p2 = pt(a - 2.45, r * 0.85);
      const sgn = (p, q, s) => (p[0] - s[0]) * (q[1] - s[1]) - (q[0] - s[0]) * (p[1] - s[1]);
      test = (x, y) => {
        const p = [x, y];
        const d1 = sgn(p, p0, p1), d2 = sgn(p, p1, p2), d3 = sgn(p, p2, p0);
        const neg = d1 < 0 || d2 < 0 || d3 < 0, pos = d1 > 0 || d2 > 0 || d3 > 0;
        return !(neg && pos);
      };
    }
    const body = [];
    for (let y = -R; y <= R; y++) for (let x = -R; x <= R; x++) {
      if (test(x, y)) { body.push([x, y]); inside.add(`${x},${y}`); }
    }
    if (body.length === 0) { body.push([0, 0]); inside.add('0,0'); }
    const outline = [];
    for (let y = -R - 1; y <= R + 1; y++) for (let x = -R - 1; x <= R + 1; x++) {
      if (inside.has(`${x},${y}`)) continue;
      if (inside.has(`${x - 1},${y}`) || inside.has(`${x + 1},${y}`) || inside.has(`${x},${y - 1}`) || inside.has(`${x},${y + 1}`)) outline.push([x, y]);
    }
    masks.push({ body, outline });
  }
  return { r: Math.ceil(r) + 2, masks };
}

function rgba32(hex, alpha = 255) {
  const v = parseInt(hex.slice(1), 16);
  // ImageData is RGBA in memory; a little-endian Uint32 holds ABGR
  return ((alpha << 24) | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff)) >>> 0;
}

export class VesselLayer {
  constructor() {
    this.sizes = [rasterise(2.6), rasterise(4.2), rasterise(6)];
    this.colors = new Uint32Array(CLASSES.map((c) => rgba32(c.color)));
    this.outline = rgba32('#05080c', 230);
    this.width = -1;
    this.img = null;
  }

  // linear offsets of every mask for a buffer of this width, flattened per
  // size: bucket b's outline is offs[os[b]..ob[b]), its body offs[ob[b]..oe[b])
  // (one typed array and no object look-up per vessel in the hot loop)
  prepare(ctx, w, h) {
    if (this.img && this.img.width === w && this.img.height === h) return;
    this.img = ctx.createImageData(w, h);
    this.buf = new Uint32Array(this.img.data.buffer);
    this.width = w;
    this.lin = this.sizes.map((s) => {
      const nb = s.masks.length;
      const os = new Int32Array(nb), ob = new Int32Array(nb), oe = new Int32Array(nb);
      const all = [];
      s.masks.forEach((m, b) => {
        os[b] = all.length;
        for (const [x, y] of m.outline) all.push(y * w + x);
        ob[b] = all.length;
        for (const [x, y] of m.body) all.push(y * w + x);
        oe[b] = all.length;
      });
      return { offs: Int32Array.from(all), os, ob, oe, masks: s.masks };
    });
  }

  // draw the vessels whose last report is within [tmin, tmax] and whose
  // class is not hidden; returns how many were drawn. When only the view
  // moved by whole pixels since the last call (a drag), the pixels drawn
  // last time are shifted and only the uncovered strips are drawn.
  draw(ctx, store, view, tmin, tmax, hidden) {
    const w = ctx.canvas.width, h = ctx.canvas.height;
    this.prepare(ctx, w, h);
    const S = view.scale;
    // marks grow with the zoom, and a step more when the vessels are few
    const size = Math.min(2, (view.zoom < 4 ? 0 : view.zoom < 7 ? 1 : 2) + (store.n < 5000 ? 1 : 0));
    const key = `${w}x${h} ${S} ${size} ${tmin} ${tmax} ${hidden.join('')} ${store.version} ${store.n}`;
    const last = this.last;
    this.last = { key, cx: view.cx, cy: view.cy };
    if (last && last.key === key) {
      const fx = (last.cx - view.cx) * S, fy = (last.cy - view.cy) * S;
      const ix = Math.round(fx), iy = Math.round(fy);
      if (Math.abs(fx - ix) < 1e-6 && Math.abs(fy - iy) < 1e-6 && Math.abs(ix) < w / 2 && Math.abs(iy) < h / 2) {
        if (ix === 0 && iy === 0) return this.drawn;
        this.shift(ix, iy, w, h);
        // the strips the shift uncovered: columns [x0, x1), rows [y0, y1)
        const x0 = ix > 0 ? 0 : w + ix, x1 = ix > 0 ? ix : w;
        const y0 = iy > 0 ? 0 : h + iy, y1 = iy > 0 ? iy : h;
        this.drawn = this.pass(store, view, tmin, tmax, hidden, size, w, h,
          ix !== 0 ? x0 : 0, ix !== 0 ? x1 : 0, iy !== 0 ? y0 : 0, iy !== 0 ? y1 : 0);
        ctx.putImageData(this.img, 0, 0);
        return this.drawn;
      }
    }
    this.buf.fill(0);
    this.drawn = this.pass(store, view, tmin, tmax, hidden, size, w, h, -1, -1, -1, -1);
    ctx.putImageData(this.img, 0, 0);
    return this.drawn;
  }

  // moves the buffer's pixels by (dx, dy) and clears what was uncovered
  // (a row-major shift by dy*w+dx: what wraps from one row to the next
  // lands in the uncovered columns, cleared here too)
  shift(dx, dy, w, h) {
    const buf = this.buf, d = dy * w + dx, n = w * h;
    if (d > 0) buf.copyWithin(d, 0, n - d); else buf.copyWithin(0, -d, n);
    if (dy > 0) buf.fill(0, 0, dy * w); else if (dy < 0) buf.fill(0, (h + dy) * w, n);
    if (dx !== 0) {
      const c0 = dx > 0 ? 0 : w + dx, c1 = dx > 0 ? dx : w;
      for (let y = 0; y < h; y++) buf.fill(0, y * w + c0, y * w + c1);
    }
  }

  // one pass over the vessels; counts those in view and draws them all
  // (x0 < 0) or only their pixels in columns [x0, x1) or rows [y0, y1)
  pass(store, view, tmin, tmax, hidden, size, w, h, x0, x1, y0, y1) {
    const buf = this.buf;
    const all = x0 < 0;
    const S = view.scale;
    const lin = this.lin[size];
    const R = this.sizes[size].r;
    const oy = h / 2 - view.cy * S;
    const n = store.n, X = store.x, Y = store.y, T = store.t, C = store.cls, HB = store.hb;
    const colors = this.colors, outline = this.outline;
    const offs = lin.offs, os = lin.os, ob = lin.ob, oe = lin.oe;
    let drawn = 0;
    // world copies visible across the antimeridian
    const k0 = Math.floor(view.cx - w / 2 / S), k1 = Math.floor(view.cx + w / 2 / S);
    for (let k = k0; k <= k1; k++) {
      const ox = w / 2 - (view.cx - k) * S;
      for (let i = 0; i < n; i++) {
        const t = T[i];
        if (t < tmin || t > tmax) continue;
        const c = C[i];
        if (hidden[c]) continue;
        // floor (not truncation toward zero, which would not commute with
        // a shift for marks left of or above the edge), cheaply: offset by
        // 2^30 into positive int32 range, |0, offset back
        const sx = ((X[i] * S + ox + 1073741824) | 0) - 1073741824;
        const sy = ((Y[i] * S + oy + 1073741824) | 0) - 1073741824;
        if (sx < -R || sy < -R || sx >= w + R || sy >= h + R) continue;
        drawn++;
        const b = HB[i];
        const col = colors[c];
        if (all && sx >= R && sy >= R && sx < w - R && sy < h - R) {
          const base = sy * w + sx;
          let j = os[b];
          const jb = ob[b], je = oe[b];
          for (; j < jb; j++) buf[base + offs[j]] = outline;
          for (; j < je; j++) buf[base + offs[j]] = col;
          continue;
        }
        // near an edge, or only the uncovered strips: pixel by pixel
        if (!all && !(sx + R >= x0 && sx - R < x1) && !(sy + R >= y0 && sy - R < y1)) continue;
        const m = lin.masks[b];
        for (let pass = 0; pass < 2; pass++) {
          const pts = pass === 0 ? m.outline : m.body, v = pass === 0 ? outline : col;
          for (let q = 0; q < pts.length; q++) {
            const px = sx + pts[q][0], py = sy + pts[q][1];
            if (px < 0 || py < 0 || px >= w || py >= h) continue;
            if (!all && !(px >= x0 && px < x1) && !(py >= y0 && py < y1)) continue;
            buf[py * w + px] = v;
          }
        }
      }
    }
    return drawn;
  }
}
