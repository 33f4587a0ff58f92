// map.js - the map view: three stacked canvases (basemap and zones; vessels;
// events, the selected track and highlights), a view in Web Mercator world
// units, pan by drag, zoom by wheel or buttons, and click to pick an event or
// a vessel. Layers are redrawn only when marked dirty (view change, new data),
// at most once per animation frame, so a stream of live positions or a drag
// never queues more than one redraw. Each frame's time is recorded for the
// browser test (window.__alidade.stats).

import { lonToX, latToY, xToLon, yToLat } from './geo.js';
import { VesselLayer, CLASSES } from './vessels.js';
import { drawSymbol, kindOf } from './symbols.js';
import { toUnix } from './dom.js';

const BASE = 1, VESSELS = 2, OVERLAY = 4, ALL = 7;

export class MapView {
  constructor(root, store, basemap, stats) {
    this.root = root;
    this.store = store;
    this.basemap = basemap;
    this.stats = stats;
    this.canvases = ['base', 'vessels', 'overlay'].map((name) => {
      const c = document.createElement('canvas');
      c.className = `layer layer-${name}`;
      c.setAttribute('data-layer', name);
      root.appendChild(c);
      return c;
    });
    this.ctx = this.canvases.map((c, i) => c.getContext('2d', i === 1 ? { willReadFrequently: false } : undefined));
    this.view = { cx: 0.5, cy: 0.5, zoom: 1.5, scale: 256 * 2 ** 1.5 };
    this.layer = new VesselLayer();
    this.events = [];
    this.zones = [];
    this.track = null;
    this.selected = null; // {kind:'event', ev} or {kind:'vessel', mmsi}
    this.window = { tmin: -Infinity, tmax: Infinity };
    this.hidden = new Uint8Array(CLASSES.length);
    this.hiddenKinds = new Set();
    this.dirty = 0;
    this.raf = 0;
    this.onPick = () => {};
    this.resize();
    new ResizeObserver(() => this.resize()).observe(root);
    this.bindInput();
  }

  resize() {
    const w = Math.max(1, this.root.clientWidth), h = Math.max(1, this.root.clientHeight);
    for (const c of this.canvases) { if (c.width !== w || c.height !== h) { c.width = w; c.height = h; } }
    this.invalidate(ALL);
  }

  setZoom(z, ax, ay) {
    z = Math.max(0, Math.min(17, z));
    const w = this.canvases[0].width, h = this.canvases[0].height;
    // keep the world point under (ax, ay) where it is
    if (ax === undefined) { ax = w / 2; ay = h / 2; }
    const wx = this.view.cx + (ax - w / 2) / this.view.scale;
    const wy = this.view.cy + (ay - h / 2) / this.view.scale;
    this.view.zoom = z;
    this.view.scale = 256 * 2 ** z;
    this.view.cx = wx - (ax - w / 2) / this.view.scale;
    this.view.cy = wy - (ay - h / 2) / this.view.scale;
    this.clampView();
    this.invalidate(ALL);
  }

  panBy(dx, dy) {
    this.view.cx -= dx / this.view.scale;
    this.view.cy -= dy / this.view.scale;
    this.clampView();
    this.invalidate(ALL);
  }

  clampView() {
    const v = this.view;
    v.cx = ((v.cx % 1) + 1) % 1;
    v.cy = Math.max(0, Math.min(1, v.cy));
  }

  centerOn(lat, lon, zoom) {
    this.view.cx = lonToX(lon);
    this.view.cy = latToY(lat);
    if (zoom !== undefined) { this.view.zoom = zoom; this.view.scale = 256 * 2 ** zoom; }
    this.clampView();
    this.invalidate(ALL);
  }

  // fit a lat/lon box in the view
  fit(s, w, n, e) {
    if (!(isFinite(s) && isFinite(w) && isFinite(n) && isFinite(e))) return;
    const x0 = lonToX(w), x1 = lonToX(e), y0 = latToY(n), y1 = latToY(s);
    const W = this.canvases[0].width, H = this.canvases[0].height;
    const sx = (W * 0.85) / Math.max(1e-9, x1 - x0), sy = (H * 0.85) / Math.max(1e-9, y1 - y0);
    const z = Math.max(0, Math.min(12, Math.log2(Math.min(sx, sy) / 256)));
    this.view.cx = (x0 + x1) / 2;
    this.view.cy = (y0 + y1) / 2;
    this.view.zoom = z;
    this.view.scale = 256 * 2 ** z;
    this.clampView();
    this.invalidate(ALL);
  }

