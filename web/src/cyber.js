// cyber.js - the cyber view: indicators held per source partner and TLP,
// sightings over time (bar chart from the node's buckets) and each sighting
// with its matching log lines (click a row): the raw lines this node kept
// (source, line or byte offset), or, for a partner's sighting, lines rebuilt
// from its observed-data. Log lines are attacker-controlled text: they only
// ever go into the page as text nodes (dom.js h), never as HTML.

import { api, qs } from './api.js';
import { h, clear, $, fmtTime, toUnix } from './dom.js';
import { tlpBadge, tlpKey, marking } from './tlp.js';

const TLP_ORDER = ['clear', 'green', 'amber', 'amber+strict', 'red', 'none'];

export class CyberView {
  constructor() {
    this.sightings = [];
    this.buckets = [];
    this.loaded = false;
  }

  async load() {
    this.loaded = true;
    // daily buckets first; when the sightings span less than a week, hourly
    const [sum, daily] = await Promise.all([
      api('/api/indicators/summary'),
      api('/api/sightings' + qs({ bucket: 86400, limit: 500 })),
    ]);
    let sig = daily;
    const b = (daily.ok && daily.data && daily.data.buckets) || [];
    if (b.length && toUnix(b[b.length - 1].t) - toUnix(b[0].t) < 7 * 86400) {
      const hourly = await api('/api/sightings' + qs({ bucket: 3600, limit: 500 }));
      if (hourly.ok && hourly.data) sig = hourly;
    }
    this.renderIndicators(sum);
    if (sig.ok && sig.data) {
      this.buckets = sig.data.buckets || [];
      this.sightings = sig.data.sightings || [];
    }
    this.sigError = sig.ok ? null : sig.error;
    this.renderSightings();
  }

  renderIndicators(r) {
    const box = clear($('#indicators'));
    if (!r.ok || !r.data) { box.appendChild(h('p', { class: 'na' }, `indicators not available (${r.error || 'empty answer'})`)); return; }
    const rows = r.data.by_source || [];
    const tlps = TLP_ORDER.filter((t) => rows.some((x) => tlpKey(x.tlp) === t));
    const by = new Map();
    for (const x of rows) {
      const s = x.source || 'unknown';
      if (!by.has(s)) by.set(s, {});
      const k = tlpKey(x.tlp);
      by.get(s)[k] = (by.get(s)[k] || 0) + (x.count || 0);
    }
    box.appendChild(h('p', { class: 'muted' }, `${r.data.total ?? 0} indicators in the store`));
    if (!rows.length) { box.appendChild(h('p', { class: 'muted' }, 'no indicators yet')); return; }
    box.appendChild(h('table', { id: 'indicator-table' },
      h('thead', null, h('tr', null, h('th', null, 'source'), tlps.map((t) => h('th', { class: 'num' }, tlpBadge(t))), h('th', { class: 'num' }, 'total'))),
      h('tbody', null, [...by.entries()].map(([s, c]) => h('tr', { 'data-source': s },
        h('td', null, s === 'local' ? 'local (this node)' : s),
        tlps.map((t) => h('td', { class: 'num' }, c[t] || '')),
        h('td', { class: 'num' }, Object.values(c).reduce((a, b) => a + b, 0)))))));
  }

  addSighting(s) {
    this.sightings = [s].concat(this.sightings.filter((x) => x.id !== s.id));
    // count it in its bucket, or a new one at the end
    const t = toUnix(s.last_seen || s.first_seen);
    const last = this.buckets[this.buckets.length - 1];
    if (last && isFinite(t) && t >= toUnix(last.t)) last.count += s.count || 1;
    if (this.loaded) this.renderSightings();
  }

  renderSightings() {
    this.drawChart();
    const box = clear($('#sightings'));
    if (this.sigError) { box.appendChild(h('p', { class: 'na' }, `sightings not available (${this.sigError})`)); return; }
    if (!this.sightings.length) { box.appendChild(h('p', { class: 'muted' }, 'no sightings yet')); return; }
    const body = h('tbody');
    for (const s of this.sightings) {
      const row = h('tr', { class: 'clickable', 'data-sighting': s.id || '' },
        h('td', null, s.name || s.indicator || ''),
        h('td', { class: 'mono' }, s.pattern || ''),
        h('td', { class: 'mono time' }, fmtTime(s.first_seen)),
        h('td', { class: 'mono time' }, fmtTime(s.last_seen)),
        h('td', { class: 'num' }, s.count ?? ''),
        h('td', null, marking(s)));
      row.addEventListener('click', () => this.toggleLines(row, s));
      body.appendChild(row);
    }
    box.appendChild(h('table', { id: 'sighting-table' },
      h('thead', null, h('tr', null, ['indicator', 'pattern', 'first seen', 'last seen', 'count', 'TLP / provenance'].map((x) => h('th', { class: x === 'count' ? 'num' : null }, x)))),
      body));
  }

