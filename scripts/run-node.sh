#!/bin/sh
# run-node.sh - what `make run` ends with: a small network on this machine.
#
#   node "this nation" (LISTEN, default 127.0.0.1:8700): the maritime events
#     of the bundled exactEarth capture and of a generated drill scenario as
#     STIX, a partner CERT's indicators and their sightings in this node's
#     Suricata alerts; then, live, the real capture replayed into its UDP
#     input (RATE lines a second, default 60: 9,551 lines in under 3 minutes;
#     paced by rate, not by its clocks, which jump: docs/track.md) and run
#     through the detectors; its dashboard (operator login printed) and TAXII 2.1;
#   node "partner-cert" (a free port): the partner CERT's own node holding its
#     indicators; the two federate (each pulls the other's default
#     collection, TLP 2.0 policy on both sides).
# Ctrl-C stops everything. Called by the Makefile with ALIDADE, BUILD, LISTEN.
# tests/cli/test_config.sh runs it on a free port and checks what it prints.
set -eu
ALIDADE=${ALIDADE:?}
BUILD=${BUILD:?}
LISTEN=${LISTEN:-127.0.0.1:8700}
RATE=${RATE:-60}                     # NMEA lines per second of the live replay
LIVE=${LIVE:-1}                      # 0: no live replay (tests count objects)
NODE=$BUILD/node
IN=$BUILD/node-input
PEER=$BUILD/node-partner

pids=""
stop() {
    trap - EXIT INT TERM
    for p in $pids; do kill "$p" 2> /dev/null || true; done
    wait 2> /dev/null || true
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

echo "== a sharing node: the events as STIX 2.1 objects, served over TAXII 2.1"
rm -rf "$NODE" "$IN" "$PEER" && mkdir -p "$IN"
"$ALIDADE" ais detect -f stix --shore builtin data/ais/exactearth-2012.txt.zst \
    > "$IN/exactearth.stix.json" 2> /dev/null
"$ALIDADE" drill generate --quiet --out "$IN/drill"
"$ALIDADE" ais detect -f stix --zones "$IN/drill/zones.geojson" \
    --shore "$IN/drill/coast.geojson" --anchorages "$IN/drill/coast.geojson" \
    "$IN/drill/scenario.nmea" > "$IN/drill.stix.json" 2> /dev/null
"$ALIDADE" stix import --data "$NODE" "$IN/exactearth.stix.json"
drill=$("$ALIDADE" collection add "Drill scenario (generated)" --data "$NODE" | tail -n 1)
"$ALIDADE" stix import --data "$NODE" --collection "$drill" "$IN/drill.stix.json"
"$ALIDADE" stix import --data "$NODE" data/cti/partner-indicators.json
rc=0
"$ALIDADE" match -q --indicators store --data "$NODE" --store \
    data/cti/suricata-alerts.eve.json.zst || rc=$?
[ "$rc" -le 1 ]
echo "sightings of the partner's indicators stored: $("$ALIDADE" stix export --data "$NODE" --type sighting | grep -c '"sighting_of_ref":"indicator--')"
token=$("$ALIDADE" partner add demo --data "$NODE" --read '*' | tail -n 1)
echo "demo partner: user demo, token $token"

# the partner CERT's node: its own indicators; each node reads the other's
# default collection (the tokens they give each other stay in files)
"$ALIDADE" stix import --data "$PEER" data/cti/partner-indicators.json > /dev/null
"$ALIDADE" partner add partner-cert --data "$NODE" --read '*' | tail -n 1 > "$IN/token-for-peer"
"$ALIDADE" partner add this-nation --data "$PEER" --read '*' | tail -n 1 > "$IN/token-for-node"
chmod 600 "$IN/token-for-peer" "$IN/token-for-node"
: > "$IN/peer.log"
"$ALIDADE" serve --data "$PEER" --listen 127.0.0.1:0 --title "Partner CERT" \
    --log-level warn 2>> "$IN/peer.log" &
pids="$pids $!"
peer_port=""
for _ in $(seq 1 100); do
    peer_port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/taxii2/.*|\1|p' "$IN/peer.log")
    [ -n "$peer_port" ] && break
    sleep 0.05
done
[ -n "$peer_port" ] || { cat "$IN/peer.log" >&2; echo "run-node.sh: the partner node did not start" >&2; exit 1; }
node_def=$("$ALIDADE" collection list --data "$NODE" | awk -F'\t' '$3 == "yes" {print $1; exit}')
peer_def=$("$ALIDADE" collection list --data "$PEER" | awk -F'\t' '$3 == "yes" {print $1; exit}')
"$ALIDADE" partner set partner-cert --data "$NODE" --url "http://127.0.0.1:$peer_port/api/" \
    --pull "$peer_def" --remote-user this-nation --remote-token-file "$IN/token-for-node" > /dev/null
"$ALIDADE" partner set this-nation --data "$PEER" --url "http://$LISTEN/api/" \
    --pull "$node_def" --remote-user partner-cert --remote-token-file "$IN/token-for-peer" > /dev/null

# the dashboard's operator
password=$("$ALIDADE" operator add admin --data "$NODE" | tail -n 1)

# live AIS: a free UDP port the real capture is replayed into
udp=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2> /dev/null || echo 10110)

echo "dashboard:  http://$LISTEN/  (operator admin, password $password)"
echo "discovery:  http://$LISTEN/taxii2/"
echo "try:        curl -u demo:$token -H 'Accept: application/taxii+json;version=2.1' http://$LISTEN/api/collections/"
echo "partner:    the partner CERT's node at http://127.0.0.1:$peer_port/taxii2/ (federated both ways)"
[ "$LIVE" = 0 ] ||
    echo "live AIS:   data/ais/exactearth-2012.txt.zst replayed at $RATE lines/s into udp://127.0.0.1:$udp"
echo "status:     $ALIDADE status --data $NODE"
echo "drill:      make drill (a 4-nation joint drill, scored: $BUILD/drill-run/report.html)"
echo "Ctrl-C stops the nodes."
live=""
if [ "$LIVE" != 0 ]; then
live="--source ais+udp://127.0.0.1:$udp?name=replay"
# the real capture (1 h 51 min of satellite AIS) at RATE lines a second;
# the drill's planted events are already stored (collection "Drill
# scenario"). Not both worlds live in one tracker: a 2012 capture then a
# 2025 scenario is a 13-year silence for every vessel of the first.
( sleep 2
  exec "$ALIDADE" ais replay -q --udp "127.0.0.1:$udp" --speed 0 --rate "$RATE" \
      data/ais/exactearth-2012.txt.zst ) &
pids="$pids $!"
fi
# shellcheck disable=SC2086 # $live is one option and its value, or nothing
"$ALIDADE" serve --data "$NODE" --listen "$LISTEN" --log-level warn $live --shore builtin \
    --zones "$IN/drill/zones.geojson" --anchorages "$IN/drill/coast.geojson" &
node=$!
pids="$pids $node"
wait "$node"
