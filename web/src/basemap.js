// basemap.js - the offline basemap: Natural Earth land and country borders
// from the world-atlas TopoJSON files embedded in the binary (see
// web/SOURCES.md), decoded with topojson-client and turned once into Path2D
// objects in world units. Drawing the map is then one fill and one stroke
// under a scale transform. Two levels of detail: 1:110m when zoomed out
// (cheap), 1:50m from zoom 4 on (the 1:50m file is fetched on first need).

import { feature, mesh } from 'topojson-client';
import { lonToX, latToY } from './geo.js';

// One ring or line into the path. World-atlas keeps the sphere's topology,
// so a few rings cross the antimeridian (Russia, Fiji) and Antarctica goes
// round the pole. Longitudes are unwrapped (a jump of more than 180 degrees
// continues past +-180 instead of crossing the whole map, the world copies
// the map draws show the overhang), and a ring that went round the pole is
// closed along the map's edge at that pole.
function lineToPath(path, pts, close) {
  let prev = null, shift = 0, firstLon = 0, lastLon = 0, lastLat = 0;
  for (let i = 0; i < pts.length; i++) {
    let lon = pts[i][0];
    const lat = pts[i][1];
    if (prev !== null) {
      const d = lon + shift - prev;
      if (d > 180) shift -= 360; else if (d < -180) shift += 360;
    }
    lon += shift;
    prev = lon;
    const x = lonToX(lon), y = latToY(lat);
    if (i === 0) { path.moveTo(x, y); firstLon = lon; } else path.lineTo(x, y);
    lastLon = lon; lastLat = lat;
  }
  if (close && Math.abs(lastLon - firstLon) > 180) {
    const poleY = latToY(lastLat < 0 ? -90 : 90);
    path.lineTo(lonToX(lastLon), poleY);
    path.lineTo(lonToX(firstLon), poleY);
  }
  if (close) path.closePath();
}

function ringsToPath(path, rings) {
  for (const ring of rings) lineToPath(path, ring, true);
}

function geomToPath(path, g, close) {
  if (!g) return;
  switch (g.type) {
    case 'Polygon': ringsToPath(path, g.coordinates); break;
    case 'MultiPolygon': for (const p of g.coordinates) ringsToPath(path, p); break;
    case 'LineString': lineToPath(path, g.coordinates, close); break;
    case 'MultiLineString': for (const l of g.coordinates) lineToPath(path, l, close); break;
    case 'GeometryCollection': for (const c of g.geometries) geomToPath(path, c, close); break;
    default: break;
  }
}

function build(topo) {
  // land is filled from the file's merged `land` object (fewer, larger
  // rings than the countries), borders are the arcs shared by two countries
  const obj = topo.objects.land || topo.objects.countries;
  const land = new Path2D();
  const fc = feature(topo, obj);
  for (const f of fc.features || [fc]) geomToPath(land, f.geometry, true);
  const borders = new Path2D();
  if (topo.objects.countries) geomToPath(borders, mesh(topo, topo.objects.countries, (a, b) => a !== b), false);
  return { land, borders };
}

export class Basemap {
  constructor(onLoaded) {
    this.levels = { low: null, high: null };
    this.loading = {};
    this.onLoaded = onLoaded;
    this.error = null;
    this.load('low', 'assets/countries-110m.json');
  }

  async load(level, url) {
    if (this.loading[level]) return;
    this.loading[level] = true;
    try {
      const r = await fetch(url, { credentials: 'same-origin' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      this.levels[level] = build(await r.json());
      this.onLoaded();
    } catch (e) {
      this.error = `basemap ${url}: ${e.message || e}`;
    }
  }

  // paths for a zoom level (the finer one once loaded), or null
  paths(zoom) {
    if (zoom >= 4) {
      if (!this.levels.high) this.load('high', 'assets/countries-50m.json');
      else return this.levels.high;
    }
    return this.levels.low;
  }
}
