// mock_server.mjs - a stand-in for `alidade serve` that implements the
// dashboard API of /work/briefs/api.md (docs/api.md) with made-up data, so
// the browser side can be built and tested before (or without) the real
// node's endpoints. Not a reference for the node's behaviour: fake data,
// sessions in memory, one operator.
//
//   node mock_server.mjs --assets DIR [--listen 127.0.0.1:0] [--udp 0] [--vessels N] [--seed S]
//                        [--missing /api/events,/api/stream,...]
//
// Prints `http http://HOST:PORT/`, `udp PORT` and, last, the operator's
// password (user "analyst") like `alidade operator add` does. NMEA lines
// (!AIVDM position reports, types 1-3) sent to the UDP port are decoded and
// pushed to /api/stream as `position` events, as the node's live input does.

import http from 'node:http';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const assets = args.assets;
const [host, port] = (args.listen || '127.0.0.1:0').split(':');
const nVessels = +(args.vessels || 3000);
// --missing /api/a,/api/b: answer 404 there, as a node without them would
const missing = new Set((args.missing || '').split(',').filter(Boolean));
let seed = +(args.seed || 7);
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);

// ---- fake data --------------------------------------------------------------
const now = Math.floor(Date.now() / 1000);
const iso = (t) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
const TYPES = [30, 31, 35, 36, 40, 52, 60, 70, 70, 70, 80, 80, 0];
// vessels at sea: small sets along the English Channel's two traffic lanes
// (and fishing boats off Cornwall); bulk sets spread over the open North
// Atlantic (35-60 N, 30-12 W), so that none sit on land
const V = { mmsi: [], lat: [], lon: [], cog: [], sog: [], heading: [], type: [], t: [] };
function place(n, i) {
  if (n > 10000) return [35 + 25 * rnd(), -30 + 18 * rnd(), rnd() * 360];
  const r = rnd();
  if (r < 0.15) return [49.75 + 0.35 * rnd(), -5.6 + 2.2 * rnd(), rnd() * 360]; // fishing grounds
  // lane from Ushant to Dover, one per direction: two straight legs
  const f = rnd(), west = r < 0.575;
  const [a, b] = f < 0.6 ? [[48.9, -5.6], [50.05, -1.2]] : [[50.05, -1.2], [51.0, 1.45]];
  const g = f < 0.6 ? f / 0.6 : (f - 0.6) / 0.4;
  const lat = a[0] + (b[0] - a[0]) * g + (west ? 0.05 : -0.05) + 0.04 * (rnd() - 0.5);
  const lon = a[1] + (b[1] - a[1]) * g + 0.04 * (rnd() - 0.5);
  return [lat, lon, west ? 248 : 68];
}
function makeVessels(n) {
  for (const k of Object.keys(V)) V[k] = [];
  for (let i = 0; i < n; i++) {
    const [lat, lon, course] = place(n, i);
    V.mmsi.push(227000000 + i * 7);
    V.lat.push(+lat.toFixed(5));
    V.lon.push(+lon.toFixed(5));
    const c = +((course + 20 * (rnd() - 0.5) + 360) % 360).toFixed(1);
    V.cog.push(c);
    V.sog.push(+(rnd() * 18).toFixed(1));
    V.heading.push(rnd() < 0.1 ? null : Math.round(c) % 360);
    V.type.push(n <= 10000 && lat > 49.7 && lon < -3.4 && rnd() < 0.7 ? 30 : TYPES[Math.floor(rnd() * TYPES.length)]);
    V.t.push(now - Math.floor(rnd() * 86400));
  }
}
makeVessels(nVessels);

