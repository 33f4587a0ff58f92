#!/usr/bin/env python3
"""gen_match.py - inputs of bench/match.sh (deterministic, seeded).

  gen_match.py eve OUT.json SIZE_MB EXPECTED.tsv PLANTED.tsv
      Suricata EVE JSON lines, about SIZE_MB megabytes: the real alerts of
      ../shared/data/cti/logs/suricata-eve (as they are) and dns / http /
      tls / flow / fileinfo events in Suricata's layout made with real
      values: the names, answers, addresses and ports of the Zeek DNS log of
      WRCCDC 2018 (zeek-json/dns.json.gz). Every 2,000th line carries one
      planted value (a domain, address, URL, file hash or TLS fingerprint
      listed in PLANTED.tsv as kind<TAB>value); EXPECTED.tsv gets
      line<TAB>kind<TAB>value for each.
  gen_match.py indicators PLANTED.tsv N OUT.jsonl VALUES.txt
      N STIX 2.1 indicators as JSON lines: every planted value, then random
      real-looking ones (domains, IPv4 addresses and some CIDRs, MD5 / SHA-1 /
      SHA-256 hashes, URLs, e-mail addresses), plus 200 "lookalikes" of
      values in the log (parent domains of real queries, addresses that are
      a textual prefix of real ones: 10.47.8.15 for 10.47.8.150) which are
      exactly what a substring search reports wrongly. VALUES.txt: every
      value that `grep -F -f` can look for (all but CIDRs), one per line.
"""
import gzip
import hashlib
import json
import os
import random
import sys