  fitData() {
    const st = this.store;
    let s = 90, n = -90, w = 180, e = -180, any = false;
    for (let i = 0; i < st.n; i++) {
      const la = st.lat[i], lo = st.lon[i];
      if (la < s) s = la; if (la > n) n = la; if (lo < w) w = lo; if (lo > e) e = lo; any = true;
    }
    for (const ev of this.events) {
      if (!ev.onMap) continue;
      if (ev.lat < s) s = ev.lat; if (ev.lat > n) n = ev.lat; if (ev.lon < w) w = ev.lon; if (ev.lon > e) e = ev.lon; any = true;
    }
    if (!any) return;
    if (n - s < 0.05) { s -= 0.05; n += 0.05; }
    if (e - w < 0.05) { w -= 0.05; e += 0.05; }
    this.fit(s, w, n, e);
  }

  // screen position of a world point (nearest world copy to the view)
  toScreen(x, y) {
    const W = this.canvases[0].width, H = this.canvases[0].height;
    let dx = x - this.view.cx;
    dx -= Math.round(dx);
    return [W / 2 + dx * this.view.scale, H / 2 + (y - this.view.cy) * this.view.scale];
  }

  toLatLon(sx, sy) {
    const W = this.canvases[0].width, H = this.canvases[0].height;
    const x = this.view.cx + (sx - W / 2) / this.view.scale;
    const y = this.view.cy + (sy - H / 2) / this.view.scale;
    return [yToLat(y), xToLon(((x % 1) + 1) % 1)];
  }

  bbox() {
    const W = this.canvases[0].width, H = this.canvases[0].height;
    const [n, w] = this.toLatLon(0, 0), [s, e] = this.toLatLon(W, H);
    return [w, s, e, n];
  }

  setEvents(list) {
    this.events = list.map((ev) => {
      const o = Object.assign({}, ev);
      o.kind = kindOf(ev);
      o.x = lonToX(+ev.lon); o.y = latToY(+ev.lat);
      if (isFinite(ev.end_lat) && isFinite(ev.end_lon) && ev.end_lat !== null && ev.end_lon !== null) {
        o.x2 = lonToX(+ev.end_lon); o.y2 = latToY(+ev.end_lat);
      }
      o.t0 = toUnix(ev.start); o.t1 = toUnix(ev.end);
      if (!isFinite(o.t1)) o.t1 = o.t0;
      // an event without a position (e.g. an invalid MMSI seen once) is
      // listed but not drawn
      o.onMap = ev.lat !== null && ev.lon !== null && isFinite(o.x) && isFinite(o.y);
      return o;
    });
    this.invalidate(OVERLAY);
  }

  addEvent(ev) {
    const cur = this.events.filter((e) => e.id !== ev.id);
    this.setEvents(cur.concat([ev]));
  }

  eventVisible(o) {
    if (this.hiddenKinds.has(o.kind)) return false;
    const t0 = isFinite(o.t0) ? o.t0 : -Infinity, t1 = isFinite(o.t1) ? o.t1 : t0;
    return t1 >= this.window.tmin && t0 <= this.window.tmax;
  }

  setZones(fc) {
    this.zones = [];
    const feats = (fc && fc.features) || [];
    for (const f of feats) {
      const g = f.geometry;
      if (!g) continue;
      const p = new Path2D();
      const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
      let lx = 0, ly = 0, cnt = 0;
      for (const poly of polys) for (const ring of poly) {
        ring.forEach(([lo, la], i) => {
          const x = lonToX(lo), y = latToY(la);
          if (i === 0) p.moveTo(x, y); else p.lineTo(x, y);
          lx += x; ly += y; cnt++;
        });
        p.closePath();
      }
      if (cnt) this.zones.push({ path: p, name: (f.properties && (f.properties.name || f.properties.id)) || 'zone', x: lx / cnt, y: ly / cnt });
    }
    this.invalidate(BASE);
  }

  setTrack(track) { this.track = track; this.invalidate(OVERLAY); }
  setSelected(sel) { this.selected = sel; this.invalidate(OVERLAY); }
  setWindow(tmin, tmax) { this.window = { tmin, tmax }; this.invalidate(VESSELS | OVERLAY); }
  dataChanged() { this.invalidate(VESSELS | OVERLAY); }

  invalidate(bits) {
    this.dirty |= bits;
    if (!this.raf) this.raf = requestAnimationFrame(() => this.frame());
  }

