// main.js - the dashboard's entry point: login (when /api/me says 401), the
// three views (map, cyber, sharing), the time window, live mode, the picture
// at an earlier time (time slider, /api/vessels?at=), and the
// hooks the browser test reads (window.__alidade).

import { api, qs, setCsrf, setUnauthorizedHandler } from './api.js';
import { h, clear, $, fmtTime, fmtDuration, toUnix } from './dom.js';
import { marking, tlpBadge } from './tlp.js';
import { Basemap } from './basemap.js';
import { VesselStore, CLASSES } from './vessels.js';
import { MapView } from './map.js';
import { EVENT_KINDS, drawSymbol, kindOf } from './symbols.js';
import { CyberView } from './cyber.js';
import { SharingView } from './sharing.js';
import { Live } from './live.js';
import { lonToX, latToY } from './geo.js';

const stats = {
  vessels_total: 0, vessels_drawn: 0, events_drawn: 0, events_total: 0,
  frame_seq: 0, last_frame_ms: 0, frames: [], layer_ms: { base: [], vessels: [], overlay: [] }, live_positions: 0, live_events: 0,
  last_live_mmsi: null, vessels_status: 'not loaded', events_status: 'not loaded',
  // the time slider: null when live (latest positions), else the unix time
  // the vessels on the map are from (/api/vessels?at=), and its requests
  viewing_at: null, at_requests: 0, at_loaded: null,
  // the node's stored history: the oldest time it can show (unix seconds,
  // null without one: the slider then spans what the picture holds), and
  // how many vessels of the last ?at= answer came from it
  history_from: null, at_from_store: null,
};

const store = new VesselStore();
// ids of events that arrived live, with when: marked "new" in the list for a minute
const liveSeen = new Map();
let map = null;
let started = false;
let eventsAll = [];
const cyber = new CyberView();
const sharing = new SharingView((node) => {
  $('#node-title').textContent = node.title || node.identity || '';
});
const live = new Live({
  position: (p) => {
    if (store.upsert(+p.mmsi, +p.lat, +p.lon, p.cog, p.sog, p.heading, p.type, toUnix(p.t) || Date.now() / 1000) < 0) return;
    stats.live_positions++;
    stats.last_live_mmsi = +p.mmsi;
    extendRange(toUnix(p.t));
    map.dataChanged();
    scheduleCounts();
  },
  event: (ev) => {
    stats.live_events++;
    liveSeen.set(ev.id, Date.now());
    eventsAll = eventsAll.filter((e) => e.id !== ev.id).concat([ev]);
    map.addEvent(ev);
    extendRange(toUnix(ev.end || ev.start));
    scheduleList();
  },
  sighting: (s) => cyber.addSighting(s),
  sync: (p) => sharing.updatePartner(p),
}, document.getElementById('live-status'));

// ---- login -----------------------------------------------------------------

function showLogin(message) {
  live.stop();
  $('#boot').hidden = true;
  $('#app').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message || '';
  $('#login-user').focus();
}

setUnauthorizedHandler(() => { if (!$('#app').hidden) showLogin('Session ended: log in again.'); });

$('#login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const btn = $('#login-submit');
  btn.disabled = true;
  const r = await api('/api/login', { method: 'POST', noAuthHook: true,
    body: { user: $('#login-user').value, password: $('#login-password').value } });
  btn.disabled = false;
  if (!r.ok) {
    $('#login-error').textContent = r.status === 401 ? 'Wrong user or password.' : `Login failed: ${r.error}`;
    return;
  }
  $('#login-password').value = '';
  start(r.data || {});
});

$('#logout').addEventListener('click', async () => {
  await api('/api/logout', { method: 'POST', noAuthHook: true });
  setCsrf('');
  showLogin('Logged out.');
});

async function boot() {
  const r = await api('/api/me', { noAuthHook: true });
  if (r.ok && r.data) start(r.data);
  else if (r.status === 401) showLogin('');
  else showLogin(`The node's dashboard API did not answer (${r.error}).`);
}

// ---- app -------------------------------------------------------------------

