// tlp.js - the TLP 2.0 marking and the provenance every object carries on
// the page. Colours are FIRST's TLP 2.0 ones (text on black): RED #FF2B2B,
// AMBER and AMBER+STRICT #FFC000, GREEN #33FF00, CLEAR #FFFFFF.

import { h } from './dom.js';

const LABELS = {
  clear: 'TLP:CLEAR', white: 'TLP:CLEAR', green: 'TLP:GREEN', amber: 'TLP:AMBER',
  'amber+strict': 'TLP:AMBER+STRICT', red: 'TLP:RED',
};

export function tlpKey(tlp) {
  const k = String(tlp || 'none').toLowerCase().replace(/^tlp:/, '');
  return LABELS[k] ? (k === 'white' ? 'clear' : k) : 'none';
}

export function tlpBadge(tlp) {
  const k = tlpKey(tlp);
  return h('span', { class: `tlp tlp-${k.replace('+', '-')}`, 'data-tlp': k, title: 'Traffic Light Protocol 2.0 marking' },
    LABELS[k] || 'no TLP');
}

// created_by (a STIX identity id) shortened, with the full id on hover
export function provenance(obj) {
  const src = obj && obj.source ? obj.source : 'unknown';
  const by = obj && obj.created_by ? obj.created_by : '';
  const short = by ? by.replace(/^identity--/, 'identity--').slice(0, 18) + (by.length > 18 ? '…' : '') : 'no creator';
  return h('span', { class: 'prov', 'data-source': src, title: by ? `created_by ${by}` : 'no created_by' },
    h('span', { class: 'prov-src' }, src === 'local' ? 'local' : `from ${src}`), ' · ', h('span', { class: 'prov-by' }, short));
}

export function marking(obj) {
  return h('span', { class: 'marking' }, tlpBadge(obj && obj.tlp), ' ', provenance(obj));
}