  frame() {
    this.raf = 0;
    if (!this.root.offsetParent) return; // hidden view: redraw when shown
    const t0 = performance.now();
    const d = this.dirty;
    this.dirty = 0;
    const lt = this.stats.layer_ms;
    if (d & BASE) this.drawBase();
    const t1 = performance.now();
    if (d & VESSELS) {
      this.stats.vessels_drawn = this.layer.draw(this.ctx[1], this.store, this.view, this.window.tmin, this.window.tmax, this.hidden);
      this.root.setAttribute('data-vessels-drawn', this.stats.vessels_drawn);
    }
    const t2 = performance.now();
    if (d & OVERLAY) this.drawOverlay();
    const ms = performance.now() - t0;
    lt.base.push(t1 - t0); lt.vessels.push(t2 - t1); lt.overlay.push(t0 + ms - t2);
    for (const a of Object.values(lt)) if (a.length > 2000) a.splice(0, 1000);
    this.stats.frame_seq++;
    this.stats.last_frame_ms = ms;
    this.stats.frames.push(ms);
    if (this.stats.frames.length > 2000) this.stats.frames.splice(0, 1000);
    this.stats.vessels_total = this.store.n;
    this.root.setAttribute('data-frame-seq', this.stats.frame_seq);
  }

  show() { this.resize(); }

  worldTransform(ctx, k) {
    const W = ctx.canvas.width, H = ctx.canvas.height, S = this.view.scale;
    ctx.setTransform(S, 0, 0, S, W / 2 - (this.view.cx - k) * S, H / 2 - this.view.cy * S);
  }

  copies() {
    const W = this.canvases[0].width, S = this.view.scale;
    const out = [];
    for (let k = Math.floor(this.view.cx - W / 2 / S); k <= Math.floor(this.view.cx + W / 2 / S); k++) out.push(k);
    return out;
  }

  drawBase() {
    const ctx = this.ctx[0], W = ctx.canvas.width, H = ctx.canvas.height;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#0b1722';
    ctx.fillRect(0, 0, W, H);
    const paths = this.basemap.paths(this.view.zoom);
    const S = this.view.scale;
    for (const k of this.copies()) {
      this.worldTransform(ctx, k);
      if (paths) {
        ctx.fillStyle = '#24323b';
        ctx.fill(paths.land);
        ctx.lineWidth = 0.8 / S;
        ctx.strokeStyle = '#4f6370';
        ctx.stroke(paths.borders);
      }
      for (const z of this.zones) {
        ctx.fillStyle = 'rgba(255,82,82,0.10)';
        ctx.fill(z.path);
        ctx.lineWidth = 1.5 / S;
        ctx.setLineDash([6 / S, 4 / S]);
        ctx.strokeStyle = 'rgba(255,110,110,0.9)';
        ctx.stroke(z.path);
        ctx.setLineDash([]);
      }
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = 'rgba(255,150,150,0.95)';
    ctx.font = '12px sans-serif';
    for (const z of this.zones) {
      const [sx, sy] = this.toScreen(z.x, z.y);
      if (sx > -100 && sx < W + 100 && sy > -20 && sy < H + 20) ctx.fillText(z.name, sx + 4, sy);
    }
  }

  drawOverlay() {
    const ctx = this.ctx[2], W = ctx.canvas.width, H = ctx.canvas.height;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, W, H);
    // the selected vessel's track
    if (this.track && this.track.length > 1) {
      ctx.beginPath();
      this.track.forEach((p, i) => {
        const [sx, sy] = this.toScreen(lonToX(p[2]), latToY(p[1]));
        if (i === 0) ctx.moveTo(sx, sy); else ctx.lineTo(sx, sy);
      });
      ctx.lineWidth = 2;
      ctx.strokeStyle = 'rgba(255,255,255,0.85)';
      ctx.stroke();
      for (const p of [this.track[0], this.track[this.track.length - 1]]) {
        const [sx, sy] = this.toScreen(lonToX(p[2]), latToY(p[1]));
        ctx.beginPath(); ctx.arc(sx, sy, 3, 0, Math.PI * 2); ctx.fillStyle = '#fff'; ctx.fill();
      }
    }
    // events: gaps first draw their dark stretch (dashed, start -> end)
    let drawn = 0;
    const sel = this.selected && this.selected.kind === 'event' ? this.selected.ev.id : null;
    for (const o of this.events) {
      if (!o.onMap || !this.eventVisible(o) || o.x2 === undefined || o.kind !== 'gap') continue;
      const [ax, ay] = this.toScreen(o.x, o.y), [bx, by] = this.toScreen(o.x2, o.y2);
      ctx.beginPath(); ctx.setLineDash([7, 5]); ctx.moveTo(ax, ay); ctx.lineTo(bx, by);
      ctx.lineWidth = o.id === sel ? 3 : 1.8; ctx.strokeStyle = '#b388ff'; ctx.stroke(); ctx.setLineDash([]);
      ctx.beginPath(); ctx.rect(bx - 4, by - 4, 8, 8); ctx.fillStyle = 'rgba(5,8,12,0.8)'; ctx.fill(); ctx.stroke();
    }
    for (const o of this.events) {
      if (!o.onMap || !this.eventVisible(o)) continue;
      const [sx, sy] = this.toScreen(o.x, o.y);
      if (sx < -20 || sy < -20 || sx > W + 20 || sy > H + 20) continue;
      drawSymbol(ctx, o.kind, sx, sy, 7, o.id === sel);
      drawn++;
    }
    this.stats.events_drawn = drawn;
    this.root.setAttribute('data-events-drawn', drawn);
    if (this.selected && this.selected.kind === 'vessel') {
      const i = this.store.index.get(this.selected.mmsi);
      if (i !== undefined) {
        const [sx, sy] = this.toScreen(this.store.x[i], this.store.y[i]);
        ctx.beginPath(); ctx.arc(sx, sy, 11, 0, Math.PI * 2);
        ctx.lineWidth = 2; ctx.strokeStyle = '#ffffff'; ctx.stroke();
      }
    }
  }