function start(me) {
  setCsrf(me.csrf);
  $('#whoami').textContent = me.user ? `operator ${me.user}` : '';
  $('#boot').hidden = true;
  $('#login').hidden = true;
  $('#app').hidden = false;
  if (!started) {
    started = true;
    map = new MapView($('#map'), store, new Basemap(() => map.invalidate(7)), stats);
    map.onPick = pick;
    map.describe = (p) => {
      if (p.kind === 'event') {
        const e = p.ev;
        return `${(EVENT_KINDS[kindOf(e)] || EVENT_KINDS.other).label} · MMSI ${e.mmsi ?? '?'} · ${fmtTime(e.start)}`;
      }
      const i = store.index.get(p.mmsi);
      if (i === undefined) return '';
      const sog = store.sog[i];
      return `MMSI ${p.mmsi} · ${CLASSES[store.cls[i]].label}${isFinite(sog) ? ` · ${sog.toFixed(1)} kn` : ''} · ${fmtTime(store.t[i])}`;
    };
    map.onPointer = (lat, lon) => { $('#map-status').textContent = `${lat.toFixed(4)}, ${lon.toFixed(4)}`; };
    bindToolbar();
    legend();
  }
  showView('map');
  loadMapData();
  sharing.load();
  if ($('#live-toggle').checked) live.start();
}

function showView(name) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.view === name);
  for (const v of ['map', 'cyber', 'sharing']) $(`#view-${v}`).hidden = v !== name;
  document.body.setAttribute('data-view', name);
  if (name === 'map') map.show();
  if (name === 'cyber') cyber.load();
  if (name === 'sharing') sharing.load();
}

async function loadMapData() {
  const [v, e, z] = await Promise.all([
    api('/api/vessels' + qs({ limit: 200000 })),
    api('/api/events' + qs({ limit: 10000 })),
    api('/api/zones'),
  ]);
  loadVessels(v);
  if (e.ok && e.data) {
    eventsAll = e.data.events || [];
    stats.events_status = e.data.truncated ? 'truncated by the node' : 'ok';
  } else { eventsAll = []; stats.events_status = `not available (${e.error})`; }
  map.setEvents(eventsAll);
  if (z.ok && z.data) map.setZones(z.data);
  resetRange();
  map.fitData();
  applyWindow();
  renderList();
}

function loadVessels(v) {
  if (v.ok && v.data) {
    store.loadColumns(v.data);
    if (v.data.history_from) stats.history_from = v.data.history_from;
    stats.vessels_status = v.data.truncated ? 'truncated by the node' : 'ok';
  } else stats.vessels_status = `not available (${v.error})`;
}

// ---- time window -------------------------------------------------------------

const range = { t0: Infinity, t1: -Infinity };

function resetRange() {
  range.t0 = Infinity; range.t1 = -Infinity;
  for (let i = 0; i < store.n; i++) extendRange(store.t[i], true);
  for (const ev of eventsAll) { extendRange(toUnix(ev.start), true); extendRange(toUnix(ev.end), true); }
  // the slider reaches back over the node's stored history (its window,
  // --history-days), not only the short tracks the picture holds
  if (stats.history_from) extendRange(stats.history_from, true);
}

function extendRange(t, quiet) {
  if (!isFinite(t) || t <= 0) return;
  if (t < range.t0) range.t0 = t;
  if (t > range.t1) { range.t1 = t; if (!quiet && $('#live-toggle').checked) applyWindow(); }
}

function currentWindow() {
  const w = +$('#time-window').value;
  const follow = $('#live-toggle').checked;
  let end = range.t1;
  if (!follow && isFinite(range.t0) && isFinite(range.t1)) end = range.t0 + ((range.t1 - range.t0) * +$('#time-end').value) / 1000;
  const tmax = follow ? Infinity : end;
  const tmin = w > 0 && isFinite(end) ? end - w : -Infinity;
  return { tmin, tmax, end, w };
}

// the node answers at most `limit` events: when it said the list was cut,
// ask again for the window only (debounced while the slider moves)
let windowFetch = 0;
function refetchEventsForWindow(tmin, tmax) {
  clearTimeout(windowFetch);
  windowFetch = setTimeout(async () => {
    const r = await api('/api/events' + qs({ limit: 10000, since: isFinite(tmin) ? Math.floor(tmin) : '', until: isFinite(tmax) ? Math.ceil(tmax) : '' }));
    if (!r.ok || !r.data) return;
    const byId = new Map(eventsAll.map((e) => [e.id, e]));
    for (const e of r.data.events || []) byId.set(e.id, e);
    eventsAll = [...byId.values()];
    map.setEvents(eventsAll);
    scheduleList();
  }, 300);
}

