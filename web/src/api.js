// api.js - the page's only way to the node's JSON endpoints (docs/api.md).
// Non-GET requests carry the session's CSRF token; a 401 anywhere sends the
// page back to its login form. Errors never throw: a missing endpoint (404),
// an empty body or a dropped connection come back as {ok:false}, so every
// view can say "not available" instead of breaking.

let csrf = '';
let onUnauthorized = () => {};

export function setCsrf(token) { csrf = token || ''; }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export async function api(path, opts = {}) {
  const method = opts.method || 'GET';
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let r;
  try {
    r = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    return { ok: false, status: 0, data: null, error: `network: ${e.message || e}` };
  }
  let data = null;
  const ct = r.headers.get('content-type') || '';
  if (r.status !== 204 && ct.includes('json')) {
    try { data = await r.json(); } catch { data = null; }
  }
  if (r.status === 401 && !opts.noAuthHook) onUnauthorized();
  const error = r.ok ? null : ((data && data.error) || `HTTP ${r.status}`);
  return { ok: r.ok, status: r.status, data, error };
}

// query string from an object, leaving out empty values
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || (typeof v === 'number' && !isFinite(v))) continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}
