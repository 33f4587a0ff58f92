// sharing.js - the sharing view: each partner's last sync, objects in and
// out, lag and errors, and the audit trail of what was released to whom.

import { api, qs } from './api.js';
import { h, clear, $, fmtTime, fmtDuration } from './dom.js';

export class SharingView {
  constructor(onNode) {
    this.partners = [];
    this.audit = [];
    this.onNode = onNode;
    this.loaded = false;
  }

  async load() {
    this.loaded = true;
    const r = await api('/api/sharing');
    this.error = r.ok && r.data ? null : (r.error || 'empty answer');
    if (r.ok && r.data) {
      this.partners = r.data.partners || [];
      this.audit = r.data.audit || [];
      if (r.data.node) this.onNode(r.data.node);
    }
    this.render();
  }

  async older() {
    const last = this.audit[this.audit.length - 1];
    if (!last || last.seq === undefined) return;
    const r = await api('/api/sharing' + qs({ before: last.seq }));
    if (r.ok && r.data && r.data.audit) { this.audit = this.audit.concat(r.data.audit); this.render(); }
  }

  updatePartner(p) {
    const i = this.partners.findIndex((x) => x.name === p.name);
    if (i >= 0) this.partners[i] = Object.assign({}, this.partners[i], p); else this.partners.push(p);
    if (this.loaded) this.render();
  }

  render() {
    const pb = clear($('#partners')), ab = clear($('#audit'));
    if (this.error) {
      pb.appendChild(h('p', { class: 'na' }, `sharing status not available (${this.error})`));
      return;
    }
    if (!this.partners.length) pb.appendChild(h('p', { class: 'muted' }, 'no partners configured'));
    else pb.appendChild(h('table', { id: 'partner-table' },
      h('thead', null, h('tr', null, ['partner', 'url', 'last sync', 'lag', 'in', 'out', 'errors', 'last error'].map((x, i) => h('th', { class: i >= 3 && i <= 6 ? 'num' : null }, x)))),
      h('tbody', null, this.partners.map((p) => h('tr', { 'data-partner': p.name },
        h('td', null, p.name), h('td', { class: 'mono' }, p.url || '—'),
        h('td', { class: 'mono time' }, p.last_sync ? fmtTime(p.last_sync) : 'never'),
        h('td', { class: 'num' }, p.lag_s === null || p.lag_s === undefined ? '—' : fmtDuration(p.lag_s)),
        h('td', { class: 'num' }, p.in ?? 0), h('td', { class: 'num' }, p.out ?? 0),
        h('td', { class: 'num' + (p.errors ? ' error' : '') }, p.errors ?? 0),
        h('td', { class: 'small' }, p.last_error || ''))))));
    if (!this.audit.length) { ab.appendChild(h('p', { class: 'muted' }, 'no audit entries')); return; }
    ab.appendChild(h('table', { id: 'audit-table' },
      h('thead', null, h('tr', null, ['at', 'who', 'action', 'object'].map((x) => h('th', null, x)))),
      h('tbody', null, this.audit.map((a) => h('tr', null,
        h('td', { class: 'mono time' }, fmtTime(a.at)), h('td', null, a.who || ''), h('td', null, a.action || ''),
        h('td', { class: 'mono small' }, typeof a.object === 'string' ? a.object : JSON.stringify(a.object ?? '')))))));
    if (this.audit.length && this.audit[this.audit.length - 1].seq !== undefined) {
      ab.appendChild(h('button', { type: 'button', onclick: () => this.older() }, 'older entries'));
    }
  }
}
