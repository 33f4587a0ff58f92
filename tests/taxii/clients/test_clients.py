#!/usr/bin/python3
"""test_clients.py - the request sequences of real TAXII 2.1 clients, replayed
against a live `alidade serve`, with every check those clients make on the
answers.

The clients themselves cannot run here (they are not Debian or npm packages
and PyPI is unreachable), so each one's behaviour was read in its source (see
README.md in this directory: repository, file, function, commit) and is
reproduced below: the same method and path building (trailing slashes, URL
joins), the same headers (Accept, Content-Type, Authorization and its scheme
spelling, User-Agent), the same query encoding (requests' urlencode, axios'
encode, PHP's http_build_query), the same paging loop and the same checks on
the responses (members required, media type comparison, status counts,
header parsing), written anew from reading, not copied.

  taxii2-client 2.3.0 (OASIS, Python): Server -> ApiRoot -> Collection,
      get_objects / as_pages / get_manifest / get_object / object_versions /
      add_objects + Status / get_status / delete_object.
  OpenCTI platform, TAXII feed ingester (ingestionTaxii.ts, axios): one GET
      per scheduled run, state = next cursor, else added_after from
      X-TAXII-Date-Added-Last parsed by moment (millisecond precision).
  OpenCTI connector external-import/taxii2 (taxii2-client): poll with a
      limit, next paging (2.1 path) or manifest date_added paging (its
      "2.0" path, taken when the first object has no spec_version).
  MISP core TaxiiServer (PHP HttpSocket): discovery, collections, objects
      pages of 50 with next, one object.
  MISP app/files/scripts/taxii/taxii_push.py (taxii2-client): envelopes
      packed up to max_content_length, add_objects without waiting.
  misp-modules import_mod/taxii21.py (taxii2-client as_pages, 100 a page).
  python-stix2 TAXIICollectionSource/Sink (stix2/datastore/taxii.py).

What these clients tripped on (fixed in the server, c548255) is checked
like the rest: the Token scheme, an empty objects page with "objects":[],
repeated slashes, an SCO's status version.
Only the Python standard library; the server listens on 127.0.0.1 on a free
port and is stopped whatever happens.
"""
import base64
import datetime
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

SKIP = 77
V21 = "application/taxii+json;version=2.1"
NS = uuid.UUID("6b1f6f0e-2a3c-4f55-9d55-4d1f1b9c7a10")
MAX_BODY = 262144         # --max-body, so max_content_length
MAX_PAGE = 50             # --max-page

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok - " + name)
    else:
        failed += 1
        print("FAIL - " + name + (": " + detail if detail else ""))
    return cond


# ---------------------------------------------------------------- HTTP layer

class Resp:
    def __init__(self, status, headers, body, url):
        self.status = status
        self.headers = headers      # lower-case name -> value
        self.body = body
        self.url = url

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class HTTPError(Exception):
    def __init__(self, resp):
        super().__init__("HTTP %d for %s" % (resp.status, resp.url))
        self.resp = resp


class Paging:
    """Every response seen with "more": true, and whether it had a next:
    as_pages and the OpenCTI connector loop forever on more without next."""

    def __init__(self):
        self.more = 0
        self.without_next = 0

    def see(self, body):
        if not body.startswith(b"{"):
            return
        try:
            d = json.loads(body)
        except ValueError:
            return
        if isinstance(d, dict) and d.get("more") is True:
            self.more += 1
            if not d.get("next"):
                self.without_next += 1


PAGING = Paging()


class Conn:
    """One keep-alive connection per host:port, as requests' Session pool
    and axios' agent keep them; reopened when the server closed it."""

    def __init__(self):
        self.pool = {}
        self.log = []

    def request(self, method, url, headers, body=None):
        u = urllib.parse.urlsplit(url)
        key = u.netloc
        path = u.path + ("?" + u.query if u.query else "")
        for attempt in range(2):
            c = self.pool.get(key)
            if c is None:
                c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
                self.pool[key] = c
            try:
                # skip_host/skip_accept_encoding: the client's own headers
                # are sent, exactly those
                c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                hdrs = dict(headers)
                hdrs.setdefault("Host", u.netloc)
                if body is not None:
                    hdrs["Content-Length"] = str(len(body))
                for k, v in hdrs.items():
                    c.putheader(k, v)
                c.endheaders(body)
                r = c.getresponse()
                data = r.read()
                h = {k.lower(): v for k, v in r.getheaders()}
                if r.will_close:
                    c.close()
                    del self.pool[key]
                self.log.append((method, path, r.status))
                PAGING.see(data)
                return Resp(r.status, h, data, url)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                c.close()
                del self.pool[key]
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        for c in self.pool.values():
            c.close()
        self.pool.clear()


def requests_encode_params(params):
    """requests.models.RequestEncodingMixin._encode_params on a dict: each
    value or each item of an iterable value, None dropped, then
    urllib.parse.urlencode(doseq=True) (quote_plus: '[' ']' ':' ',' are
    percent-encoded)."""
    pairs = []
    for k, vs in params.items():
        if isinstance(vs, (str, bytes)) or not hasattr(vs, "__iter__"):
            vs = [vs]
        for v in vs:
            if v is not None:
                pairs.append((k, str(v)))
    return urllib.parse.urlencode(pairs, doseq=True)


def with_query(url, query):
    return url + ("?" + query if query else "")


# ------------------------------------------ taxii2-client 2.3.0, re-expressed

TC_UA = "taxii2-client/2.3.0"          # taxii2client/__init__.py DEFAULT_USER_AGENT
REQUESTS_UA = "python-requests/2.31.0"  # requests' own default (POST/DELETE do not merge the client's)


def basic_auth_header(user, password):
    # requests.auth._basic_auth_str: latin1 user:password, base64
    raw = (user + ":" + password).encode("latin1")
    return "Basic " + base64.b64encode(raw).decode("ascii")