  // the event or vessel under a screen point (events win: they are fewer
  // and what the analyst is after)
  pick(sx, sy) {
    let best = null, bd = 11 * 11;
    for (const o of this.events) {
      if (!o.onMap || !this.eventVisible(o)) continue;
      for (const [x, y] of o.x2 !== undefined && o.kind === 'gap' ? [[o.x, o.y], [o.x2, o.y2]] : [[o.x, o.y]]) {
        const [px, py] = this.toScreen(x, y);
        const d = (px - sx) ** 2 + (py - sy) ** 2;
        if (d < bd) { bd = d; best = { kind: 'event', ev: o }; }
      }
    }
    if (best) return best;
    bd = 9 * 9;
    const st = this.store, W = this.canvases[0].width, H = this.canvases[0].height, S = this.view.scale;
    const oy = H / 2 - this.view.cy * S;
    let bi = -1;
    for (const k of this.copies()) {
      const ox = W / 2 - (this.view.cx - k) * S;
      for (let i = 0; i < st.n; i++) {
        const t = st.t[i];
        if (t < this.window.tmin || t > this.window.tmax || this.hidden[st.cls[i]]) continue;
        const d = (st.x[i] * S + ox - sx) ** 2 + (st.y[i] * S + oy - sy) ** 2;
        if (d < bd) { bd = d; bi = i; }
      }
    }
    return bi >= 0 ? { kind: 'vessel', mmsi: st.mmsi[bi] } : null;
  }

  bindInput() {
    const el = this.canvases[2];
    // keyboard: arrows pan, + and - zoom (the map is focusable)
    this.root.tabIndex = 0;
    this.root.addEventListener('keydown', (e) => {
      const step = 80;
      const k = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[e.key];
      if (k) { this.panBy(k[0], k[1]); e.preventDefault(); }
      else if (e.key === '+' || e.key === '=') { this.setZoom(this.view.zoom + 0.5); e.preventDefault(); }
      else if (e.key === '-') { this.setZoom(this.view.zoom - 0.5); e.preventDefault(); }
    });
    let drag = null;
    el.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, moved: 0 };
      el.setPointerCapture(e.pointerId);
    });
    // hover: what is under the pointer, at most once per frame
    const tip = document.createElement('div');
    tip.className = 'tooltip';
    tip.hidden = true;
    this.root.appendChild(tip);
    let hoverAt = null, hoverRaf = 0;
    const hover = () => {
      hoverRaf = 0;
      if (!hoverAt || drag) { tip.hidden = true; return; }
      const [x, y] = hoverAt;
      const p = this.pick(x, y);
      el.style.cursor = p ? 'pointer' : '';
      if (!p) { tip.hidden = true; return; }
      tip.textContent = this.describe ? this.describe(p) : '';
      tip.style.left = `${x + 14}px`;
      tip.style.top = `${y + 10}px`;
      tip.hidden = !tip.textContent;
    };
    el.addEventListener('pointerleave', () => { hoverAt = null; tip.hidden = true; });
    el.addEventListener('pointermove', (e) => {
      const r = el.getBoundingClientRect();
      const [lat, lon] = this.toLatLon(e.clientX - r.left, e.clientY - r.top);
      this.onPointer && this.onPointer(lat, lon);
      hoverAt = [e.clientX - r.left, e.clientY - r.top];
      if (!hoverRaf) hoverRaf = requestAnimationFrame(hover);
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      drag.moved += Math.abs(dx) + Math.abs(dy);
      drag.x = e.clientX; drag.y = e.clientY;
      if (drag.moved > 3) this.panBy(dx, dy);
    });
    el.addEventListener('pointerup', (e) => {
      const d = drag;
      drag = null;
      if (d && d.moved <= 3) {
        const r = el.getBoundingClientRect();
        this.onPick(this.pick(e.clientX - r.left, e.clientY - r.top));
      }
    });
    el.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      this.setZoom(this.view.zoom - Math.sign(e.deltaY) * 0.5, e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
  }
}
