# alidade - the README's commands. Everything builds with Meson + Ninja in
# build/ (release) and build-asan/ (sanitizers); missing Debian packages are
# installed first by scripts/install-deps.sh.

BUILD ?= build
ALIDADE = $(BUILD)/src/alidade

.PHONY: all deps build run test bench fuzz clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) -Dbuildtype=release >/dev/null
	@ninja -C $(BUILD) >/dev/null

# The main job today: decode the bundled real captures and print what they hold.
run: build
	@echo "== decoding data/ais/amsa-feed.txt.gz (raw AMSA terrestrial feed)"
	@$(ALIDADE) ais decode --stats --format none data/ais/amsa-feed.txt.gz
	@echo
	@echo "== decoding data/ais/exactearth-2012.txt.zst (satellite AIS, receive times from \$$PGHP)"
	@$(ALIDADE) ais decode --stats --meta data/ais/exactearth-2012.txt.zst > $(BUILD)/exactearth.json
	@echo "first messages (all in $(BUILD)/exactearth.json):"
	@head -n 3 $(BUILD)/exactearth.json

test: deps
	@scripts/run-tests.sh

bench: build
	@scripts/install-deps.sh bench
	@bench/ais_decode.sh --write
	@bench/detect.sh --write

fuzz:
	@scripts/install-deps.sh fuzz
	@scripts/fuzz.sh

clean:
	rm -rf build build-asan build-fuzz build-bench