class TC:
    """taxii2client.common._HTTPConnection (version "2.1")."""

    def __init__(self, conn, auth_header):
        self.conn = conn
        self.auth = auth_header       # what requests' auth hook sets
        self.content_types = []

    def _base_headers(self):
        # requests.Session defaults, then the auth hook
        h = {"User-Agent": REQUESTS_UA, "Accept-Encoding": "gzip, deflate",
             "Accept": "*/*", "Connection": "keep-alive"}
        if self.auth:
            h["Authorization"] = self.auth
        return h

    @staticmethod
    def valid_content_type(content_type, accept):
        # common.py valid_content_type: spaces removed, split on ';', every
        # Accept token among the Content-Type tokens, first one exactly
        # application/taxii+json
        a = accept.replace(" ", "").split(";")
        c = content_type.replace(" ", "").split(";")
        return all(t in c for t in a) and c[0] == "application/taxii+json"

    def get(self, url, accept=V21, params=None):
        h = self._base_headers()
        h["User-Agent"] = TC_UA       # _merge_headers puts the client's UA
        h["Accept"] = accept
        r = self.conn.request("GET", with_query(url, requests_encode_params(params or {})), h)
        if not 200 <= r.status < 300:
            raise HTTPError(r)        # resp.raise_for_status()
        ct = r.headers["content-type"]  # KeyError in the client if absent
        self.content_types.append(ct)
        if not self.valid_content_type(ct, accept):
            raise ValueError("TAXIIServiceException: unexpected Content-Type " + ct)
        return r.json()               # TaxiiResponse -> _to_json

    def post(self, url, headers, data):
        h = self._base_headers()
        h.update(headers)
        r = self.conn.request("POST", url, h, data)
        if not 200 <= r.status < 300:
            raise HTTPError(r)
        return r.json()

    def delete(self, url, headers):
        h = self._base_headers()
        h.update(headers)
        r = self.conn.request("DELETE", url, h)
        if not 200 <= r.status < 300:
            raise HTTPError(r)
        return r


class ValidationError(Exception):
    pass


class AccessError(Exception):
    pass


def slash(url):
    # _TAXIIEndpoint.__init__: trailing slash added when missing
    return url if url.endswith("/") else url + "/"


def format_datetime(dttm):
    # common._format_datetime: naive = UTC, seconds, then microseconds with
    # trailing zeros removed when non-zero, then Z
    if dttm.tzinfo is None:
        dttm = dttm.replace(tzinfo=datetime.timezone.utc)
    z = dttm.astimezone(datetime.timezone.utc)
    ts = z.strftime("%Y-%m-%dT%H:%M:%S")
    if z.microsecond > 0:
        ts += "." + z.strftime("%f").rstrip("0")
    return ts + "Z"


def filter_params(kw):
    # common._filter_kwargs_to_query_params
    q = {}
    for k, arg in kw.items():
        if not arg:
            continue
        if not hasattr(arg, "__iter__") or isinstance(arg, str):
            arg = (arg,)
        if k == "version":
            q["match[version]"] = ",".join(format_datetime(v) if isinstance(v, datetime.datetime) else v for v in arg)
        elif k == "added_after":
            q["added_after"] = ",".join(format_datetime(v) if isinstance(v, datetime.datetime) else v for v in arg)
        elif k == "limit":
            q["limit"] = int(arg[0])
        elif k == "next":
            q["next"] = arg
        else:
            q["match[" + k + "]"] = ",".join(arg)
    return q


class Status:
    def __init__(self, tc, url, info=None):
        self.tc = tc
        self.url = slash(url)
        if info:
            self.populate(info)
        else:
            self.refresh()

    def refresh(self):
        self.populate(self.tc.get(self.url))

    def populate(self, d):
        self.raw = d
        self.id = d.get("id")
        self.status = d.get("status")
        self.total_count = d.get("total_count")
        self.success_count = d.get("success_count")
        self.failure_count = d.get("failure_count")
        self.pending_count = d.get("pending_count")
        self.successes = d.get("successes") or []
        self.failures = d.get("failures") or []
        self.pendings = d.get("pendings") or []
        # v21 Status._validate_status; the older releases (2.0-2.2) compare
        # the list lengths even when a list is absent, the stricter of the
        # two is what is checked here
        if not self.id:
            raise ValidationError("No 'id' in Status")
        if not self.status:
            raise ValidationError("No 'status' in Status")
        for k in ("total_count", "success_count", "failure_count", "pending_count"):
            if d.get(k) is None:
                raise ValidationError("No '%s' in Status" % k)
        if len(self.successes) != self.success_count:
            raise ValidationError("successes vs success_count")
        if len(self.pendings) != self.pending_count:
            raise ValidationError("pendings vs pending_count")
        if len(self.failures) != self.failure_count:
            raise ValidationError("failures vs failure_count")
        if self.success_count + self.pending_count + self.failure_count != self.total_count:
            raise ValidationError("counts do not add up")

    def wait_until_final(self, poll_interval=0.2, timeout=10):
        start = time.time()
        while self.status != "complete" and time.time() - start < timeout:
            time.sleep(poll_interval)
            self.refresh()


class Collection:
    def __init__(self, tc, url, info=None):
        self.tc = tc
        self.url = slash(url)
        self.loaded = False
        if info:
            self.populate(info)

    def populate(self, d):
        self.raw = d
        self.id, self.title = d.get("id"), d.get("title")
        self.can_read, self.can_write = d.get("can_read"), d.get("can_write")
        self.media_types = d.get("media_types") or []
        # v21 Collection._validate_collection
        if not self.id:
            raise ValidationError("No 'id' in Collection")
        if not self.title:
            raise ValidationError("No 'title' in Collection")
        if self.can_read is None:
            raise ValidationError("No 'can_read' in Collection")
        if self.can_write is None:
            raise ValidationError("No 'can_write' in Collection")
        if self.id not in self.url:
            raise ValidationError("collection id not in its url")
        self.loaded = True

    def ensure(self):
        if not self.loaded:
            self.refresh()

    def refresh(self):
        self.populate(self.tc.get(self.url))

    @property
    def objects_url(self):
        return self.url + "objects/"

    def _read(self):
        self.ensure()
        if not self.can_read:
            raise AccessError(self.url)

    def get_objects(self, **kw):
        self._read()
        return self.tc.get(self.objects_url, params=filter_params(kw))

    def get_object(self, obj_id, **kw):
        self._read()
        return self.tc.get(self.objects_url + obj_id + "/", params=filter_params(kw))

    def object_versions(self, obj_id, **kw):
        self._read()
        return self.tc.get(self.objects_url + obj_id + "/versions/", params=filter_params(kw))

    def get_manifest(self, **kw):
        self._read()
        return self.tc.get(self.url + "manifest/", params=filter_params(kw))

    def delete_object(self, obj_id):
        self.ensure()
        if not self.can_write:
            raise AccessError(self.url)
        return self.tc.delete(self.objects_url + obj_id + "/", {"Accept": V21})

    def add_objects(self, envelope, wait_for_completion=True):
        self.ensure()
        if not self.can_write:
            raise AccessError(self.url)
        if isinstance(envelope, dict):
            data = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
        elif isinstance(envelope, str):
            data = envelope.encode("utf-8")
        else:
            data = bytes(envelope)
        st = self.tc.post(self.objects_url, {"Accept": V21, "Content-Type": V21}, data)
        # status URL: urljoin(collection url, "../../status/<id>")
        status = Status(self.tc, urllib.parse.urljoin(self.url, "../../status/" + st["id"]), st)
        if wait_for_completion and status.status != "complete":
            status.wait_until_final()
        return status


