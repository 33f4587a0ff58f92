#!/usr/bin/python3
"""oasis_schemas.py - `alidade stix validate` against the OASIS STIX 2.1 JSON
schemas (python3-jsonschema, schemas resolved by their $id the way
tests/detect/validate_stix.py does) on real objects:

  - every object of the OASIS examples (stix2-json-schemas/examples) and of
    both ATT&CK ICS bundles that has a schema (ATT&CK's x-mitre-* custom
    types have none);
  - hand-made objects the schemas reject, each for one reason;
  - hand-made objects the schemas accept but the spec's text does not allow
    (reference types, time order, calendar dates), with alidade's reason.

An object the schemas accept must be valid for alidade (FAIL otherwise). For
every object the schemas reject, the schema's reason and alidade's problems
are printed side by side, and alidade must reject it too unless the case is
listed in KNOWN (a rule the schemas have that the spec does not).
Exits 77 (skipped) when ../shared/data is absent.
"""
import glob
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

SKIP = 77
IND = {"type": "indicator", "spec_version": "2.1",
       "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
       "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.000Z",
       "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix",
       "valid_from": "2016-01-01T00:00:00Z"}


def variant(n, **kw):
    """IND with other ids (one per case) and the given changes; None deletes."""
    o = dict(IND, id="indicator--8e2e2d2b-17d4-4cbf-938f-%012d" % n)
    for k, v in kw.items():
        if v is None:
            o.pop(k, None)
        else:
            o[k] = v
    return o


# objects the schemas reject, one reason each
HAND = [
    variant(1, spec_version="2.2"),
    variant(2, created="2016-04-06T20:03:48Z"),
    variant(3, modified="2016-13-06T20:03:48.000Z"),
    variant(4, labels=[]),
    variant(5, created_by_ref="identity--1234"),
    variant(6, confidence=101),
    variant(7, pattern=None),
    variant(9, external_references=[{"url": "https://example.org"}]),
    variant(10, severity="high"),
    variant(11, granular_markings=[{"selectors": [], "marking_ref":
            "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}]),
    variant(12, extensions={}),
    variant(13, id="indicator--8e2e2d2b-17d4-4cbf-738f-000000000013"),
]
KNOWN = {}
# objects the schemas accept and the spec does not: alidade must say why
STRICTER = [
    (variant(8, object_marking_refs=["identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"]),
     "object_marking_refs[0]: must be a marking-definition id, not an identity id"),
    (variant(14, modified="2016-04-06T20:03:47.000Z"), "modified: must be at or after created"),
    (variant(15, created="2016-02-30T20:03:48.000Z"),
     "created: must be an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.s+]Z)"),
    (variant(16, valid_until="2015-01-01T00:00:00Z"), "valid_until: must be later than valid_from"),
]


def load_helpers():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "validate_stix", os.path.join(here, "..", "detect", "validate_stix.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def schema_errors(vs, store, validators, o):
    """The schema's reasons for rejecting o ([] accepted), None: no schema."""
    import jsonschema
    t = o.get("type", "")
    if t not in validators:
        s = vs.schema_for(store, t)
        validators[t] = s and jsonschema.Draft202012Validator(
            s, resolver=jsonschema.RefResolver.from_schema(s, store=store))
    if not validators[t]:
        return None
    return ["%s (at %s)" % (e.message[:160], "/".join(str(p) for p in e.path))
            for e in validators[t].iter_errors(o)]


def alidade_problems(alidade, objs):
    """alidade's problems per object index: JSON lines through `stix validate`."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for o in objs:
            f.write(json.dumps(o) + "\n")
        path = f.name
    try:
        p = subprocess.run([alidade, "stix", "validate", "-q", path], stdout=subprocess.PIPE,
                           check=False)
    finally:
        os.unlink(path)
    by_id = {}
    for line in p.stdout.decode().splitlines():
        rest = line[len(path) + 2:]
        oid, _, msg = rest.partition(": ")
        by_id.setdefault(oid, []).append(msg)
    return [by_id.get(o.get("id"), []) for o in objs], p.returncode


def main():
    shared = os.environ.get("ALD_SHARED_DATA", "")
    root = os.path.join(shared, "cti", "stix2-json-schemas")
    if not os.path.isdir(root):
        print("skipped: %s absent (../shared/data holds the OASIS schemas)" % root)
        return SKIP
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        print("FAIL: python3-jsonschema is not installed (scripts/install-deps.sh installs it)")
        return 1
    vs = load_helpers()
    store = vs.schema_store(root)
    validators = {}
    files = sorted(glob.glob(os.path.join(root, "examples", "*.json")) +
                   glob.glob(os.path.join(root, "examples", "threat-reports", "*.json")) +
                   glob.glob(os.path.join(shared, "cti", "attack", "*.json")))
    objs = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        objs += [(os.path.basename(path), o) for o in d.get("objects", [d])]
    objs += [("hand-made", o) for o in HAND]
    objs += [("stricter", o) for o, _ in STRICTER]
    want = {o["id"]: why for o, why in STRICTER}
    got, _ = alidade_problems(os.environ["ALD_BIN"], [o for _, o in objs])
    fails = accepted = rejected = noschema = 0
    for (src, o), probs in zip(objs, got):
        errs = schema_errors(vs, store, validators, o)
        if errs is None:
            noschema += 1
            if probs:
                print("FAIL: %s %s (no OASIS schema): alidade: %s" % (src, o["id"], probs))
                fails += 1
            continue
        if not errs and o["id"] in want:
            accepted += 1
            print("schemas accept %s %s; the spec does not, alidade: %s"
                  % (src, o["id"], "; ".join(probs)))
            if probs != [want[o["id"]]]:
                print("FAIL: wanted exactly: %s" % want[o["id"]])
                fails += 1
            continue
        if not errs:
            accepted += 1
            if probs:
                print("FAIL: %s %s: the schemas accept it, alidade says %s" % (src, o["id"], probs))
                fails += 1
            continue
        rejected += 1
        print("schemas reject %s %s: %s" % (src, o.get("id"), errs[0]))
        print("    alidade: %s" % ("; ".join(probs) if probs else "valid"))
        if not probs and o.get("id") not in KNOWN:
            print("FAIL: alidade accepts what the schemas reject, not a known difference")
            fails += 1
    print("%d objects: %d accepted by the schemas, %d rejected, %d without a schema (custom)"
          % (len(objs), accepted, rejected, noschema))
    print("%d passed, %d failed" % (len(objs) - fails, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
