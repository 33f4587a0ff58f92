// geo.js - Web Mercator in "world units": the whole world is the square
// [0,1]x[0,1], x east, y south. Screen pixels are world units times the view
// scale, so the basemap and the vessels can be projected once and only
// scaled and shifted when the view changes.

export const MAX_LAT = 85.05112878;

export function lonToX(lon) { return (lon + 180) / 360; }

export function latToY(lat) {
  const l = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  const s = Math.sin((l * Math.PI) / 180);
  return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
}

export function xToLon(x) { return x * 360 - 180; }

export function yToLat(y) {
  const n = Math.PI - 2 * Math.PI * y;
  return (180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
}