function applyWindow() {
  if (!map) return;
  const { tmin, tmax, end, w } = currentWindow();
  if (stats.events_status === 'truncated by the node') refetchEventsForWindow(tmin, tmax);
  map.setWindow(tmin, tmax);
  if (!$('#live-toggle').checked && isFinite(end)) requestAt(end);
  const label = !isFinite(end) ? 'no data' :
    `${w > 0 ? fmtTime(end - w) : 'start'} → ${$('#live-toggle').checked ? 'latest' : fmtTime(end)}`;
  $('#time-label').textContent = label;
  scheduleCounts();
  scheduleList();
}

// ---- the picture at an earlier time (time slider away from live) ------------------
//
// Leaving live mode shows the vessels as they were at the end of the window:
// /api/vessels?at= (each vessel's last known point then). While the slider is
// dragged, one request is in flight at most and they start at most every
// AT_EVERY_MS; the last position of the slider is always asked for when the
// one in flight comes back.

const AT_EVERY_MS = 150;
const atReq = { inflight: false, want: null, asked: null, last: 0, timer: 0 };

function requestAt(t) {
  t = Math.floor(t);
  stats.viewing_at = t;
  showViewing(t);
  atReq.want = t;
  pumpAt();
}

function pumpAt() {
  if (atReq.inflight || atReq.want === null || atReq.want === atReq.asked) return;
  const wait = atReq.last + AT_EVERY_MS - performance.now();
  if (wait > 0) {
    clearTimeout(atReq.timer);
    atReq.timer = setTimeout(pumpAt, wait);
    return;
  }
  const t = atReq.want;
  atReq.inflight = true;
  atReq.asked = t;
  atReq.last = performance.now();
  stats.at_requests++;
  api('/api/vessels' + qs({ limit: 200000, at: t })).then((v) => {
    atReq.inflight = false;
    // back to live meanwhile: the answer is old news
    if (stats.viewing_at === null) return;
    if (v.ok && v.data) {
      loadVessels(v);
      stats.at_loaded = t;
      stats.at_from_store = v.data.from_store ?? null;
      map.dataChanged();
      scheduleCounts();
    } else stats.vessels_status = `not available (${v.error})`;
    pumpAt();
  });
}

// the "viewing HH:MM UTC (not live)" note and the "back to live" button,
// made once next to the time label
function viewingBox() {
  let box = $('#time-viewing');
  if (box) return box;
  box = h('span', { id: 'time-viewing', class: 'viewing', hidden: true },
    h('span', { id: 'time-viewing-text', class: 'mono' }),
    ' ',
    h('button', { id: 'back-live', type: 'button', title: 'show the latest positions and follow the live stream', onclick: backToLive }, 'back to live'));
  box.style.cssText = 'background:#7a4b00;color:#fff;padding:1px 6px;border-radius:3px;white-space:nowrap';
  $('#time-label').after(box);
  return box;
}

function showViewing(t) {
  const box = viewingBox();
  if (t === null) { box.hidden = true; document.body.removeAttribute('data-viewing-at'); return; }
  box.hidden = false;
  $('#time-viewing-text').textContent = `viewing ${new Date(t * 1000).toISOString().slice(11, 16)} UTC (not live)`;
  $('#time-viewing-text').title = fmtTime(t);
  document.body.setAttribute('data-viewing-at', String(t));
}

async function backToLive() {
  stats.viewing_at = null;
  atReq.want = atReq.asked = null;
  clearTimeout(atReq.timer);
  showViewing(null);
  $('#time-end').value = 1000;
  $('#live-toggle').checked = true;
  const v = await api('/api/vessels' + qs({ limit: 200000 }));
  // the latest picture first, then the stream from now on
  if (stats.viewing_at !== null) return; // left live again meanwhile
  loadVessels(v);
  stats.at_loaded = null;
  map.dataChanged();
  live.start();
  applyWindow();
}

