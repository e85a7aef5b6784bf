# The kiosk's build entry point. `make help` lists the targets.
# Every target installs what it needs (scripts/deps.sh) so a fresh Debian
# machine with Go runs them as they are.

GO       ?= go
PKGS     ?= ./...
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/shcommunity/kiosk/internal/version.Version=$(VERSION)
BIN      := bin
FUZZTIME ?= 20s
DEMOFLAGS ?=
CRASHKILLS ?= 1000
CRASHSEED ?= 1
CONSISTENCYSEEDS ?= 50

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: deps
deps: ## Install missing Debian packages and download Go modules
	@scripts/deps.sh
	@$(GO) mod download

.PHONY: build
build: deps ## Build every binary into bin/
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

.PHONY: demo
demo: deps ## Run the kiosk on simulated devices and an embedded code service
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(GO) run -ldflags "$(LDFLAGS)" ./cmd/kiosk --demo $(DEMOFLAGS); \
	else \
	  echo "No display: running the device demo in the terminal instead (slips in out/demo)."; \
	  $(GO) run -ldflags "$(LDFLAGS)" ./cmd/devsim demo; \
	fi

.PHONY: demo-devices
demo-devices: deps ## Run the device demo in a terminal: every sample card read and printed
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/devsim demo

.PHONY: screenshots
screenshots: deps ## Save the main screens as PNGs under Xvfb (docs/screenshots)
	scripts/screenshots.sh

.PHONY: voice
voice: deps ## Render the spoken prompts into assets/voice with eSpeak NG
	$(GO) run ./scripts/voicegen

.PHONY: test
test: deps ## Vet, check formatting and run every test with the race detector
	$(GO) vet $(PKGS)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

.PHONY: crash
crash: deps ## Kill the kiosk 1000 times at its crash points and print what was lost (CRASHKILLS, CRASHSEED)
	$(GO) test -tags crashpoints -count=1 -timeout 120m -run '^TestCrashCampaign$$' -v ./app/campaign \
	  -campaign.kills=$(CRASHKILLS) -campaign.seed=$(CRASHSEED)

.PHONY: consistency
consistency: deps ## Simulated weeks asking every channel at random instants; one truth required (CONSISTENCYSEEDS)
	$(GO) test -count=1 -timeout 120m -run '^TestOneTruthAcrossChannels$$' -v ./app/rig \
	  -consistency.seeds=$(CONSISTENCYSEEDS) -consistency.steps=40

.PHONY: bench
bench: deps ## Run every benchmark (BENCH=regexp picks groups, e.g. BENCH=devices)
	scripts/bench.sh $(BENCH)

.PHONY: fuzz
fuzz: deps ## Run each fuzz target for FUZZTIME (default 20s)
	@scripts/fuzz.sh $(FUZZTIME)

.PHONY: package
package: deps ## Build the Windows installer and the Debian package into out/package
	packaging/build.sh

.PHONY: package-test
package-test: package ## Check the built packages, then install the .deb for real, run it and purge it
	KIOSK_PACKAGE_TESTS=1 $(GO) test -count=1 ./packaging/...
	packaging/install-check.sh

.PHONY: clean
clean: ## Remove build output
	rm -rf $(BIN)
