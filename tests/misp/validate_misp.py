#!/usr/bin/python3
"""validate_misp.py - what `alidade misp convert` writes, against the OASIS
STIX 2.1 JSON schemas (python3-jsonschema, schemas resolved by their $id with
the helpers of tests/detect/validate_stix.py) and the rules the schemas
leave out (references resolve inside the bundle, millisecond timestamps,
modified >= created, no id twice):

  - the committed feed (tests/data/misp/feed: CIRCL's OSINT event), the
    hand-made event with every mapped type (events/all-types.json) and
    PyMISP's shadow.json, in one run (one bundle);
  - every PyMISP test event and the feed of ../shared/data/cti/misp.

Also checks that indicator ids are the MISP attribute uuids.
Exits 77 (skipped) when ../shared/data is absent.
"""
import glob
import importlib.util
import json
import os
import subprocess
import sys

SKIP = 77


def load_helpers():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "validate_stix", os.path.join(here, "..", "detect", "validate_stix.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def convert(alidade, args):
    p = subprocess.run([alidade, "misp", "convert", "-q"] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def main():
    shared = os.environ.get("ALD_SHARED_DATA", "")
    root = os.path.join(shared, "cti", "stix2-json-schemas")
    if not os.path.isdir(root):
        print("skipped: %s absent (../shared/data holds the OASIS schemas)" % root)
        return SKIP
    try:
        import jsonschema
    except ImportError:
        print("FAIL: python3-jsonschema is not installed (scripts/install-deps.sh installs it)")
        return 1
    h = load_helpers()
    store = h.schema_store(root)
    vcls, rcls = jsonschema.Draft202012Validator, jsonschema.RefResolver
    alidade = os.environ["ALD_BIN"]
    data = os.environ["ALD_TEST_DATA"]

    committed = [os.path.join(data, "misp", "feed"),
                 os.path.join(data, "misp", "events", "all-types.json"),
                 os.path.join(data, "misp", "events", "pymisp-shadow.json")]
    rc, out, err = convert(alidade, committed)
    h.expect(rc == 0, "committed inputs convert (exit %d: %s)" % (rc, err.strip()))
    objs = h.case("committed inputs", h.check_bundle, "committed", out, store, rcls, vcls)
    kinds = {}
    for o in objs:
        kinds[o["type"]] = kinds.get(o["type"], 0) + 1
    print("committed inputs: %d objects %s" % (len(objs), sorted(kinds.items())))
    h.expect(kinds.get("indicator") == 5 + 44 + 1, "50 indicators (%s)" % kinds.get("indicator"))
    h.expect(kinds.get("report") == 3, "3 reports")
    h.expect(kinds.get("identity") == 2, "2 identities (CIRCL, Test CERT)")

    # ids: the MISP attribute uuids of the hand-made event
    with open(committed[1], encoding="utf-8") as f:
        ev = json.load(f)["Event"]
    ids = {o["id"] for o in objs}
    want = [a["uuid"] for a in ev["Attribute"]
            if a.get("to_ids") and not a.get("deleted") and a["uuid"][14] in "12345"
            and a["type"] not in ("text", "vulnerability", "btc")
            and not a["uuid"].endswith(("40", "41", "42", "43", "44", "45"))]
    missing = [u for u in want if "indicator--" + u not in ids]
    h.expect(not missing, "indicator ids are the attribute uuids (missing %s)" % missing)

    # every real MISP file of the shared data that is an event
    real = sorted(glob.glob(os.path.join(shared, "cti", "misp", "pymisp-testfiles", "*.json")))
    real.append(os.path.join(shared, "cti", "misp", "feed-sample-derived"))
    for path in real:
        rc, out, err = convert(alidade, [path])
        name = os.path.basename(path)
        if name in ("sharing_groups.json", "sighting.json", "stix2.json"):
            h.expect(rc == 1 and "not a MISP event" in err, "%s rejected: %s" % (name, err.strip()))
            continue
        h.expect(rc == 0, "%s converts (exit %d: %s)" % (name, rc, err.strip()))
        objs = h.case(name, h.check_bundle, name, out, store, rcls, vcls)
        print("%s: %d objects" % (name, len(objs)))
    return h.summary()


if __name__ == "__main__":
    sys.exit(main())