class ApiRoot:
    def __init__(self, tc, url):
        self.tc = tc
        self.url = slash(url)
        self._info = None
        self._collections = None

    def refresh_information(self):
        d = self.tc.get(self.url)
        if not d.get("title"):
            raise ValidationError("No 'title' in API Root")
        if not d.get("versions"):
            raise ValidationError("No 'versions' in API Root")
        if d.get("max_content_length") is None:
            raise ValidationError("No 'max_content_length' in API Root")
        self._info = d

    @property
    def title(self):
        if self._info is None:
            self.refresh_information()
        return self._info["title"]

    @property
    def max_content_length(self):
        if self._info is None:
            self.refresh_information()
        return self._info["max_content_length"]

    @property
    def versions(self):
        if self._info is None:
            self.refresh_information()
        return self._info["versions"]

    @property
    def collections(self):
        if self._collections is None:
            url = self.url + "collections/"
            d = self.tc.get(url)
            self._collections = [Collection(self.tc, url + c["id"] + "/", c)
                                 for c in d.get("collections", [])]
        return self._collections

    def get_status(self, status_id):
        url = self.url + "status/" + status_id + "/"
        return Status(self.tc, url, self.tc.get(url))


class Server:
    def __init__(self, tc, url):
        self.tc = tc
        self.url = slash(url)
        d = tc.get(self.url)          # Server.refresh: no Accept given -> V21
        if not d.get("title"):
            raise ValidationError("No 'title' in Server Discovery")
        self.raw = d
        roots = d.get("api_roots") or []
        self.api_roots = [ApiRoot(tc, urllib.parse.urljoin(self.url, u)) for u in roots]
        self.default = dict(zip(roots, self.api_roots)).get(d.get("default"))


def total_items(envelope):
    return len(envelope.get("objects", []))


def as_pages(func, per_request=0, **kw):
    # v21.as_pages: the first page asks for per_request; when `more` and the
    # page had another size, per_request becomes that size; then next
    env = func(limit=per_request, **kw)
    yield env
    got = total_items(env)
    if env.get("more", False) and got != per_request:
        per_request = got
    while env.get("more", False):
        env = func(limit=per_request, next=env.get("next", ""), **kw)
        yield env


# ------------------------------------------------------------ test material

def sid(kind, tag, i):
    return "%s--%s" % (kind, uuid.uuid5(NS, "%s-%s-%d" % (kind, tag, i)))


def indicator(tag, i, modified="2024-01-01T00:00:00.000Z", description=None):
    o = {"type": "indicator", "spec_version": "2.1", "id": sid("indicator", tag, i),
         "created": "2024-01-01T00:00:00.000Z", "modified": modified,
         "name": "%s %d" % (tag, i),
         "pattern": "[ipv4-addr:value = '10.%d.%d.%d']" % (i // 65536 % 256, i // 256 % 256, i % 256),
         "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"}
    if description is not None:
        o["description"] = description
    return o


def malware(tag, i):
    return {"type": "malware", "spec_version": "2.1", "id": sid("malware", tag, i),
            "created": "2024-02-01T00:00:00.000Z", "modified": "2024-02-01T00:00:00.000Z",
            "name": "%s family %d" % (tag, i), "is_family": True}


def identity(tag, i):
    return {"type": "identity", "spec_version": "2.1", "id": sid("identity", tag, i),
            "created": "2024-03-01T00:00:00.000Z", "modified": "2024-03-01T00:00:00.000Z",
            "name": "%s org %d" % (tag, i), "identity_class": "organization"}


TS_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$")


def ts_micro(s):
    """A TAXII timestamp as integer microseconds since the epoch (exact)."""
    m = TS_RE.match(s)
    if not m:
        raise ValueError("not a timestamp: %r" % s)
    d = datetime.datetime(*map(int, m.groups()[:6]), tzinfo=datetime.timezone.utc)
    frac = (m.group(7) or "").ljust(6, "0")[:6]
    return int(d.timestamp()) * 1000000 + int(frac)


def moment_iso_ms(s):
    """OpenCTI's utcDate(header).toISOString(): moment parses ISO 8601 (any
    number of fraction digits, truncated to milliseconds) and prints
    YYYY-MM-DDTHH:mm:ss.SSSZ; None when moment would call it invalid."""
    m = TS_RE.match(s or "")
    if not m:
        return None
    frac = (m.group(7) or "").ljust(3, "0")[:3]
    return "%s-%s-%sT%s:%s:%s.%sZ" % (m.group(1), m.group(2), m.group(3),
                                      m.group(4), m.group(5), m.group(6), frac)


def axios_encode(v):
    # axios lib/helpers/buildURL.js encode(): encodeURIComponent, then ':'
    # '$' ',' back, and %20 as '+'
    s = urllib.parse.quote(str(v), safe="-_.!~*'()")
    return s.replace("%3A", ":").replace("%24", "$").replace("%2C", ",").replace("%20", "+")


def axios_query(params):
    # AxiosURLSearchParams: undefined skipped, Date -> toISOString()
    parts = []
    for k, v in params.items():
        if v is None:
            continue
        parts.append(axios_encode(k) + "=" + axios_encode(v))
    return "&".join(parts)


def php_http_build_query(params):
    # PHP http_build_query (PHP_QUERY_RFC1738): null dropped, urlencode()
    return "&".join(urllib.parse.quote_plus(str(k), safe="-_.") + "=" +
                    urllib.parse.quote_plus(str(v), safe="-_.")
                    for k, v in params.items() if v is not None)


# ------------------------------------------------------------------- server

def start_server(binary, data, errpath):
    err = open(errpath, "w")
    p = subprocess.Popen([binary, "serve", "--data", data, "--listen", "127.0.0.1:0",
                          "--threads", "2", "--max-page", str(MAX_PAGE),
                          "--max-body", str(MAX_BODY), "--upload-budget", str(8 * MAX_BODY)],
                         stdout=subprocess.DEVNULL, stderr=err)
    port = None
    for _ in range(100):
        with open(errpath) as f:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/taxii2/", f.read())
        if m:
            port = int(m.group(1))
            break
        if p.poll() is not None:
            break
        time.sleep(0.1)
    return p, port


def stop_server(p):
    if p is None or p.poll() is not None:
        return
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def run_cmd(args):
    r = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr))
    return r.stdout.strip().splitlines()[-1]


# ------------------------------------------------------------------ sections

