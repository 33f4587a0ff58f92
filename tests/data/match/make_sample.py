#!/usr/bin/env python3
"""Writes sample.eve.json (run once; the output is committed).

Lines 1-100: the first 100 alerts of the real Suricata sample
suricata-eve/wrccdc-2018/alerts-only.eve.ndjson, as they are.
Lines 101-: EVE events (dns, http, tls, fileinfo, smtp, flow) in Suricata's
layout made from real Zeek records of the same exercise
(zeek-wrccdc2018/zeek-json/dns.json.gz): queries, answers, addresses, ports
and times are the real ones; URL paths, hashes and mail addresses are made
up (deterministically) where Zeek has none.
"""
import datetime
import gzip
import hashlib
import json
import os
import sys

shared = os.environ.get("ALD_SHARED_DATA",
                        os.path.join(os.path.dirname(__file__), "../../../../shared/data"))
eve = os.path.join(shared, "cti/logs/suricata-eve/wrccdc-2018/alerts-only.eve.ndjson")
dns = os.path.join(shared, "cti/logs/zeek-wrccdc2018/zeek-json/dns.json.gz")

out = []
with open(eve) as f:
    for i, line in enumerate(f):
        if i == 100:
            break
        out.append(line.rstrip("\n"))


def ts(z):
    t = datetime.datetime.strptime(z, "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+0000"


def dump(o):
    return json.dumps(o, separators=(",", ":"))


recs = []
seen = set()
with gzip.open(dns, "rt") as f:
    for line in f:
        d = json.loads(line)
        q = d.get("query")
        if not q or q in seen:
            continue
        seen.add(q)
        recs.append(d)
        if len(recs) == 60:
            break

flow = 1000
for i, d in enumerate(recs):
    flow += 7
    base = {"timestamp": ts(d["ts"]), "flow_id": flow, "in_iface": "eth0"}
    addr = {"src_ip": d["id.orig_h"], "src_port": d["id.orig_p"],
            "dest_ip": d["id.resp_h"], "dest_port": d["id.resp_p"], "proto": d["proto"].upper()}
    q = d["query"]
    e = dict(base, event_type="dns", **addr)
    e["dns"] = {"type": "query", "id": d.get("trans_id", 0), "rrname": q,
                "rrtype": d.get("qtype_name", "A"), "tx_id": 0}
    out.append(dump(e))
    if d.get("answers"):
        e = dict(base, event_type="dns", **addr)
        e["dns"] = {"version": 2, "type": "answer", "id": d.get("trans_id", 0), "rrname": q,
                    "rrtype": d.get("qtype_name", "A"), "rcode": d.get("rcode_name", "NOERROR"),
                    "answers": [{"rrname": q, "rrtype": "A" if a[0].isdigit() else "CNAME",
                                 "ttl": 60, "rdata": a} for a in d["answers"]]}
        out.append(dump(e))
    if i % 6 == 0:
        h = dict(base, event_type="http", src_ip=d["id.orig_h"], src_port=40000 + i,
                 dest_ip="10.47.3.200", dest_port=80, proto="TCP")
        h["http"] = {"hostname": q, "url": "/index.php?id=%d" % i,
                     "http_user_agent": "Mozilla/5.0", "http_method": "GET",
                     "protocol": "HTTP/1.1", "status": 200, "length": 512}
        out.append(dump(h))
    if i % 10 == 3:
        fp = hashlib.sha1(q.encode()).hexdigest()
        t = dict(base, event_type="tls", src_ip=d["id.orig_h"], src_port=41000 + i,
                 dest_ip="10.47.3.200", dest_port=443, proto="TCP")
        t["tls"] = {"subject": "CN=" + q, "issuerdn": "CN=ca", "serial": "00:%02X" % i,
                    "fingerprint": ":".join(fp[k:k + 2] for k in range(0, 40, 2)),
                    "sni": q, "version": "TLS 1.2"}
        out.append(dump(t))
    if i % 15 == 7:
        data = ("payload %d" % i).encode()
        fi = dict(base, event_type="fileinfo", src_ip="10.47.3.200", src_port=80,
                  dest_ip=d["id.orig_h"], dest_port=40000 + i, proto="TCP")
        fi["fileinfo"] = {"filename": "/dl/file%d.exe" % i, "magic": "PE32 executable",
                          "md5": hashlib.md5(data).hexdigest(),
                          "sha1": hashlib.sha1(data).hexdigest(),
                          "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        out.append(dump(fi))
    if i % 20 == 11:
        m = dict(base, event_type="smtp", src_ip=d["id.orig_h"], src_port=42000 + i,
                 dest_ip="10.47.8.208", dest_port=25, proto="TCP")
        m["smtp"] = {"helo": "mail.example", "mail_from": "<user%d@%s>" % (i, q),
                     "rcpt_to": ["<admin@wrccdc.org>", "<ops%d@team.wrccdc.org>" % i]}
        out.append(dump(m))

sys.stdout.write("\n".join(out) + "\n")
