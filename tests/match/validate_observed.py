#!/usr/bin/python3
"""validate_observed.py - the observed-data and SCOs lib/match writes for log
records (ald_logrec_observed_data), checked against the OASIS STIX 2.1 JSON
schemas (cti-stix2-json-schemas in ../shared/data/cti/stix2-json-schemas,
resolved by their $id as tests/detect/validate_stix.py does) and against what
the schemas cannot say:

  - every SCO id is the STIX 2.1 deterministic id, recomputed here with
    Python's uuid.uuid5 over the JSON of the ID-contributing properties
    (json.dumps sort_keys, compact, ensure_ascii=False: RFC 8785 for these
    objects), one hash chosen as python-stix2 does;
  - every reference (object_refs, src_ref, dst_ref, created_by_ref)
    resolves in the bundle; created/modified to the millisecond;
    first_observed <= last_observed; number_observed 1;
  - two runs give the same bytes.

Input: `test_observed --dump` (argv[1]): the observed-data of every shared
Suricata EVE alert, the committed Zeek samples and hand-made text lines.
Exits 77 (skipped) when ../shared/data is absent.
"""
import datetime
import json
import os
import re
import subprocess
import sys
import uuid

SKIP = 77
SCHEMAS = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"
SCO_NS = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
MS_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ID_PROPS = {
    "ipv4-addr": ["value"], "ipv6-addr": ["value"], "domain-name": ["value"],
    "url": ["value"], "email-addr": ["value"],
    "file": ["hashes", "name", "extensions", "parent_directory_ref"],
    "x509-certificate": ["hashes", "serial_number"],
    "network-traffic": ["start", "end", "src_ref", "dst_ref", "src_port", "dst_port",
                        "protocols", "extensions"],
}
failures = []
checks = [0]


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def expect(cond, msg):
    checks[0] += 1
    if not cond:
        fail(msg)


def one_hash(h):
    for k in ("MD5", "SHA-1", "SHA-256", "SHA-512"):
        if k in h:
            return {k: h[k]}
    k = next(iter(h))
    return {k: h[k]}


def sco_id(o):
    contrib = {}
    for k in ID_PROPS[o["type"]]:
        if k in o:
            contrib[k] = one_hash(o[k]) if k == "hashes" else o[k]
    text = json.dumps(contrib, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "%s--%s" % (o["type"], uuid.uuid5(SCO_NS, text))


def ts(s):
    s = s.rstrip("Z")
    if "." in s:
        head, frac = s.split(".")
        s = head + "." + (frac + "000000")[:6]
    else:
        s += ".000000"
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f")


def schema_store(root):
    store = {}
    for d, _, files in os.walk(os.path.join(root, "schemas")):
        for f in files:
            if f.endswith(".json"):
                with open(os.path.join(d, f), encoding="utf-8") as fh:
                    s = json.load(fh)
                store[s["$id"]] = s
    return store


def schema_for(store, typ):
    for sub in ("sdos", "sros", "common", "observables"):
        if SCHEMAS + sub + "/" + typ + ".json" in store:
            return store[SCHEMAS + sub + "/" + typ + ".json"]
    return None


def main():
    shared = os.environ.get("ALD_SHARED_DATA", "")
    root = os.path.join(shared, "cti", "stix2-json-schemas")
    if not os.path.isdir(shared):
        print("skipped: %s absent (../shared/data holds the OASIS schemas)" % (shared or "ALD_SHARED_DATA"))
        return SKIP
    if not os.path.isdir(root):
        print("FAIL: %s absent from the shared data" % root)
        return 1
    try:
        import jsonschema
    except ImportError:
        print("FAIL: python3-jsonschema is not installed (scripts/install-deps.sh installs it)")
        return 1
    store = schema_store(root)
    vcls, rcls = jsonschema.Draft202012Validator, jsonschema.RefResolver
    runs = [subprocess.run([sys.argv[1], "--dump"], stdout=subprocess.PIPE, check=False)
            for _ in range(2)]
    for r in runs:
        expect(r.returncode == 0, "test_observed --dump exited %d" % r.returncode)
    expect(runs[0].stdout == runs[1].stdout, "two runs give different objects")
    bundle = json.loads(runs[0].stdout.decode("utf-8", errors="strict"))
    objs = bundle["objects"]
    ids = {o["id"] for o in objs}
    expect(len(ids) == len(objs), "duplicate ids in the bundle")
    validators = {}
    counts = {}
    for o in objs:
        typ = o["type"]
        counts[typ] = counts.get(typ, 0) + 1
        if typ not in validators:
            s = schema_for(store, typ)
            validators[typ] = s and vcls(s, resolver=rcls.from_schema(s, store=store))
        if validators[typ] is None:
            fail("no OASIS schema for type %r" % typ)
            continue
        errs = list(validators[typ].iter_errors(o))
        for err in errs[:3]:
            fail("%s: %s (at %s)" % (o["id"], err.message, list(err.path)))
        expect(not errs, "%s valid against the %s schema" % (o["id"], typ))
        refs = list(o.get("object_refs", []))
        for k in ("src_ref", "dst_ref", "created_by_ref"):
            if k in o:
                refs.append(o[k])
        for r in refs:
            expect(r in ids, "%s: reference %s in the bundle" % (o["id"], r))
        if typ in ID_PROPS:
            expect(o["id"] == sco_id(o), "%s: deterministic id (want %s)" % (o["id"], sco_id(o)))
        if typ == "observed-data":
            for k in ("created", "modified"):
                expect(MS_TIME.match(o[k]), "%s: %s %r to the millisecond" % (o["id"], k, o[k]))
            expect(ts(o["first_observed"]) <= ts(o["last_observed"]),
                   "%s: first_observed after last_observed" % o["id"])
            expect(o["number_observed"] == 1, "%s: number_observed" % o["id"])
            expect(len(o["object_refs"]) == len(set(o["object_refs"])),
                   "%s: object_refs repeats an id" % o["id"])
    # what the inputs hold, at least
    for typ in ("observed-data", "ipv4-addr", "ipv6-addr", "network-traffic", "domain-name",
                "url", "email-addr", "file", "x509-certificate"):
        expect(counts.get(typ, 0) > 0, "no %s object in the dump" % typ)
    print("%d objects: %s" % (len(objs), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    bad = len(failures)
    print("%d passed, %d failed" % (checks[0] - bad, bad))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