class Node:
    """What the test knows of the node: base URL, tokens, collection ids and
    the objects stored per collection (id -> list of modified)."""

    def __init__(self, base, tokens, cols):
        self.base = base
        self.tokens = tokens
        self.cols = cols
        self.stored = {c: {} for c in cols.values()}

    def plain_post(self, coll, objs, user="alpha"):
        c = Conn()
        h = {"Authorization": basic_auth_header(user, self.tokens[user]), "Accept": V21,
             "Content-Type": V21}
        r = c.request("POST", "%s/api/collections/%s/objects/" % (self.base, coll), h,
                      json.dumps({"objects": objs}).encode())
        c.close()
        if r.status != 202:
            raise RuntimeError("POST %d %s" % (r.status, r.body[:200]))
        st = r.json()
        for s in st.get("successes", []):
            self.stored[coll].setdefault(s["id"], [])
            if s["version"] not in self.stored[coll][s["id"]]:
                self.stored[coll][s["id"]].append(s["version"])
        return st

    def latest_ids(self, coll, types=None):
        return {i for i in self.stored[coll] if types is None or i.split("--")[0] in types}


def section_taxii2client(node):
    print("# taxii2-client 2.3.0 (oasis-open/cti-taxii-client)")
    conn = Conn()
    tc = TC(conn, basic_auth_header("alpha", node.tokens["alpha"]))
    # the user gives the discovery URL without its trailing slash
    srv = Server(tc, node.base + "/taxii2")
    check("Server: discovery validated (title), api_roots resolved with urljoin",
          [r.url for r in srv.api_roots] == [node.base + "/api/"])
    check("Server: default is one of api_roots", srv.default is srv.api_roots[0])
    root = srv.api_roots[0]
    check("ApiRoot: title, versions, max_content_length present",
          root.title and V21 in root.versions and root.max_content_length == MAX_BODY,
          repr(root._info))
    cols = {c.title: c for c in root.collections}
    check("ApiRoot.collections: every collection validated (id, title, can_read, can_write, id in url)",
          set(cols) == {"Default", "Feed Two", "SCO first", "MISP push"}, repr(list(cols)))
    dflt = cols["Default"]
    check("Collection: media_types lists STIX 2.1",
          dflt.media_types == ["application/stix+json;version=2.1"])

    # add_objects: 300 indicators (more than one 256-object chunk), 20
    # malware and one invalid indicator (no pattern) in one envelope
    objs = [indicator("a", i) for i in range(300)] + [malware("a", i) for i in range(20)]
    bad = indicator("a", 999)
    del bad["pattern"]
    st = dflt.add_objects({"objects": objs + [bad]})
    check("add_objects: 202 status passes Status validation (counts, lists), complete at once",
          st.status == "complete" and st.total_count == 321 and st.success_count == 320
          and st.failure_count == 1 and st.failures[0]["id"] == bad["id"], repr(st.raw)[:300])
    for s in st.successes:
        node.stored[dflt.id].setdefault(s["id"], []).append(s["version"])
    st2 = Status(tc, urllib.parse.urljoin(dflt.url, "../../status/" + st.id))
    check("Status.refresh on urljoin(collection, '../../status/<id>') + '/': same counts",
          st2.url == node.base + "/api/status/" + st.id + "/" and st2.raw == st.raw)
    st3 = root.get_status(st.id)
    check("ApiRoot.get_status: validated", st3.success_count == 320)

    # second versions of 10 indicators
    v2 = [indicator("a", i, modified="2024-06-01T00:00:00.000Z") for i in range(10)]
    st = dflt.add_objects({"objects": v2})
    for s in st.successes:
        node.stored[dflt.id][s["id"]].append(s["version"])
    check("add_objects of new versions: 10 successes", st.success_count == 10)

    # as_pages over objects: asks 100, the server caps at 50, the client
    # adapts; each object once, latest versions
    seen = []
    pages = 0
    for env in as_pages(dflt.get_objects, per_request=100):
        pages += 1
        seen += [(o["id"], o["modified"]) for o in env.get("objects", [])]
    check("as_pages(get_objects, 100): 320 objects in 7 pages of at most 50, each once",
          len(seen) == 320 and len(set(seen)) == 320 and pages == 7, "%d objects, %d pages" % (len(seen), pages))
    check("as_pages(get_objects): latest version of the 10 modified ones",
          sum(1 for _, m in seen if m.startswith("2024-06-01")) == 10)
    # manifest pages, all versions
    man = []
    for env in as_pages(dflt.get_manifest, per_request=40, version="all"):
        man += [(m["id"], m["version"], m["date_added"], m["media_type"]) for m in env.get("objects", [])]
    check("as_pages(get_manifest, 40, version=all): 330 entries, each once, with date_added",
          len(man) == 330 and len(set(man)) == 330 and all(ts_micro(m[2]) for m in man))
    dates = [ts_micro(m[2]) for m in man]
    check("manifest date_added strictly increasing in paging order", all(a < b for a, b in zip(dates, dates[1:])))

    # filters the way the client encodes them: a datetime for added_after,
    # a list for type (joined with ','), version 'all'
    cut = man[199][2]
    after = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=ts_micro(cut))
    env = dflt.get_objects(added_after=after, type=["indicator", "malware"], version="all", limit=50)
    got = env.get("objects", [])
    expect = [(m[0], m[1]) for m in man if ts_micro(m[2]) > ts_micro(format_datetime(after))][:50]
    check("get_objects(added_after=datetime, type=[...], version='all'): the versions added after it",
          [(o["id"], o.get("modified")) for o in got] == expect and env.get("more") is True and env.get("next"),
          "%d vs %d" % (len(got), len(expect)))
    env = dflt.get_objects(id=[objs[0]["id"], objs[5]["id"]], spec_version="2.1")
    check("get_objects(id=[a, b], spec_version='2.1'): match[id] list", {o["id"] for o in env["objects"]} == {objs[0]["id"], objs[5]["id"]})

    env = dflt.get_object(objs[3]["id"])
    check("get_object: envelope with the latest version only",
          [o["modified"] for o in env["objects"]] == ["2024-06-01T00:00:00.000Z"] and env.get("more") is False)
    env = dflt.get_object(objs[3]["id"], version="first")
    check("get_object(version='first')", [o["modified"] for o in env["objects"]] == ["2024-01-01T00:00:00.000Z"])
    vers = dflt.object_versions(objs[3]["id"])
    check("object_versions: both versions, more=false",
          vers.get("versions") == ["2024-01-01T00:00:00.000Z", "2024-06-01T00:00:00.000Z"] and vers.get("more") is False, repr(vers))

    # delete, then the object is gone (404 -> requests' HTTPError)
    victim = objs[299]["id"]
    r = dflt.delete_object(victim)
    check("delete_object: 2xx", 200 <= r.status < 300)
    node.stored[dflt.id].pop(victim, None)
    try:
        dflt.get_object(victim)
        gone = False
    except HTTPError as e:
        gone = e.resp.status == 404
    check("get_object after delete: 404", gone)

    # the accept= argument every v21 method takes: the bare media type is
    # answered too, and passes the client's comparison
    env = dflt.tc.get(dflt.objects_url, accept="application/taxii+json", params={"limit": 1})
    check("get_objects(accept='application/taxii+json'): answered, Content-Type accepted by the client",
          len(env.get("objects", [])) == 1)
    # taxii2client.v20 against a 2.1 server: its Accept is the 2.0 media
    # type; the client expects 406 (and then logs its hint to use v21)
    try:
        tc.get(root.url, accept="application/vnd.oasis.taxii+json; version=2.0")
        v20 = 200
    except HTTPError as e:
        v20 = e.resp.status
    check("taxii2client.v20's Accept (application/vnd.oasis.taxii+json; version=2.0): 406", v20 == 406, str(v20))

    # every GET answered with a Content-Type the client accepts
    check("every GET's Content-Type passes valid_content_type (%d responses)" % len(tc.content_types),
          tc.content_types and all(TC.valid_content_type(c, V21) for c in tc.content_types))

    # a read-only partner: the collection says can_write false, so the
    # client refuses to post before sending anything
    tcr = TC(Conn(), basic_auth_header("reader", node.tokens["reader"]))
    rroot = ApiRoot(tcr, node.base + "/api")
    rcols = rroot.collections
    check("reader: one collection, can_read true, can_write false",
          len(rcols) == 1 and rcols[0].can_read is True and rcols[0].can_write is False)
    try:
        rcols[0].add_objects({"objects": [indicator("r", 1)]})
        refused = False
    except AccessError:
        refused = True
    check("reader: add_objects refused by the client (AccessError) from can_write", refused)
    tcr.conn.close()

    # the other authentication the library offers: TokenAuth
    # ("Authorization: Token KEY"), used by the OpenCTI taxii2 connector's
    # use_token option
    tct = TC(Conn(), "Token " + node.tokens["alpha"])
    try:
        troot = ApiRoot(tct, node.base + "/api")
        troot.refresh_information()
        token = len(troot.collections) == 4
    except HTTPError as e:
        token = "HTTP %d" % e.resp.status
    check("TokenAuth ('Authorization: Token KEY', OpenCTI connector TAXII2_USE_TOKEN): API root and collections",
          token is True, str(token))
    tct.conn.close()
    conn.close()