  async toggleLines(row, s) {
    const next = row.nextSibling;
    if (next && next.classList && next.classList.contains('lines-row')) { next.remove(); return; }
    // a sighting that came as live news has no lines yet: the node's answer
    // for its window has them (the first 50 sightings of an answer do)
    if (s.lines === undefined && s.id && !s.linesAsked) {
      s.linesAsked = true;
      const r = await api('/api/sightings' + qs({ since: s.first_seen, until: s.last_seen, limit: 50 }));
      const full = r.ok && r.data && (r.data.sightings || []).find((x) => x.id === s.id);
      if (full) Object.assign(s, { lines: full.lines, lines_from: full.lines_from, lines_total: full.lines_total });
      const again = row.nextSibling;
      if (again && again.classList && again.classList.contains('lines-row')) return;
    }
    // objects {text, source, line, offset, ...}; older nodes sent strings
    const lines = (s.lines || []).map((l) => (typeof l === 'string' ? { text: l } : l || { text: '' }));
    const raw = s.lines_from === 'log';
    const total = s.lines_total ?? lines.length;
    const what = raw
      ? `${lines.length} of ${total} matching log line${total === 1 ? '' : 's'} (the raw lines, kept on this node: the first and last 20)`
      : `${lines.length} line${lines.length === 1 ? '' : 's'} rebuilt from the sighting's observed-data (no raw lines on this node)`;
    const where = (l) => {
      if (!raw) return '';
      const pos = l.line != null ? `:${l.line}` : l.offset != null ? `@${l.offset}` : '';
      return `${String(l.source || '?').split('/').pop()}${pos}${l.truncated ? ' (cut)' : ''}`;
    };
    const body = h('pre', { class: raw ? 'lines raw' : 'lines' });
    lines.forEach((l, i) => {
      if (i) body.appendChild(document.createTextNode('\n'));
      if (raw) body.appendChild(h('span', { class: 'line-src', title: l.file || '', style: { color: '#8c9aa8' } }, where(l) + ' '));
      body.appendChild(h('span', { class: 'line-text' }, l.text ?? ''));
    });
    const cell = h('td', { colspan: 6 },
      h('div', { class: 'muted small' }, `${s.indicator || ''} · ${what}`),
      lines.length ? body : h('p', { class: 'muted' }, 'no log lines kept for this sighting'));
    row.after(h('tr', { class: 'lines-row', 'data-lines-from': s.lines_from || 'none' }, cell));
  }

  drawChart() {
    const c = $('#sightings-chart');
    const ctx = c.getContext('2d');
    const W = c.width, H = c.height, pad = 28;
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = '#8c9aa8';
    ctx.font = '11px sans-serif';
    const b = this.buckets.map((x) => ({ t: toUnix(x.t), n: x.count || 0 })).filter((x) => isFinite(x.t));
    if (!b.length) { ctx.fillText('no sightings in the window', pad, H / 2); return; }
    const t0 = b[0].t, t1 = b[b.length - 1].t;
    const max = Math.max(1, ...b.map((x) => x.n));
    // a bar is one bucket wide (the smallest step between buckets), at least 3 px
    let step = Infinity;
    for (let i = 1; i < b.length; i++) step = Math.min(step, b[i].t - b[i - 1].t);
    const span = t1 - t0;
    const bw = Math.max(3, isFinite(step) && span > 0 ? ((W - pad * 2) * step) / (span + step) - 1 : (W - pad * 2) / b.length - 1);
    ctx.fillStyle = '#ffab40';
    b.forEach((x, i) => {
      const bh = ((H - pad * 1.5) * x.n) / max;
      const xx = pad + (t1 > t0 ? ((x.t - t0) / (t1 - t0)) * (W - pad * 2 - bw) : i * (bw + 1));
      ctx.fillRect(xx, H - pad - bh, bw, bh);
    });
    ctx.fillStyle = '#8c9aa8';
    ctx.fillText(String(max), 2, 12);
    ctx.fillText(fmtTime(t0), pad, H - 8);
    const right = fmtTime(t1);
    ctx.fillText(right, W - pad - ctx.measureText(right).width, H - 8);
  }
}
