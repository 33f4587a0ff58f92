#!/usr/bin/env python3
"""make-coastline.py - builds data/geo/ne-land-50m.geojson.zst, the coastline
that `alidade ais detect --shore builtin` uses, from the npm package
world-atlas (Natural Earth 1:50m land, TopoJSON, ISC; Natural Earth itself is
public domain). Run once by hand; the result is committed (see data/SOURCES.md):

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    scripts/make-coastline.py /tmp/package/land-50m.json data/geo/ne-land-50m.geojson.zst

What it does: decodes the TopoJSON (delta-encoded quantized arcs, transform
scale/translate), stitches each polygon ring from its arcs (a negative index
~i is arc i reversed; consecutive arcs share their joining point), and writes
one GeoJSON Feature per polygon with lon/lat rounded to 5 decimals (about
1 m, well below the source's quantization of 0.0036 x 0.0017 degree). Rings
keep the source's orientation. Nothing is simplified or added. The output is
compressed with zstd -19 (alidade reads gzip/zstd by their magic bytes).
"""
import json
import subprocess
import sys


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((round(x * sx + tx, 5), round(y * sy + ty, 5)))
        out.append(pts)
    return out


def ring(arcs, idxs):
    pts = []
    for i in idxs:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    if pts and pts[0] != pts[-1]:
        pts.append(pts[0])
    return pts


def unwrap(pts):
    """Longitudes made continuous (no step over 180 degrees)."""
    out = [pts[0]]
    for x, y in pts[1:]:
        px = out[-1][0]
        while x - px > 180:
            x -= 360
        while x - px < -180:
            x += 360
        out.append((x, y))
    return out


def clip(pts, x0, keep_above):
    """Sutherland-Hodgman against the half-plane x >= x0 (or x <= x0)."""
    inside = (lambda p: p[0] >= x0) if keep_above else (lambda p: p[0] <= x0)
    out = []
    for i, cur in enumerate(pts):
        prev = pts[i - 1]
        if inside(cur) != inside(prev):
            t = (x0 - prev[0]) / (cur[0] - prev[0])
            out.append((x0, round(prev[1] + t * (cur[1] - prev[1]), 5)))
        if inside(cur):
            out.append(cur)
    return out


def cut_antimeridian(pts):
    """A ring as rings within [-180, 180] (RFC 7946 3.1.9): the source's rings
    jump from 180 to -180 where they cross the antimeridian, and Antarctica's
    goes once around the pole. Unwrapped, a ring round a pole is closed through
    the pole; then it is clipped to each 360-degree band and shifted back.
    Clipping can leave zero-area bridges along x = +-180; alidade treats edges
    on the antimeridian as seams, not shore."""
    u = unwrap(pts)
    turn = u[-1][0] - u[0][0]
    if abs(turn) > 180:                      # goes round a pole
        pole = -90.0 if sum(p[1] for p in u) < 0 else 90.0
        u = u + [(u[-1][0], pole), (u[0][0], pole)]
    else:
        u = u[:-1]
    lo = min(p[0] for p in u)
    hi = max(p[0] for p in u)
    if lo >= -180 and hi <= 180:
        return [u + [u[0]]]
    out = []
    k = -1 if lo < -180 else 0
    while -180 + 360 * k < hi:
        part = clip(clip(u, -180 + 360 * k, True), 180 + 360 * k, False)
        if len(part) >= 3:
            part = [(round(x - 360 * k, 5), y) for x, y in part]
            out.append(part + [part[0]])
        k += 1
    return out


def contains(ring, pt):
    """Even-odd ray casting in the lon/lat plane."""
    x, y = pt
    c = False
    for (ax, ay), (bx, by) in zip(ring, ring[1:]):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            c = not c
    return c


def polygons(topo):
    arcs = decode_arcs(topo)
    for g in topo["objects"]["land"]["geometries"]:
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        for p in polys:
            rings = [ring(arcs, r) for r in p]
            # Antarctica's "hole" along -89.999 is the pole cap of the
            # source's spherical polygon, not a coast: dropped
            rings = [r for r in rings if max(abs(y) for _, y in r) < 89.99]
            outer = cut_antimeridian(rings[0])
            if len(outer) == 1:
                yield [outer[0]] + rings[1:]
            else:                            # each hole goes with the piece holding it
                polys = [[o] for o in outer]
                for h in rings[1:]:
                    for piece in cut_antimeridian(h):
                        owner = next(q for q in polys if contains(q[0], piece[0]))
                        owner.append(piece)
                yield from polys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        topo = json.load(f)
    lines = ['{"type":"FeatureCollection",'
             '"source":"Natural Earth 1:50m land (public domain) via npm world-atlas 2.0.2 '
             'land-50m.json (ISC), converted by scripts/make-coastline.py",'
             '"features":[']
    feats = []
    npts = 0
    for rings in polygons(topo):
        npts += sum(len(r) for r in rings)
        coords = json.dumps([[list(p) for p in r] for r in rings], separators=(",", ":"))
        feats.append('{"type":"Feature","properties":{},"geometry":'
                     '{"type":"Polygon","coordinates":' + coords + '}}')
    lines.append(",\n".join(feats))
    lines.append("]}")
    text = "\n".join(lines) + "\n"
    subprocess.run(["zstd", "-19", "-q", "-f", "-o", dst], input=text.encode(), check=True)
    print(f"{len(feats)} polygons, {npts} points, {len(text)} bytes of GeoJSON -> {dst}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