def opencti_ingester_run(node, coll, state, auth, limit=0):
    """One scheduled run of ingestionTaxii.ts taxiiV21DataHandler +
    processTaxiiResponse; returns the objects of this run."""
    uri = node.base + "/api"                   # as typed by the user
    prepared = uri if uri.endswith("/") else uri + "/"
    url = prepared + "collections/" + coll + "/objects/"
    params = {"next": state.get("cursor"), "added_after": state.get("added_after")}
    if limit > 0:
        params["limit"] = limit
    headers = {"Accept": V21, "Authorization": auth, "User-Agent": "axios/1.7.9",
               "Accept-Encoding": "gzip, compress, deflate, br", "Connection": "keep-alive"}
    r = state["conn"].request("GET", with_query(url, axios_query(params)), headers)
    if not 200 <= r.status < 300:               # axios validateStatus
        raise HTTPError(r)
    data = r.json()
    last = r.headers.get("x-taxii-date-added-last")
    state.setdefault("headers", []).append((r.headers.get("x-taxii-date-added-first"), last, data))
    objs = data.get("objects") or []
    if objs:
        if data.get("more") and data.get("next"):
            state["cursor"] = data["next"]      # added_after untouched
        else:
            state["cursor"] = None
            iso = moment_iso_ms(last) if last else None
            state["added_after"] = iso if iso else datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return objs


def section_opencti_ingester(node):
    print("# OpenCTI platform TAXII feed ingester (ingestionTaxii.ts, axios)")
    coll = node.cols["Feed Two"]
    first = [indicator("o", i) for i in range(100)] + [identity("o", i) for i in range(20)]
    node.plain_post(coll, first)
    tok = node.tokens["alpha"]
    basic = "Basic " + base64.b64encode(("alpha:" + tok).encode("utf-8")).decode()
    state = {"conn": Conn(), "cursor": None, "added_after": None}
    runs = []
    for _ in range(10):
        got = opencti_ingester_run(node, coll, state, basic)
        runs.append(got)
        if state["cursor"] is None:
            break
    ids = [o["id"] for run in runs for o in run]
    check("ingester: first paging (next cursor kept between runs) gives the 120 objects once in 3 runs",
          len(runs) == 3 and len(ids) == 120 and set(ids) == node.latest_ids(coll), "%d runs, %d ids" % (len(runs), len(ids)))
    hdrs = [h for h in state["headers"] if h[2].get("objects")]
    ok = True
    for f, l, data in hdrs:
        ok = ok and f is not None and l is not None and moment_iso_ms(f) and moment_iso_ms(l) and ts_micro(f) <= ts_micro(l)
    check("ingester: X-TAXII-Date-Added-First/Last on every page, parsed by moment", ok)
    # the date the client keeps: the header, truncated to milliseconds
    last_hdr = state["headers"][-1][1]
    check("ingester: added_after_start = header to the millisecond", state["added_after"] == moment_iso_ms(last_hdr),
          "%s vs %s" % (state["added_after"], last_hdr))
    # header Last is the date_added of the last object of the page (the
    # server's date, not modified): compare with the manifest
    added = manifest_dates(node, coll)
    check("ingester: X-TAXII-Date-Added-Last of the last page = manifest date_added of its last object",
          added[runs[-1][-1]["id"]] == last_hdr)

    # idle runs: added_after at millisecond precision re-delivers what was
    # added within that last millisecond (duplicates, never gaps), paged
    # with next over as many runs as needed
    cut = ts_micro(state["added_after"])
    idle = []
    idle_runs = 0
    for _ in range(10):
        idle += opencti_ingester_run(node, coll, state, basic)
        idle_runs += 1
        if state["cursor"] is None:
            break
    check("ingester: idle run re-delivers only versions added in the header's last millisecond",
          all(ts_micro(added[o["id"]]) > cut and ts_micro(added[o["id"]]) < cut + 1000 for o in idle),
          repr([o["id"] for o in idle]))
    print("# note - an idle OpenCTI poll cycle (%d run(s)) re-delivered %d of the %d objects: all those "
          "added in the millisecond of X-TAXII-Date-Added-Last, which the client truncates" % (idle_runs, len(idle), len(added)))
    check("ingester: a second idle cycle starts from the same millisecond (re-delivers the same set again)",
          state["added_after"] == moment_iso_ms(last_hdr))

    # new objects, then runs until caught up: every new one arrives
    new = [indicator("o2", i) for i in range(70)]
    node.plain_post(coll, new)
    got = []
    for _ in range(10):
        got += opencti_ingester_run(node, coll, state, basic)
        if state["cursor"] is None:
            break
    gids = [o["id"] for o in got]
    check("ingester: 70 new objects after the idle run all delivered (2 pages), older ones only from the cut millisecond",
          {o["id"] for o in new} <= set(gids) and all(ts_micro(added.get(i, "9999-01-01T00:00:00Z")) > cut for i in gids if i in added))

    # Bearer authentication and the configurable limit (taxii_feed:limit_per_request)
    bstate = {"conn": Conn(), "cursor": None, "added_after": None}
    got = []
    for _ in range(20):
        got += opencti_ingester_run(node, coll, bstate, "Bearer " + tok, limit=25)
        if bstate["cursor"] is None:
            break
    check("ingester with Bearer and limit=25: all 190 objects once",
          len(got) == 190 and {o["id"] for o in got} == node.latest_ids(coll))
    # the older ingester (ingestionManager.ts before the split) sends the
    # same requests; its added_after comes from utcDate(header) stored as a
    # date: the same millisecond string
    state["conn"].close()
    bstate["conn"].close()


