# alidade - the README's commands. Everything builds with Meson + Ninja in
# build/ (release) and build-asan/ (sanitizers); missing Debian packages are
# installed first by scripts/install-deps.sh.

BUILD ?= build
ALIDADE = $(BUILD)/src/alidade

.PHONY: all deps build run run-node test bench fuzz clean

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

# The node: a fresh data directory $(BUILD)/node holding the maritime events
# above as STIX 2.1 objects (the capture's in the default collection, the
# drill's in a collection of their own), the partner CERT's indicators and
# the sightings of them in the node's Suricata alerts (alidade match
# --store), a demo partner allowed to read
# them, and `alidade serve` in the foreground (Ctrl-C stops it) with its
# dashboard at / (loopback only) and TAXII 2.1 at /taxii2/. make run ends
# with it; tests/cli/test_config.sh runs it on a free port (LISTEN=...).
LISTEN ?= 127.0.0.1:8700
NODE = $(BUILD)/node
NODE_IN = $(BUILD)/node-input
run-node:
	@echo "== a sharing node: the events as STIX 2.1 objects, served over TAXII 2.1"
	@rm -rf $(NODE) $(NODE_IN) && mkdir -p $(NODE_IN)
	@$(ALIDADE) ais detect -f stix --shore builtin data/ais/exactearth-2012.txt.zst \
		> $(NODE_IN)/exactearth.stix.json 2> /dev/null
	@$(ALIDADE) drill generate --quiet --out $(NODE_IN)/drill
	@$(ALIDADE) ais detect -f stix --zones $(NODE_IN)/drill/zones.geojson \
		--shore $(NODE_IN)/drill/coast.geojson --anchorages $(NODE_IN)/drill/coast.geojson \
		$(NODE_IN)/drill/scenario.nmea > $(NODE_IN)/drill.stix.json 2> /dev/null
	@$(ALIDADE) stix import --data $(NODE) $(NODE_IN)/exactearth.stix.json
	@drill=$$($(ALIDADE) collection add "Drill scenario (generated)" --data $(NODE) | tail -n 1) && \
		$(ALIDADE) stix import --data $(NODE) --collection "$$drill" $(NODE_IN)/drill.stix.json
	@$(ALIDADE) stix import --data $(NODE) data/cti/partner-indicators.json
	@$(ALIDADE) match -q --indicators store --data $(NODE) --store data/cti/suricata-alerts.eve.json.zst; \
		test $$? -le 1
	@echo "sightings of the partner's indicators stored: $$($(ALIDADE) stix export --data $(NODE) --type sighting | grep -c '"sighting_of_ref":"indicator--')"
	@token=$$($(ALIDADE) partner add demo --data $(NODE) --read '*' | tail -n 1) && \
		echo "demo partner: user demo, token $$token" && \
		echo "dashboard:  http://$(LISTEN)/" && \
		echo "discovery:  http://$(LISTEN)/taxii2/" && \
		echo "try:        curl -u demo:$$token -H 'Accept: application/taxii+json;version=2.1' http://$(LISTEN)/api/collections/" && \
		echo "Ctrl-C stops the node." && \
		exec $(ALIDADE) serve --data $(NODE) --listen $(LISTEN)

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