SHARED = os.environ.get("ALD_SHARED_DATA",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/data"))
EVE_SETS = ["first-org-conf-2015", "honeypot-2018", "wrccdc-2017", "wrccdc-2018"]
PLANT_EVERY = 2000


def zeek_dns():
    recs = []
    with gzip.open(os.path.join(SHARED, "cti/logs/zeek-wrccdc2018/zeek-json/dns.json.gz"), "rt") as f:
        for line in f:
            d = json.loads(line)
            if d.get("query"):
                recs.append((d["ts"], d["id.orig_h"], d["id.orig_p"], d["id.resp_h"], d["id.resp_p"],
                             d["proto"].upper(), d["query"], d.get("qtype_name") or "A",
                             [a for a in d.get("answers") or []]))
    return recs


def real_alerts():
    out = []
    for s in EVE_SETS:
        with open(os.path.join(SHARED, "cti/logs/suricata-eve", s, "alerts-only.eve.ndjson")) as f:
            out += [l.rstrip("\n") for l in f if l.strip()]
    return out


def evets(z):
    # "2018-03-24T17:15:20.865716Z" -> Suricata's "...+0000"
    return z[:-1] + "+0000"


def gen_eve(out_path, size_mb, exp_path, planted_path):
    rnd = random.Random(20260123)
    dns = zeek_dns()
    alerts = real_alerts()
    target = size_mb * 1000 * 1000
    plant = []   # (kind, value)
    # planted values: never in the log otherwise (names under .invalid-like
    # random labels, addresses in 198.18.0.0/15, random hashes)
    for i in range(50):
        plant.append(("domain", "c2-%s.%s" % (rnd.getrandbits(40).to_bytes(5, "big").hex(),
                                              rnd.choice(["com", "net", "info", "ru"]))))
        plant.append(("ipv4", "198.18.%d.%d" % (rnd.randrange(256), rnd.randrange(1, 255))))
        plant.append(("url", "http://dl-%d.example-cdn.net/p/%s.bin" % (i, rnd.getrandbits(48).to_bytes(6, "big").hex())))
        plant.append(("sha256", rnd.getrandbits(256).to_bytes(32, "big").hex()))
        plant.append(("md5", rnd.getrandbits(128).to_bytes(16, "big").hex()))
        plant.append(("x509sha1", rnd.getrandbits(160).to_bytes(20, "big").hex()))
    with open(planted_path, "w") as f:
        for k, v in plant:
            f.write("%s\t%s\n" % (k, v))
    out = open(out_path, "w", buffering=1 << 22)
    exp = open(exp_path, "w")
    written = 0
    line = 0
    flow = 1000000
    pi = 0
    while written < target:
        line += 1
        flow += 1
        ts, oh, op, rh, rp, proto, q, qt, ans = dns[rnd.randrange(len(dns))]
        r = rnd.random()
        pk = None
        if line % PLANT_EVERY == 0:
            pk, pv = plant[pi % len(plant)]
            pi += 1
            exp.write("%d\t%s\t%s\n" % (line, pk, pv))
        if pk == "domain":
            q = pv
            r = 0.3
        elif pk == "ipv4":
            rh = pv
            r = 0.3
        elif pk == "url":
            r = 0.6
        elif pk in ("sha256", "md5"):
            r = 0.95
        elif pk == "x509sha1":
            r = 0.8
        if r < 0.2 and pk is None:
            s = alerts[rnd.randrange(len(alerts))]
        elif r < 0.55:
            if ans and rnd.random() < 0.5:
                answers = ",".join('{"rrname":"%s","rrtype":"%s","ttl":%d,"rdata":"%s"}' % (
                    q, "A" if a[:1].isdigit() else "CNAME", rnd.randrange(30, 3600), a) for a in ans[:4])
                s = ('{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"dns","src_ip":"%s",'
                     '"src_port":%d,"dest_ip":"%s","dest_port":%d,"proto":"%s","dns":{"version":2,'
                     '"type":"answer","id":%d,"flags":"8180","qr":true,"rd":true,"ra":true,"rrname":"%s",'
                     '"rrtype":"%s","rcode":"NOERROR","answers":[%s]}}') % (
                    evets(ts), flow, rh, rp, oh, op, proto, rnd.randrange(65536), q, qt, answers)
            else:
                s = ('{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"dns","src_ip":"%s",'
                     '"src_port":%d,"dest_ip":"%s","dest_port":%d,"proto":"%s","dns":{"type":"query",'
                     '"id":%d,"rrname":"%s","rrtype":"%s","tx_id":0}}') % (
                    evets(ts), flow, oh, op, rh, rp, proto, rnd.randrange(65536), q, qt)
        elif r < 0.7:
            host, url = q, "/%s/%d.html" % (rnd.choice(["news", "img", "api/v1", "static", "login"]),
                                           rnd.randrange(100000))
            if pk == "url":
                rest = pv[len("http://"):]
                host, url = rest.split("/", 1)[0], "/" + rest.split("/", 1)[1]
            s = ('{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"http","src_ip":"%s",'
                 '"src_port":%d,"dest_ip":"%s","dest_port":80,"proto":"TCP","tx_id":0,"http":{'
                 '"hostname":"%s","url":"%s","http_user_agent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)",'
                 '"http_content_type":"text/html","http_method":"GET","protocol":"HTTP/1.1","status":200,'
                 '"length":%d}}') % (evets(ts), flow, oh, rnd.randrange(1024, 65535), rh, host, url,
                                     rnd.randrange(100, 100000))
        elif r < 0.82:
            fp = pv if pk == "x509sha1" else hashlib.sha1(q.encode()).hexdigest()
            fp = ":".join(fp[k:k + 2] for k in range(0, 40, 2))
            s = ('{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"tls","src_ip":"%s",'
                 '"src_port":%d,"dest_ip":"%s","dest_port":443,"proto":"TCP","tls":{"subject":"CN=%s",'
                 '"issuerdn":"C=US, O=Let\'s Encrypt, CN=R3","serial":"04:%02X:%02X","fingerprint":"%s",'
                 '"sni":"%s","version":"TLS 1.2","notbefore":"2018-01-01T00:00:00",'
                 '"notafter":"2018-04-01T00:00:00"}}') % (evets(ts), flow, oh, rnd.randrange(1024, 65535),
                                                         rh, q, rnd.randrange(256), rnd.randrange(256), fp, q)
        elif r < 0.93:
            s = ('{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"flow","src_ip":"%s",'
                 '"src_port":%d,"dest_ip":"%s","dest_port":%d,"proto":"%s","app_proto":"dns","flow":{'
                 '"pkts_toserver":%d,"pkts_toclient":%d,"bytes_toserver":%d,"bytes_toclient":%d,'
                 '"start":"%s","end":"%s","age":0,"state":"established","reason":"timeout",'
                 '"alerted":false}}') % (evets(ts), flow, oh, op, rh, rp, proto, rnd.randrange(1, 9),
                                          rnd.randrange(1, 9), rnd.randrange(60, 900),
                                          rnd.randrange(60, 9000), evets(ts), evets(ts))
        else:
            md5 = pv if pk == "md5" else hashlib.md5(str(flow).encode()).hexdigest()
            sha = pv if pk == "sha256" else hashlib.sha256(str(flow).encode()).hexdigest()
            s = ('{"timestamp":"%s","flow_id":%d,"in_iface":"eth0","event_type":"fileinfo","src_ip":"%s",'
                 '"src_port":80,"dest_ip":"%s","dest_port":%d,"proto":"TCP","http":{"hostname":"%s",'
                 '"url":"/dl/%d.exe"},"app_proto":"http","fileinfo":{"filename":"/dl/%d.exe",'
                 '"magic":"PE32 executable (GUI) Intel 80386, for MS Windows","gaps":false,'
                 '"state":"CLOSED","md5":"%s","sha256":"%s","stored":false,"size":%d,"tx_id":0}}') % (
                evets(ts), flow, rh, oh, op, q, flow, flow, md5, sha, rnd.randrange(1000, 10 ** 6))
        out.write(s)
        out.write("\n")
        written += len(s) + 1
    out.close()
    exp.close()
    print("lines=%d bytes=%d planted=%d" % (line, written, line // PLANT_EVERY))


def gen_indicators(planted_path, n, out_path, values_path):
    rnd = random.Random(n)
    words = ["secure", "login", "update", "cdn", "mail", "cloud", "api", "static", "portal", "app",
             "account", "verify", "service", "files", "data", "web", "my", "online", "net", "sync"]
    tlds = ["com", "net", "org", "info", "ru", "cn", "xyz", "top", "io", "biz", "de", "co.uk"]
    pats = []
    vals = []
    with open(planted_path) as f:
        for line in f:
            k, v = line.rstrip("\n").split("\t")
            pats.append({"domain": "[domain-name:value = '%s']",
                         "ipv4": "[ipv4-addr:value = '%s']",
                         "url": "[url:value = '%s']",
                         "sha256": "[file:hashes.'SHA-256' = '%s']",
                         "md5": "[file:hashes.MD5 = '%s']",
                         "x509sha1": "[x509-certificate:hashes.'SHA-1' = '%s']"}[k] % v)
            vals.append(v)
    # lookalikes of values really in the log: a substring search hits them
    dns = zeek_dns()
    # (a lookalike must not itself be a value of the log: every name, answer
    # and address of the Zeek records and of the alerts is excluded)
    inlog = set()
    for d in dns:
        inlog.update([d[1], d[3], d[6].lower()] + [a.lower() for a in d[8]])
    for s in real_alerts():
        o = json.loads(s)
        inlog.update([o.get("src_ip"), o.get("dest_ip")])
        for k in ("http", "tls", "dns"):
            for v in (o.get(k) or {}).values():
                if isinstance(v, str):
                    inlog.add(v.lower())
    names = sorted({d[6].lower() for d in dns if d[6].count(".") >= 2})
    addrs = sorted({d[1] for d in dns} | {d[3] for d in dns})
    r2 = random.Random(7)
    parents = sorted({n.split(".", 1)[1] for n in names} - inlog)
    for parent in r2.sample(parents, min(100, len(parents))):
        pats.append("[domain-name:value = '%s']" % parent)
        vals.append(parent)
    prefs = sorted({a[:-1] for a in addrs if a.count(".") == 3 and len(a.rsplit(".", 1)[1]) >= 2}
                   - inlog)
    for pref in r2.sample(prefs, min(100, len(prefs))):
        pats.append("[ipv4-addr:value = '%s']" % pref)
        vals.append(pref)
    # random addresses and CIDRs must not meet the log by chance (its
    # answers hold public addresses): only planted values hit
    log24 = {a.rsplit(".", 1)[0] for a in inlog if a and a.count(".") == 3 and a[0].isdigit()}
    while len(pats) < n:
        r = rnd.random()
        if r < 0.40:
            v = "%s%s-%s%d.%s" % (rnd.choice(words), rnd.choice(words), rnd.choice(words),
                                   rnd.randrange(10000), rnd.choice(tlds))
            pats.append("[domain-name:value = '%s']" % v)
        elif r < 0.69:
            # public space only (the log is 10/8 and friends)
            v = "%d.%d.%d.%d" % (rnd.choice([23, 45, 62, 77, 91, 103, 146, 185, 193, 212]),
                                 rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
            if v.rsplit(".", 1)[0] in log24:
                continue
            pats.append("[ipv4-addr:value = '%s']" % v)
        elif r < 0.70:
            v = "%d.%d.%d" % (rnd.choice([5, 31, 37, 46, 80, 94, 109, 176, 178, 217]),
                              rnd.randrange(256), rnd.randrange(256))
            if v in log24:
                continue
            pats.append("[ipv4-addr:value = '%s.0/24']" % v)
            v = None
        elif r < 0.77:
            v = rnd.getrandbits(128).to_bytes(16, "big").hex()
            pats.append("[file:hashes.MD5 = '%s']" % v)
        elif r < 0.82:
            v = rnd.getrandbits(160).to_bytes(20, "big").hex()
            pats.append("[file:hashes.'SHA-1' = '%s']" % v)
        elif r < 0.92:
            v = rnd.getrandbits(256).to_bytes(32, "big").hex()
            pats.append("[file:hashes.'SHA-256' = '%s']" % v)
        elif r < 0.97:
            v = "http://%s%d.%s/%s/%s.php" % (rnd.choice(words), rnd.randrange(100000),
                                              rnd.choice(tlds), rnd.choice(words),
                                              rnd.getrandbits(32).to_bytes(4, "big").hex())
            pats.append("[url:value = '%s']" % v)
        else:
            v = "%s.%s%d@%s%s.%s" % (rnd.choice(words), rnd.choice(words), rnd.randrange(1000),
                                     rnd.choice(words), rnd.choice(words), rnd.choice(tlds))
            pats.append("[email-addr:value = '%s']" % v)
        if v:
            vals.append(v)
    with open(out_path, "w", buffering=1 << 22) as f:
        for i, p in enumerate(pats):
            f.write('{"type":"indicator","spec_version":"2.1","id":"indicator--%08x-0000-4000-8000-%012x",'
                    '"created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z",'
                    '"pattern":"%s","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"}\n'
                    % (n, i, p))
    with open(values_path, "w") as f:
        f.write("\n".join(vals) + "\n")
    print("indicators=%d grep_values=%d" % (len(pats), len(vals)))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "eve":
        gen_eve(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif len(sys.argv) == 6 and sys.argv[1] == "indicators":
        gen_indicators(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)
