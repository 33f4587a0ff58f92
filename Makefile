# alidade - the README's commands. Everything builds with Meson + Ninja in
# build/ (release) and build-asan/ (sanitizers); missing Debian packages are
# installed first by scripts/install-deps.sh.

BUILD ?= build
ALIDADE = $(BUILD)/src/alidade

.PHONY: all deps build run run-node drill test bench fuzz clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) -Dbuildtype=release >/dev/null
	@ninja -C $(BUILD) >/dev/null

# The main job today: decode the bundled real captures, run the maritime
# detectors on them and on a generated drill scenario, and print what they hold.
run: build
	@echo "== decoding data/ais/amsa-feed.txt.gz (raw AMSA terrestrial feed)"
	@$(ALIDADE) ais decode --stats --format none data/ais/amsa-feed.txt.gz
	@echo
	@echo "== decoding data/ais/exactearth-2012.txt.zst (satellite AIS, receive times from \$$PGHP)"
	@$(ALIDADE) ais decode --stats --meta data/ais/exactearth-2012.txt.zst > $(BUILD)/exactearth.json
	@echo "first messages (all in $(BUILD)/exactearth.json):"
	@head -n 3 $(BUILD)/exactearth.json
	@echo
	@echo "== maritime events in the same capture (bundled Natural Earth coastline for distances)"
	@$(ALIDADE) ais detect --shore builtin data/ais/exactearth-2012.txt.zst > $(BUILD)/exactearth-events.json
	@echo "first events (all in $(BUILD)/exactearth-events.json):"
	@head -n 3 $(BUILD)/exactearth-events.json
	@echo
	@echo "== a generated drill scenario (50 vessels, 48 h, planted events) and what ais detect finds in it"
	@$(ALIDADE) drill generate --quiet --out $(BUILD)/drill
	@$(ALIDADE) ais detect --zones $(BUILD)/drill/zones.geojson --shore $(BUILD)/drill/coast.geojson \
		--anchorages $(BUILD)/drill/coast.geojson $(BUILD)/drill/scenario.nmea > $(BUILD)/drill/events.json
	@echo "planted (ground truth, $(BUILD)/drill/truth.jsonl) vs found ($(BUILD)/drill/events.json):"
	@cut -d, -f1,2 $(BUILD)/drill/truth.jsonl | sort | uniq -c | sed 's/^/  planted/'
	@cut -d, -f1,2 $(BUILD)/drill/events.json | sort | uniq -c | sed 's/^/  found  /'
	@echo
	@echo "== cyber: a partner CERT's indicators (data/cti/partner-indicators.json) against"
	@echo "   this node's Suricata alerts (data/cti/suricata-alerts.eve.json.zst): sightings"
	@$(ALIDADE) match --no-progress --indicators data/cti/partner-indicators.json \
		--details $(BUILD)/hits.jsonl data/cti/suricata-alerts.eve.json.zst > $(BUILD)/sightings.json
	@echo "first hits (all in $(BUILD)/hits.jsonl; sightings in $(BUILD)/sightings.json):"
	@head -n 2 $(BUILD)/hits.jsonl | cut -c1-300
	@echo
	@$(MAKE) --no-print-directory run-node

# The network (scripts/run-node.sh): this nation's node with the events
# above as STIX 2.1 objects, the partner CERT's indicators and their
# sightings in the bundled Suricata alerts, a demo partner, an operator for
# the dashboard, the real capture replayed live into its
# UDP input; and the partner CERT's own node, the two federating. `alidade
# serve` runs in the foreground (Ctrl-C stops both nodes). make run ends with
# it; tests/cli/test_config.sh runs it on a free port (LISTEN=..., LIVE=0).
LISTEN ?= 127.0.0.1:8700
NODE = $(BUILD)/node
NODE_IN = $(BUILD)/node-input
LIVE ?= 1
run-node:
	@ALIDADE=$(ALIDADE) BUILD=$(BUILD) LISTEN=$(LISTEN) LIVE=$(LIVE) scripts/run-node.sh

# A joint drill of four nations on this machine (data/drills/quad.json):
# one node each, live ingest and federation, scored against the planted
# truth; the after-action report in $(BUILD)/drill-run/.
drill: build
	@rm -rf $(BUILD)/drill-run
	@$(ALIDADE) drill run data/drills/quad.json --out $(BUILD)/drill-run
	@echo "report: $(BUILD)/drill-run/report.html ($(BUILD)/drill-run/report.md, score.json)"

test: deps
	@scripts/run-tests.sh

bench: build
	@scripts/install-deps.sh bench
	@bench/ais_decode.sh --write
	@bench/detect.sh --write
	@bench/taxii.sh --write

fuzz:
	@scripts/install-deps.sh fuzz
	@scripts/fuzz.sh

clean:
	rm -rf build build-asan build-fuzz build-bench
