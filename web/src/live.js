// live.js - live mode: one EventSource on /api/stream (server-sent events,
// the session cookie goes with it). The browser reconnects by itself and
// sends Last-Event-ID; when the node closes the stream for good (401, 404,
// restart) we try again every 5 s while live mode is on.

export class Live {
  constructor(handlers, statusEl) {
    this.handlers = handlers;
    this.statusEl = statusEl;
    this.es = null;
    this.timer = 0;
    this.on = false;
  }

  status(state, text) {
    this.statusEl.setAttribute('data-state', state);
    this.statusEl.textContent = `live: ${text}`;
  }

  start() {
    this.on = true;
    if (this.es) return;
    let es;
    try { es = new EventSource('/api/stream'); } catch (e) { this.status('error', 'unavailable'); return; }
    this.es = es;
    this.status('error', 'connecting');
    es.onopen = () => this.status('open', 'on');
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        this.es = null;
        this.status('error', 'stream unavailable, retrying');
        if (this.on && !this.timer) this.timer = setTimeout(() => { this.timer = 0; if (this.on) this.start(); }, 5000);
      } else {
        this.status('error', 'reconnecting');
      }
    };
    for (const type of Object.keys(this.handlers)) {
      es.addEventListener(type, (m) => {
        let d;
        try { d = JSON.parse(m.data); } catch { return; }
        this.handlers[type](d);
      });
    }
  }

  stop() {
    this.on = false;
    if (this.timer) { clearTimeout(this.timer); this.timer = 0; }
    if (this.es) { this.es.close(); this.es = null; }
    this.status('off', 'off');
  }
}