function bindToolbar() {
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => showView(b.dataset.view));
  $('#time-window').addEventListener('change', applyWindow);
  $('#time-end').addEventListener('input', () => {
    // looking back in time leaves live mode (the stream would move the window)
    if ($('#live-toggle').checked) { $('#live-toggle').checked = false; live.stop(); }
    applyWindow();
  });
  $('#live-toggle').addEventListener('change', () => {
    if ($('#live-toggle').checked) { backToLive(); return; }
    live.stop();
    applyWindow();
  });
  $('#zoom-in').addEventListener('click', () => map.setZoom(map.view.zoom + 1));
  $('#zoom-out').addEventListener('click', () => map.setZoom(map.view.zoom - 1));
  $('#zoom-fit').addEventListener('click', () => map.fitData());
  // find a vessel by MMSI: centre on it when the picture holds it, and show
  // what the node knows (its track may be outside the time window)
  $('#vessel-search').addEventListener('submit', (e) => {
    e.preventDefault();
    const mmsi = parseInt($('#vessel-search-input').value.replace(/\D/g, ''), 10);
    if (!(mmsi > 0)) return;
    if (store.index.has(mmsi)) {
      const p = store.get(mmsi);
      map.centerOn(p.lat, p.lon, Math.max(map.view.zoom, 9));
    }
    pick({ kind: 'vessel', mmsi });
  });
}

let countsPending = false;
function scheduleCounts() {
  if (countsPending) return;
  countsPending = true;
  setTimeout(() => {
    countsPending = false;
    $('#map-counts').textContent = `vessels ${stats.vessels_drawn.toLocaleString('en')} drawn / ${store.n.toLocaleString('en')} · events ${stats.events_drawn}`;
  }, 200);
}

// ---- side panel: event list, details, legend ------------------------------------

let listPending = false;
function scheduleList() {
  if (listPending) return;
  listPending = true;
  setTimeout(() => { listPending = false; renderList(); }, 250);
}

function renderList() {
  const box = clear($('#event-list'));
  const vis = map.events.filter((o) => map.eventVisible(o)).sort((a, b) => (b.t0 || 0) - (a.t0 || 0));
  stats.events_total = map.events.length;
  $('#event-count').textContent = `(${vis.length}${stats.events_status === 'ok' ? '' : ', ' + stats.events_status})`;
  for (const o of vis.slice(0, 300)) {
    const c = document.createElement('canvas');
    c.width = 20; c.height = 20;
    drawSymbol(c.getContext('2d'), o.kind, 10, 10, 6);
    const fresh = liveSeen.has(o.id) && Date.now() - liveSeen.get(o.id) < 60000;
    const row = h('div', { class: fresh ? 'ev fresh' : 'ev', 'data-event-id': o.id, title: `${fresh ? 'new (live) · ' : ''}${o.source || ''} ${o.created_by || ''}` },
      c, h('span', null, o.event), h('span', { class: 'muted mono when' }, `${o.mmsi ?? ''} ${fmtTime(o.start).slice(5, 16)}`),
      tlpBadge(o.tlp));
    row.addEventListener('click', () => { if (o.onMap) map.centerOn(o.lat, o.lon, Math.max(map.view.zoom, 8)); pick({ kind: 'event', ev: o }); });
    box.appendChild(row);
  }
  if (vis.length > 300) box.appendChild(h('p', { class: 'muted small' }, `${vis.length - 300} more: narrow the time window`));
}