const TLPS = ['clear', 'green', 'amber', 'amber+strict', 'red'];
const SOURCES = ['local', 'fr-navy', 'uk-cert'];
const KINDS = ['gap', 'encounter', 'loitering', 'zone_entry', 'zone_exit', 'teleport', 'mmsi_clash', 'invalid_mmsi', 'identity_change'];
const events = [];
for (let i = 0; i < 36; i++) {
  const kind = KINDS[i % KINDS.length];
  const j = Math.floor(rnd() * V.mmsi.length);
  const start = now - 3600 * (2 + Math.floor(rnd() * 40));
  const ev = {
    id: `x-ald-maritime-event--${crypto.randomUUID()}`, event: kind, mmsi: V.mmsi[j],
    start: iso(start), end: iso(start + 1800 + Math.floor(rnd() * 7200)),
    lat: V.lat[j], lon: V.lon[j], details: {}, tlp: TLPS[i % TLPS.length],
    created_by: 'identity--4b2c7a0e-7d0c-5b9e-9a53-1f1f3c5e9d01', source: SOURCES[i % SOURCES.length],
  };
  if (kind === 'gap') {
    ev.end_lat = +(ev.lat + 0.3 * (rnd() - 0.5)).toFixed(5); ev.end_lon = +(ev.lon + 0.6 * (rnd() - 0.5)).toFixed(5);
    ev.details = { gap_s: 7200, distance_nm: 18.4, shore_nm: 12.1 };
  }
  if (kind === 'encounter') { ev.mmsi2 = V.mmsi[(j + 1) % V.mmsi.length]; ev.details = { min_distance_m: 61, duration_s: 5400 }; }
  if (kind === 'loitering') ev.details = { radius_m: 800, mean_sog_kn: 0.6 };
  if (kind.startsWith('zone')) ev.details = { zone: 'Exercise area A' };
  if (kind === 'teleport') ev.details = { implied_speed_kn: 412 };
  events.push(ev);
}
const zones = { type: 'FeatureCollection', features: [
  { type: 'Feature', properties: { name: 'Exercise area A' }, geometry: { type: 'Polygon', coordinates: [[[-3, 49.6], [-1.8, 49.6], [-1.8, 50.2], [-3, 50.2], [-3, 49.6]]] } },
  { type: 'Feature', properties: { name: 'Protected area B' }, geometry: { type: 'Polygon', coordinates: [[[0.2, 50.1], [1.2, 50.3], [1.0, 50.8], [0.1, 50.6], [0.2, 50.1]]] } },
] };
const sightings = [];
for (let i = 0; i < 12; i++) {
  const t = now - Math.floor(rnd() * 86400);
  sightings.push({
    id: `sighting--${crypto.randomUUID()}`, indicator: `indicator--${crypto.randomUUID()}`,
    pattern: `[ipv4-addr:value = '198.51.100.${i + 1}']`, name: `C2 server ${i + 1}`,
    first_seen: iso(t), last_seen: iso(t + 600), count: 1 + (i % 4), tlp: TLPS[i % TLPS.length],
    created_by: 'identity--7f1e2d3c-0000-5000-8000-00000000beef', source: SOURCES[(i + 1) % SOURCES.length],
    lines: [`{"timestamp":"${iso(t)}","event_type":"alert","src_ip":"10.0.0.${i + 4}","dest_ip":"198.51.100.${i + 1}","dest_port":443}`],
  });
}
const buckets = [];
for (let t = now - 86400; t <= now; t += 3600) buckets.push({ t: iso(t - (t % 3600)), count: Math.floor(rnd() * 6) });
const sharing = {
  node: { identity: 'identity--4b2c7a0e-7d0c-5b9e-9a53-1f1f3c5e9d01', title: 'mock node (fake data)' },
  partners: [
    { name: 'fr-navy', url: 'https://fr.example/taxii2/', last_sync: iso(now - 120), lag_s: 120, in: 412, out: 96, errors: 0, last_error: null },
    { name: 'uk-cert', url: null, last_sync: iso(now - 3700), lag_s: 3700, in: 51, out: 130, errors: 2, last_error: 'TLS handshake timed out' },
  ],
  audit: Array.from({ length: 20 }, (_, i) => ({ seq: 100 - i, at: iso(now - i * 600), who: SOURCES[1 + (i % 2)], action: 'get objects', object: `collection default: ${i + 3} objects` })),
};

// ---- sessions -----------------------------------------------------------------
const USER = 'analyst';
const PASSWORD = crypto.randomBytes(12).toString('base64url');
const sessions = new Map(); // cookie -> csrf
function session(req) {
  const m = /(?:^|;\s*)alidade_session=([^;]+)/.exec(req.headers.cookie || '');
  return m && sessions.has(m[1]) ? { id: m[1], csrf: sessions.get(m[1]) } : null;
}