def manifest_dates(node, coll):
    """id -> date_added of its latest version, read from the manifest."""
    c = Conn()
    out = {}
    q = ""
    auth = basic_auth_header("alpha", node.tokens["alpha"])
    while True:
        r = c.request("GET", with_query(node.base + "/api/collections/%s/manifest/" % coll, q),
                      {"Accept": V21, "Authorization": auth})
        d = r.json()
        for m in d.get("objects", []):
            out[m["id"]] = m["date_added"]
        if not d.get("more"):
            break
        q = "next=" + urllib.parse.quote(d["next"])
    c.close()
    return out


def connector_poll(tc, coll, filters):
    """client_taxii.py Taxii2.poll(collection); returns (objects, crash)."""
    objects = []
    try:
        response = coll.get_objects(**filters)
    except HTTPError:
        return objects, "HTTPError"
    if response is not None and "objects" in response and len(response["objects"]) > 0:
        first = response["objects"][0]
        if "spec_version" in response:
            version = response["spec_version"]
        elif "spec_version" in first:
            version = first["spec_version"]
        else:
            version = "2.0"
        if version == "2.0":
            while True:
                objects += response.get("objects", [])
                last_obj = response["objects"][-1]
                manifest = coll.get_manifest(id=last_obj["id"])
                if "objects" in manifest and len(manifest["objects"]) > 0:
                    filters["added_after"] = manifest["objects"][0]["date_added"]
                    response = coll.get_objects(**filters)
                    try:
                        if len(response["objects"]) == 0:
                            break
                    except KeyError:
                        return objects, "KeyError: 'objects'"
                else:
                    break
        else:
            guard = 0
            while True:
                objects += response.get("objects", [])
                if "more" not in response or response["more"] is not True:
                    break
                guard += 1
                if "next" not in response or guard > 1000:
                    return objects, "more without next: endless loop"
                filters.pop("added_after", None)
                filters["next"] = response["next"]
                response = coll.get_objects(**filters)
    return objects, None