function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function detailValue(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

async function pick(sel) {
  const box = clear($('#details'));
  map.setSelected(sel);
  map.setTrack(null);
  for (const r of document.querySelectorAll('.event-list .ev.sel')) r.classList.remove('sel');
  if (!sel) {
    box.setAttribute('data-kind', 'none');
    box.appendChild(h('p', { class: 'muted' }, 'Nothing here: click a vessel or an event.'));
    return;
  }
  if (sel.kind === 'event') {
    const ev = sel.ev;
    const row = document.querySelector(`.event-list .ev[data-event-id="${CSS.escape(ev.id || '')}"]`);
    if (row) row.classList.add('sel');
    box.setAttribute('data-kind', 'event');
    box.setAttribute('data-event-id', ev.id || '');
    box.setAttribute('data-event', ev.event || '');
    const dur = toUnix(ev.end) - toUnix(ev.start);
    const c = document.createElement('canvas'); c.width = 22; c.height = 22;
    drawSymbol(c.getContext('2d'), kindOf(ev), 11, 11, 7);
    box.append(
      h('h3', null, c, ' ', (EVENT_KINDS[kindOf(ev)] || EVENT_KINDS.other).label),
      h('div', null, marking(ev)),
      kv([
        ['event', ev.event], ['MMSI', ev.mmsi], ['other MMSI', ev.mmsi2],
        ['start', fmtTime(ev.start)], ['end', fmtTime(ev.end)], ['duration', isFinite(dur) && dur > 0 ? fmtDuration(dur) : ''],
        ['position', isFinite(ev.lat) ? `${(+ev.lat).toFixed(5)}, ${(+ev.lon).toFixed(5)}` : ''],
        ['end position', ev.end_lat !== undefined && ev.end_lat !== null ? `${(+ev.end_lat).toFixed(5)}, ${(+ev.end_lon).toFixed(5)}` : ''],
        ...Object.entries(ev.details || {}).map(([k, v]) => [k, detailValue(v)]),
        ['source', ev.source], ['created_by', ev.created_by], ['id', ev.id],
      ]));
    if (ev.mmsi) box.appendChild(h('button', { type: 'button', onclick: () => pick({ kind: 'vessel', mmsi: +ev.mmsi }) }, `vessel ${ev.mmsi}`));
    return;
  }
  // a vessel: static data and track from /api/vessel/MMSI
  const mmsi = sel.mmsi;
  const pos = store.get(mmsi);
  box.setAttribute('data-kind', 'vessel');
  box.setAttribute('data-mmsi', mmsi);
  box.setAttribute('data-track-points', '0');
  box.append(h('h3', null, `vessel ${mmsi}`), h('p', { class: 'muted' }, 'loading…'));
  const { tmin, tmax } = currentWindow();
  const r = await api(`/api/vessel/${mmsi}` + qs({ since: isFinite(tmin) ? Math.floor(tmin) : '', until: isFinite(tmax) ? Math.ceil(tmax) : '' }));
  if (!map.selected || map.selected.mmsi !== mmsi) return; // another pick meanwhile
  clear(box);
  const d = r.ok && r.data ? r.data : {};
  const track = Array.isArray(d.track) ? d.track : [];
  box.setAttribute('data-track-points', track.length);
  map.setTrack(track);
  const cls = pos ? CLASSES[store.cls[store.index.get(mmsi)]] : null;
  box.append(
    h('h3', null, d.name || `vessel ${mmsi}`),
    d.tlp || d.source ? h('div', null, marking(d)) : h('div', { class: 'prov' }, 'AIS received by this node (not a STIX object)'),
    kv([
      ['MMSI', mmsi], ['name', d.name], ['call sign', d.callsign], ['IMO', d.imo],
      ['type', d.type !== undefined && d.type !== null ? `${d.type}${cls ? ' · ' + cls.label : ''}` : cls && cls.label],
      ['flag', d.flag],
      ['last report', pos ? fmtTime(pos.t) : ''],
      ['position', pos ? `${pos.lat.toFixed(5)}, ${pos.lon.toFixed(5)}` : ''],
      ['SOG / COG', pos ? `${isFinite(pos.sog) ? pos.sog.toFixed(1) : '—'} kn / ${isFinite(pos.cog) ? pos.cog.toFixed(0) : '—'}°` : ''],
      ['heading', pos && pos.heading !== null ? `${pos.heading}°` : ''],
      ['track', r.ok ? `${track.length} points in the window` : `not available (${r.error})`],
    ]));
}

function legend() {
  const box = clear($('#legend'));
  CLASSES.forEach((c, i) => {
    const cb = h('input', { type: 'checkbox', checked: true, 'data-class': c.key });
    cb.addEventListener('change', () => { map.hidden[i] = cb.checked ? 0 : 1; map.dataChanged(); scheduleCounts(); });
    const sw = h('span', { class: 'swatch' });
    sw.style.background = c.color;
    box.append(h('span', null, sw), h('label', null, cb, ' ', c.label));
  });
  for (const [k, v] of Object.entries(EVENT_KINDS)) {
    if (k === 'other') continue;
    const c = document.createElement('canvas'); c.width = 20; c.height = 20;
    drawSymbol(c.getContext('2d'), k, 10, 10, 6);
    const cb = h('input', { type: 'checkbox', checked: true, 'data-kind': k });
    cb.addEventListener('change', () => { if (cb.checked) map.hiddenKinds.delete(k); else map.hiddenKinds.add(k); map.invalidate(4); scheduleList(); });
    box.append(c, h('label', null, cb, ' ', v.label));
  }
}

// ---- hooks for the browser test and for measuring ---------------------------------

function pct(a, p) {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const nextFrame = () => new Promise((r) => requestAnimationFrame(r));

window.__alidade = {
  stats, store,
  get map() { return map; },
  hasVessel: (mmsi) => store.index.has(+mmsi),
  vesselScreenPos(mmsi) {
    const i = store.index.get(+mmsi);
    return i === undefined ? null : map.toScreen(store.x[i], store.y[i]);
  },
  // where a position is drawn on the screen (to check a vessel's drawing)
  screenPosOf: (lat, lon) => map.toScreen(lonToX(lon), latToY(lat)),
  eventScreenPos(id) {
    const o = map.events.find((e) => e.id === id);
    return o && o.onMap ? map.toScreen(o.x, o.y) : null;
  },
  focusEvent(id, zoom = 9) {
    const o = map.events.find((e) => e.id === id);
    if (o) map.centerOn(o.lat, o.lon, zoom);
    return !!o;
  },
  focusVessel(mmsi, zoom = 10) {
    const p = store.get(+mmsi);
    if (p) map.centerOn(p.lat, p.lon, zoom);
    return !!p;
  },
  reload: () => loadMapData(),
  backToLive: () => backToLive(),
  // leave live mode and show the picture at slider position v (0-1000):
  // what dragging the slider does (an input event)
  slideTo(v) {
    const el = $('#time-end');
    el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    return currentWindow().end;
  },
  // n synthetic vessels (deterministic) spread over the current view, for
  // load tests against a node that holds fewer vessels
  synth(n, seed = 1) {
    let s = seed >>> 0;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
    const [w, so, e, no] = map.bbox();
    const now = Date.now() / 1000;
    const types = [30, 31, 35, 36, 40, 52, 60, 70, 70, 70, 80, 80, 0];
    for (let i = 0; i < n; i++) {
      store.upsert(900000000 + i, so + (no - so) * rnd(), w + (e - w) * rnd(), rnd() * 360, rnd() * 20,
        rnd() < 0.1 ? null : Math.floor(rnd() * 360), types[Math.floor(rnd() * types.length)], now);
    }
    extendRange(now);
    map.dataChanged();
    scheduleCounts();
    return store.n;
  },
  // pan and zoom `steps` times, one change per animation frame; frame times
  // are the JS time to redraw every layer, intervals the rAF-to-rAF times
  async bench(steps = 120) {
    await nextFrame();
    const from = stats.frames.length;
    const intervals = [];
    let last = performance.now();
    let drawnMin = Infinity;
    for (let i = 0; i < steps; i++) {
      // pan right, pan back, zoom out, zoom back: the data stays in view
      const phase = Math.floor(i / 20) % 4;
      if (phase === 0) map.panBy(6, 3);
      else if (phase === 1) map.panBy(-6, -3);
      else if (phase === 2) map.setZoom(map.view.zoom - 0.04);
      else map.setZoom(map.view.zoom + 0.04);
      await nextFrame();
      const now = performance.now();
      intervals.push(now - last);
      last = now;
      drawnMin = Math.min(drawnMin, stats.vessels_drawn);
    }
    const fr = stats.frames.slice(from);
    const layer = {};
    for (const [k, a] of Object.entries(stats.layer_ms)) {
      const x = a.slice(a.length - fr.length);
      layer[k] = { p50: pct(x, 50), p95: pct(x, 95) };
    }
    return {
      steps, vessels: store.n, drawn: stats.vessels_drawn, drawn_min: drawnMin,
      frame_p50: pct(fr, 50), frame_p95: pct(fr, 95), frame_max: Math.max(...fr),
      interval_p50: pct(intervals, 50), interval_p95: pct(intervals, 95), layer,
    };
  },
};

boot();
