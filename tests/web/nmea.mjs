// nmea.mjs - encodes AIS messages as single !AIVDM sentences for the browser
// test's live input: a position report (message type 1) and a static data
// report part B (type 24, for the ship type). Field layouts from ITU-R
// M.1371-5 (tables 49 and 80); NMEA 0183 six-bit armouring and checksum.

function sentence(fields) {
  let bits = '';
  for (const [v, n] of fields) {
    const u = v < 0 ? 2 ** n + v : v; // two's complement for lat/lon
    bits += u.toString(2).padStart(n, '0').slice(-n);
  }
  let payload = '';
  for (let i = 0; i < bits.length; i += 6) {
    const v = parseInt(bits.slice(i, i + 6).padEnd(6, '0'), 2);
    payload += String.fromCharCode(v < 40 ? v + 48 : v + 56);
  }
  const body = `AIVDM,1,1,,A,${payload},0`;
  let x = 0;
  for (const ch of body) x ^= ch.charCodeAt(0);
  return `!${body}*${x.toString(16).toUpperCase().padStart(2, '0')}`;
}

export function positionReport({ mmsi, lat, lon, sog = 0, cog = 0, heading = 511, second = 60 }) {
  return sentence([
    [1, 6], [0, 2], [mmsi, 30], [0, 4], [128, 8], [Math.round(sog * 10), 10], [1, 1],
    [Math.round(lon * 600000), 28], [Math.round(lat * 600000), 27], [Math.round(cog * 10), 12],
    [heading, 9], [second, 6], [0, 2], [0, 3], [0, 1], [0, 19],
  ]);
}

// part B: type, repeat, MMSI, part number 1, ship type, vendor id (42 bits),
// call sign (42), dimensions (30), spare (6): 168 bits
export function staticTypeReport({ mmsi, shipType }) {
  return sentence([[24, 6], [0, 2], [mmsi, 30], [1, 2], [shipType, 8], [0, 42], [0, 42], [0, 30], [0, 6]]);
}
