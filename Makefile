# The README's two commands: `go run ./cmd/frontdesk serve --demo` and `make test`.
GO      ?= go
PKGS    ?= ./...
TESTFLAGS ?= -race -count=1 -timeout 30m

.PHONY: test deps vet fmt-check build run bench bench-quick fuzz load

## test: everything CI runs — services, formatting, vet, all tests with -race
test: deps fmt-check vet
	$(GO) test $(TESTFLAGS) $(PKGS)

## deps: install or start what the tests need (PostgreSQL, Chromium, libical, ical.js)
deps:
	@scripts/test-deps.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o bin/frontdesk ./cmd/frontdesk

run:
	$(GO) run ./cmd/frontdesk serve --demo

## bench: go benchmarks and the load run against PostgreSQL; writes BENCHMARKS.md
bench: deps
	scripts/bench.sh

## fuzz: a short run of every fuzz target
fuzz:
	scripts/fuzz.sh

## bench-quick: the hot paths in under 5 minutes, one table of ratios (installs nothing); BENCH_REF=<rev> compares
bench-quick:
	scripts/bench-quick.sh