// ---- live -----------------------------------------------------------------------
const clients = new Set();
let seq = 0;
function broadcast(type, data) {
  seq++;
  for (const res of clients) res.write(`id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
}
setInterval(() => { for (const res of clients) res.write(': keepalive\n\n'); }, 15000).unref();

// !AIVDM position reports (types 1-3), one fragment
function decodeNmea(line) {
  const f = line.trim().split(',');
  if (f.length < 7 || !/^!..VD[MO]$/.test(f[0]) || f[1] !== '1') return null;
  const bits = [];
  for (const ch of f[5]) {
    let v = ch.charCodeAt(0) - 48;
    if (v > 40) v -= 8;
    for (let b = 5; b >= 0; b--) bits.push((v >> b) & 1);
  }
  const u = (s, n) => { let v = 0; for (let i = s; i < s + n; i++) v = v * 2 + (bits[i] || 0); return v; };
  const sgn = (s, n) => { const v = u(s, n); return v >= 2 ** (n - 1) ? v - 2 ** n : v; };
  const type = u(0, 6);
  if (type < 1 || type > 3 || bits.length < 168) return null;
  const lon = sgn(61, 28) / 600000, lat = sgn(89, 27) / 600000;
  const hd = u(128, 9);
  return { mmsi: u(8, 30), lat, lon, sog: u(50, 10) / 10, cog: u(116, 12) / 10, heading: hd === 511 ? null : hd, type: 0, t: iso(Math.floor(Date.now() / 1000)) };
}

// ---- HTTP -------------------------------------------------------------------------
const CT = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json' };
function json(res, code, obj) {
  res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(obj));
}
async function body(req) {
  let s = '';
  for await (const c of req) s += c;
  try { return JSON.parse(s); } catch { return {}; }
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; connect-src 'self'");
  if (!p.startsWith('/api/')) {
    const file = p === '/' ? 'index.html' : p.startsWith('/assets/') ? p.slice(8) : null;
    if (!file || file.includes('/') || file.includes('..')) { res.writeHead(404); res.end('not found'); return; }
    fs.readFile(path.join(assets, file), (err, data) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'Content-Type': CT[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
    return;
  }
  if (p === '/api/login' && req.method === 'POST') {
    const b = await body(req);
    if (b.user !== USER || b.password !== PASSWORD) { json(res, 401, { error: 'wrong user or password' }); return; }
    const id = crypto.randomBytes(24).toString('base64url'), csrf = crypto.randomBytes(24).toString('base64url');
    sessions.set(id, csrf);
    res.setHeader('Set-Cookie', `alidade_session=${id}; HttpOnly; SameSite=Strict; Path=/`);
    json(res, 200, { user: USER, csrf });
    return;
  }
  const s = session(req);
  if (!s) { json(res, 401, { error: 'login required' }); return; }
  if (missing.has(p)) { json(res, 404, { error: 'no such endpoint' }); return; }
  if (req.method !== 'GET' && req.headers['x-csrf-token'] !== s.csrf) { json(res, 403, { error: 'bad CSRF token' }); return; }
  if (p === '/api/me') { json(res, 200, { user: USER, csrf: s.csrf }); return; }
  if (p === '/api/logout' && req.method === 'POST') { sessions.delete(s.id); res.writeHead(204); res.end(); return; }
  if (p === '/api/vessels') {
    json(res, 200, Object.assign({ count: V.mmsi.length, truncated: false, t_max: iso(Math.max(...V.t.slice(0, 1000), 0)) }, V));
    return;
  }
  const vm = /^\/api\/vessel\/(\d+)$/.exec(p);
  if (vm) {
    const i = V.mmsi.indexOf(+vm[1]);
    if (i < 0) { json(res, 404, { error: 'unknown vessel' }); return; }
    const track = [];
    for (let k = 40; k >= 0; k--) {
      const a = ((V.cog[i] + 180) * Math.PI) / 180;
      track.push([V.t[i] - k * 300, +(V.lat[i] + Math.cos(a) * k * 0.004).toFixed(5), +(V.lon[i] + Math.sin(a) * k * 0.006).toFixed(5), V.sog[i], V.cog[i]]);
    }
    json(res, 200, { mmsi: V.mmsi[i], name: `MOCK VESSEL ${i}`, callsign: `MK${i}`, imo: 9000000 + i, type: V.type[i], flag: 'France', track });
    return;
  }
  if (p === '/api/events') { json(res, 200, { events, truncated: false }); return; }
  if (p === '/api/zones') { json(res, 200, zones); return; }
  if (p === '/api/indicators/summary') {
    const by = [];
    for (const src of SOURCES) for (const t of TLPS) by.push({ source: src, tlp: t, count: 1 + Math.floor(rnd() * 300) });
    json(res, 200, { total: by.reduce((a, b) => a + b.count, 0), by_source: by });
    return;
  }
  if (p === '/api/sightings') { json(res, 200, { buckets, sightings }); return; }
  if (p === '/api/sharing') { json(res, 200, sharing); return; }
  if (p === '/api/stream') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': hello\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return;
  }
  json(res, 404, { error: 'no such endpoint' });
});

const udp = dgram.createSocket('udp4');
udp.on('message', (msg) => {
  for (const line of msg.toString().split(/\r?\n/)) {
    const pos = decodeNmea(line);
    if (!pos) continue;
    broadcast('position', pos);
    // like the node's spoofing detector, if much simpler: an MMSI whose
    // first three digits are no country (below 201) is an invalid_mmsi event
    if (Math.floor(pos.mmsi / 1e6) < 201) {
      const ev = { id: `sighting--${crypto.randomUUID()}`, event: 'invalid_mmsi', mmsi: pos.mmsi, mmsi2: null, start: pos.t, end: pos.t,
        lat: pos.lat, lon: pos.lon, end_lat: null, end_lon: null, details: { reason: 'no country for MID' }, tlp: 'green',
        created_by: 'identity--4b2c7a0e-7d0c-5b9e-9a53-1f1f3c5e9d01', source: 'local' };
      events.push(ev);
      broadcast('event', ev);
    }
  }
});
udp.bind(+(args.udp || 0), '127.0.0.1', () => {
  server.listen(+port, host, () => {
    const a = server.address();
    process.stdout.write(`http http://${a.address}:${a.port}/\nudp ${udp.address().port}\nuser ${USER}\n${PASSWORD}\n`);
  });
});
