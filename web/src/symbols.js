// symbols.js - how each kind of maritime event looks on the map, so that a
// gap, an encounter, loitering, a zone crossing and each spoofing kind can be
// told apart at a glance (the legend draws the same symbols).

export const EVENT_KINDS = {
  gap: { label: 'AIS gap (dark stretch dashed)', color: '#b388ff' },
  encounter: { label: 'Encounter (ship-to-ship)', color: '#ffab40' },
  loitering: { label: 'Loitering', color: '#ffd740' },
  zone_entry: { label: 'Zone entry', color: '#ff5252' },
  zone_exit: { label: 'Zone exit', color: '#ff80ab' },
  teleport: { label: 'Spoofing: teleport', color: '#e040fb', glyph: 'T' },
  mmsi_clash: { label: 'Spoofing: MMSI clash', color: '#e040fb', glyph: 'C' },
  invalid_mmsi: { label: 'Spoofing: invalid MMSI', color: '#e040fb', glyph: 'I' },
  identity_change: { label: 'Spoofing: identity change', color: '#e040fb', glyph: 'N' },
  other: { label: 'Other event', color: '#eeeeee', glyph: '?' },
};

export function kindOf(ev) {
  return EVENT_KINDS[ev && ev.event] ? ev.event : 'other';
}

// draw the symbol of `kind` centred on (x, y); s is the half size in pixels
export function drawSymbol(ctx, kind, x, y, s = 7, highlight = false) {
  const k = EVENT_KINDS[kind] || EVENT_KINDS.other;
  ctx.save();
  ctx.lineWidth = highlight ? 3 : 2;
  ctx.strokeStyle = k.color;
  ctx.fillStyle = 'rgba(5,8,12,0.75)';
  ctx.beginPath();
  switch (kind) {
    case 'gap': // hollow circle with a slash: the signal went dark
      ctx.arc(x, y, s, 0, Math.PI * 2);
      ctx.fill(); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(x - s * 0.6, y + s * 0.6); ctx.lineTo(x + s * 0.6, y - s * 0.6); ctx.stroke();
      break;
    case 'encounter': // two overlapping rings
      ctx.arc(x - s * 0.45, y, s * 0.7, 0, Math.PI * 2);
      ctx.fill(); ctx.stroke();
      ctx.beginPath(); ctx.arc(x + s * 0.45, y, s * 0.7, 0, Math.PI * 2); ctx.stroke();
      break;
    case 'loitering': // ring with a dot: circling a spot
      ctx.arc(x, y, s, 0, Math.PI * 2);
      ctx.fill(); ctx.stroke();
      ctx.beginPath(); ctx.fillStyle = k.color; ctx.arc(x, y, s * 0.3, 0, Math.PI * 2); ctx.fill();
      break;
    case 'zone_entry': // triangle pointing in (down)
    case 'zone_exit': { // triangle pointing out (up)
      const d = kind === 'zone_entry' ? 1 : -1;
      ctx.moveTo(x, y + d * s); ctx.lineTo(x - s, y - d * s * 0.8); ctx.lineTo(x + s, y - d * s * 0.8); ctx.closePath();
      ctx.fill(); ctx.stroke();
      break;
    }
    default: { // spoofing kinds and unknown: a diamond with a letter
      ctx.moveTo(x, y - s * 1.15); ctx.lineTo(x + s * 1.15, y); ctx.lineTo(x, y + s * 1.15); ctx.lineTo(x - s * 1.15, y); ctx.closePath();
      ctx.fill(); ctx.stroke();
      ctx.fillStyle = k.color;
      ctx.font = `bold ${Math.round(s * 1.2)}px sans-serif`;
      ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
      ctx.fillText(k.glyph || '?', x, y + 0.5);
    }
  }
  if (highlight) {
    ctx.beginPath(); ctx.strokeStyle = '#ffffff'; ctx.lineWidth = 1.5;
    ctx.arc(x, y, s + 5, 0, Math.PI * 2); ctx.stroke();
  }
  ctx.restore();
}