def section_opencti_connector(node):
    print("# OpenCTI connector external-import/taxii2 (client_taxii.py, connector.py)")
    conn = Conn()
    tc = TC(conn, basic_auth_header("alpha", node.tokens["alpha"]))
    srv = Server(tc, node.base + "/taxii2/")
    root = [r for r in srv.api_roots if r.url.split("/")[-2] == "api"]
    check("connector: _get_root('api') finds the root by url.split('/')[-2]", len(root) == 1)
    coll = [c for c in root[0].collections if c.title == "Feed Two"]
    check("connector: _get_collection by title", len(coll) == 1)
    coll = coll[0]
    # first run: limit (enable_url_query_limit) and added_after = naive
    # datetime.now() - initial_history hours
    filters = {"limit": 20, "added_after": datetime.datetime.now() - datetime.timedelta(hours=24)}
    run_start = datetime.datetime.now(datetime.timezone.utc)
    last_run = int(run_start.timestamp())
    objs, crash = connector_poll(tc, coll, filters)
    ids = [o["id"] for o in objs]
    check("connector run 1: 2.1 path, next paging with limit 20: the 190 objects once",
          crash is None and len(ids) == 190 and set(ids) == node.latest_ids(node.cols["Feed Two"]), "%s %d" % (crash, len(ids)))
    check("connector run 1 leaves its last next in filters (kept for run 2)", "next" in filters and "added_after" not in filters)
    time.sleep(1.1)
    new = [indicator("c", i) for i in range(5)]
    node.plain_post(node.cols["Feed Two"], new)
    # run 2: added_after = last_run as %Y-%m-%dT%H:%M:%S.%fZ, the stale next
    # from run 1 still in filters
    filters["added_after"] = datetime.datetime.fromtimestamp(last_run, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    objs, crash = connector_poll(tc, coll, filters)
    got = {o["id"] for o in objs}
    added = manifest_dates(node, node.cols["Feed Two"])
    older = got - {o["id"] for o in new}
    check("connector run 2 (stale next + added_after=last_run): the 5 new objects, older ones only if added after last_run",
          crash is None and {o["id"] for o in new} <= got
          and all(ts_micro(added[i]) > last_run * 1000000 for i in older), "%s %d" % (crash, len(got)))

    # the "2.0" path: first object without spec_version (an SCO), paging by
    # the manifest's date_added of the last object
    sco_coll = [c for c in root[0].collections if c.title == "SCO first"][0]
    st = node.plain_post(sco_coll.id, [{"type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
                                        "value": "198.51.100.3"}])
    # no client reads it, but the status of an object without modified or
    # created says which version was stored
    sv = st["successes"][0].get("version")
    sco_added = manifest_dates(node, sco_coll.id).get("ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd")
    check("status of an SCO without modified/created: its version is the date_added the manifest shows",
          bool(sv) and sv == sco_added, "%r vs %r" % (sv, sco_added))
    node.plain_post(sco_coll.id, [indicator("s", i) for i in range(45)])
    filters = {"limit": 20, "added_after": datetime.datetime.now() - datetime.timedelta(hours=24)}
    objs, crash = connector_poll(tc, sco_coll, filters)
    ids = [o["id"] for o in objs]
    check("connector 2.0 path (manifest date_added as added_after): the 46 objects once, "
          "ended by an empty page that has 'objects' (no KeyError)",
          crash is None and len(ids) == 46 and len(set(ids)) == 46, "%s %d" % (crash, len(ids)))
    conn.close()


def misp_query(node, conn, b64key, uri, query=None):
    """TaxiiServer::queryInstance: baseurl . uri, Accept and Content-type
    headers on every request, 'basic ' + api_key, HttpSocket::get(url,
    query) (http_build_query), isOk() then json_decode."""
    url = node.base + uri
    if query:
        q = php_http_build_query(query)
        url = with_query(url, q)
    headers = {"Accept": V21, "Content-type": V21, "Authorization": "basic " + b64key,
               "User-Agent": "CakePHP", "Connection": "close"}
    r = conn.request("GET", url, headers)
    if r.status not in (200, 201, 202, 203, 204, 205, 206):
        raise HTTPError(r)
    return r.json()


CAKE_SEGMENT = re.compile(r"^[A-Za-z0-9_~.-]+$")


def section_misp(node):
    print("# MISP core TaxiiServer (TaxiiServer.php, TaxiiServersController.php)")
    key = base64.b64encode(("alpha:" + node.tokens["alpha"]).encode()).decode()
    conn = Conn()
    d = misp_query(node, conn, key, "/taxii2/")
    roots = {}
    for u in d["api_roots"]:
        roots[u.strip("/").split("/")[-1]] = node.base + "/" + u.strip("/").split("/")[-1] + "/"
    check("MISP getRoot: api root name 'api' from the last path segment", list(roots) == ["api"])
    d = misp_query(node, conn, key, "/api/collections/")
    writable = {}
    for c in d["collections"]:
        if c.get("can_write"):
            mts = c.get("media_types") or []
            vers = {m.split("=")[-1] for m in mts}
            writable[c["id"]] = "[%s] %s" % (", ".join(sorted(vers)), c["title"])
    check("MISP getCollections: writable collections labelled '[2.1] title'",
          writable.get(node.cols["Default"]) == "[2.1] Default", repr(writable))
    dflt = node.cols["Default"]
    seen, nxt, pages, segs_ok = [], None, 0, True
    while True:
        d = misp_query(node, conn, key, "/api/collections/%s/objects/" % dflt, {"limit": 50, "next": nxt})
        if not d.get("objects"):
            break                                  # "No objects found" in MISP
        pages += 1
        seen += [o["id"] for o in d["objects"]]
        more = d["more"]                           # read without isset()
        if not more:
            break
        nxt = d.get("next")
        # objects_index.ctp puts next in MISP's own URL path:
        # /taxiiServers/objectsIndex/<id>/<collection>/<next>; CakePHP takes
        # "a:b" segments as named parameters and strips .json/.xml/.csv
        segs_ok = segs_ok and nxt is not None and bool(CAKE_SEGMENT.match(nxt)) and ":" not in nxt \
            and not re.search(r"\.(json|xml|csv)$", nxt, re.I)
        if pages > 100:
            break
    check("MISP getObjects: pages of 50 with next, each object once",
          len(seen) == len(set(seen)) and set(seen) == node.latest_ids(dflt), "%d objects" % len(seen))
    check("MISP objectsIndex: every next usable as a CakePHP path segment", segs_ok)
    oid = sid("indicator", "a", 3)
    d = misp_query(node, conn, key, "/api/collections/%s/objects/%s/" % (dflt, oid))
    check("MISP getObject: objects[0] is the latest version", d["objects"][0]["modified"] == "2024-06-01T00:00:00.000Z")
    d = misp_query(node, conn, key, "/api/collections/%s/objects/" % node.cols["MISP push"], {"limit": 50, "next": None})
    check("MISP getObjects on an empty collection: no 'objects' (MISP shows 'No objects found')", not d.get("objects"))
    conn.close()

    print("# MISP app/files/scripts/taxii/taxii_push.py")
    # parse_auth: HTTPBasicAuth(*b64decode(key).split(b':'))
    user, pw = base64.b64decode(key.encode()).split(b":")
    tc = TC(Conn(), basic_auth_header(user.decode("latin1"), pw.decode("latin1")))
    api_root_url = node.base + "/" + "api"      # baseurl + "/" + api_root
    mcl = ApiRoot(tc, api_root_url).max_content_length
    check("push: max_content_length read from the API root", mcl == MAX_BODY)
    coll = Collection(tc, api_root_url + "/collections/" + node.cols["MISP push"])
    objs = [indicator("m", i, description="x" * 900) for i in range(600)]
    envelopes = []
    cur = bytearray(b'{"objects":[')
    firstin = True
    for o in objs:
        b = json.dumps(o).encode()
        n = len(cur) + len(b) + 2 + (0 if firstin else 1)
        if n > mcl:
            cur += b"]}"
            envelopes.append(bytes(cur))
            cur = bytearray(b'{"objects":[')
            firstin = True
            n = len(cur) + len(b) + 2
        if not firstin:
            cur += b","
        cur += b
        firstin = False
    if not firstin:
        cur += b"]}"
        envelopes.append(bytes(cur))
    statuses = []
    for e in envelopes:
        statuses.append(coll.add_objects(e, wait_for_completion=False))
    check("push: %d envelopes of at most max_content_length bytes, each 202 with a valid status, no failure" % len(envelopes),
          len(envelopes) >= 3 and all(len(e) <= mcl for e in envelopes)
          and all(s.failure_count == 0 for s in statuses) and sum(s.success_count for s in statuses) == 600)
    for s in statuses:
        for x in s.successes:
            node.stored[node.cols["MISP push"]].setdefault(x["id"], []).append(x["version"])
    # an envelope of exactly max_content_length bytes is accepted, one byte
    # more is 413 (the script never sends one)
    o = indicator("m", 1000, description="")
    base = len(json.dumps({"objects": [o]}).encode())
    o["description"] = "y" * (mcl - base)
    exact = json.dumps({"objects": [o]}).encode()
    st = coll.add_objects(exact, wait_for_completion=False)
    check("push: an envelope of exactly max_content_length (%d) bytes: 202" % len(exact),
          len(exact) == mcl and st.success_count == 1)
    node.stored[node.cols["MISP push"]][o["id"]] = [o["modified"]]
    o2 = indicator("m", 1001, description="z" * (mcl - base + 1))
    try:
        coll.add_objects(json.dumps({"objects": [o2]}).encode(), wait_for_completion=False)
        code = 202
    except HTTPError as e:
        code = e.resp.status
    check("push: one byte over max_content_length: 413", code == 413, str(code))
    # a baseurl typed with a trailing slash gives "//api" (the script joins
    # without normalising)
    try:
        ApiRoot(tc, node.base + "/" + "/" + "api").refresh_information()
        dbl = 200
    except HTTPError as e:
        dbl = e.resp.status
    check("push: a baseurl typed with a trailing slash (%s//api/) still reaches the API root" % node.base,
          dbl == 200, str(dbl))
    tc.conn.close()

    print("# misp-modules import_mod/taxii21.py")
    tc = TC(Conn(), basic_auth_header("alpha", node.tokens["alpha"]))
    # the user gives the collection URL (no trailing slash) and filters
    url = node.base + "/api/collections/" + dflt
    c = Collection(tc, url)
    user_type = "indicator  malware"
    t = re.sub(r"\s+", ",", user_type).strip(",")     # _normalize_multi_values
    limit = 1000
    kwargs = {"per_request": min(100, limit), "spec_version": "2.1", "type": t,
              "added_after": "2020-01-01T00:00:00Z"}
    per = kwargs.pop("per_request")
    pages = as_pages(c.get_objects, per_request=per, **kwargs)
    objs = list(itertools.islice(itertools.chain.from_iterable(p.get("objects", []) for p in pages), 0, limit))
    ids = [o["id"] for o in objs]
    check("misp-modules: as_pages(100, spec_version=2.1, type=indicator,malware, added_after): every one once",
          len(ids) == len(set(ids)) and set(ids) == node.latest_ids(dflt, {"indicator", "malware"}), "%d" % len(ids))
    check("misp-modules: every object STIX 2.1 of the asked types",
          all(o.get("spec_version") == "2.1" and o["type"] in ("indicator", "malware") for o in objs))
    tc.conn.close()


def section_stix2(node):
    """python-stix2 TAXIICollectionSource / TAXIICollectionSink over a
    taxii2-client Collection (stix2/datastore/taxii.py)."""
    print("# python-stix2 TAXIICollectionSource/Sink (oasis-open/cti-python-stix2)")
    dflt = node.cols["Default"]
    tc = TC(Conn(), basic_auth_header("alpha", node.tokens["alpha"]))
    coll = Collection(tc, node.base + "/api/collections/" + dflt + "/")
    coll.ensure()                       # the can_read property loads it
    check("stix2 source/sink: collection.can_read and can_write (lazy GET of the collection)",
          coll.can_read is True and coll.can_write is True)
    # query([Filter("type", "=", "malware")]): get_objects(type=...)["objects"]
    objs = coll.get_objects(type="malware")["objects"]
    check("stix2 query(type=malware): the 20 malware of the default collection",
          len(objs) == 20 and all(o["type"] == "malware" for o in objs))
    # get(id): get_object(id)["objects"], first one parsed, its id compared
    oid = sid("indicator", "a", 3)
    objs = coll.get_object(oid)["objects"]
    check("stix2 get(id): objects[0] has that id, latest version",
          objs[0]["id"] == oid and objs[0]["modified"] == "2024-06-01T00:00:00.000Z")
    # all_versions(id): query([id =, version = all])
    objs = coll.get_objects(id=oid, version="all")["objects"]
    check("stix2 all_versions(id): both versions", sorted(o["modified"] for o in objs) ==
          ["2024-01-01T00:00:00.000Z", "2024-06-01T00:00:00.000Z"])
    # get(id) of an unknown id: 404 -> None
    try:
        coll.get_object(sid("indicator", "nothing", 1))
        code = 200
    except HTTPError as e:
        code = e.resp.status
    check("stix2 get(unknown id): 404 (the source returns None)", code == 404)
    # sink.add(dict with spec_version): a STIX 2.1 bundle posted as the
    # envelope, waiting for completion
    o = indicator("stix2", 1)
    bundle = json.dumps({"type": "bundle", "id": "bundle--" + str(uuid.uuid5(NS, "b1")), "objects": [o]})
    st = coll.add_objects(bundle)
    check("stix2 sink.add: a bundle as the envelope, status complete with 1 success",
          st.status == "complete" and st.success_count == 1)
    node.stored[dflt][o["id"]] = [o["modified"]]
    # query that matches nothing: get_objects(...)["objects"]
    env = coll.get_objects(type="attack-pattern")
    check("stix2 query with no match: get_objects(...)['objects'] is [] (no KeyError)",
          env.get("objects") == [] and env.get("more") is False, json.dumps(env))
    tc.conn.close()


def main():
    binary = os.environ.get("ALD_BIN")
    if not binary:
        print("ALD_BIN must point at the alidade binary")
        return 1
    tmp = tempfile.mkdtemp(prefix="ald-clients-")
    data = os.path.join(tmp, "data")
    proc = None

    def on_alarm(signum, frame):
        raise TimeoutError("test_clients.py took too long")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(240)
    try:
        tokens = {"alpha": run_cmd([binary, "partner", "add", "alpha", "--data", data, "--read", "*", "--write", "*"]),
                  "reader": run_cmd([binary, "partner", "add", "reader", "--data", data])}
        cols = {}
        for title in ("Feed Two", "SCO first", "MISP push"):
            cols[title] = run_cmd([binary, "collection", "add", title, "--data", data])
        proc, port = start_server(binary, data, os.path.join(tmp, "serve.err"))
        if not check("server started on a free loopback port", port is not None):
            with open(os.path.join(tmp, "serve.err")) as f:
                print(f.read())
            return 1
        base = "http://127.0.0.1:%d" % port
        c = Conn()
        r = c.request("GET", base + "/api/collections/", {"Accept": V21, "Authorization": basic_auth_header("alpha", tokens["alpha"])})
        c.close()
        for col in r.json()["collections"]:
            if col["title"] == "Default":
                cols["Default"] = col["id"]
        node = Node(base, tokens, cols)
        for section in (section_taxii2client, section_opencti_ingester, section_opencti_connector, section_misp,
                        section_stix2):
            try:
                section(node)
            except Exception as e:        # a client would have raised here
                check("%s ran to its end" % section.__name__, False, "%s: %s" % (type(e).__name__, e))
    finally:
        signal.alarm(0)
        stop_server(proc)
        # a server built with sanitizers reports on its stderr
        try:
            with open(os.path.join(tmp, "serve.err"), errors="replace") as f:
                err = f.read()
        except OSError:
            err = ""
        san = [l for l in err.splitlines() if "AddressSanitizer" in l or "LeakSanitizer" in l
               or "runtime error:" in l]
        if proc is not None:
            check("every page with more=true (%d seen) carries next" % PAGING.more,
                  PAGING.more > 0 and PAGING.without_next == 0)
            check("server stderr has no sanitizer report", not san, "; ".join(san[:3]))
            print("# server exit status after SIGTERM: %s" % proc.returncode)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
