# passport: see README.md. `make demo` and `make test` work on a fresh machine
# with Go and gcc: they install the Debian tools they need (poppler-utils,
# chromium) themselves.
GO ?= go
export CGO_ENABLED = 1

.PHONY: all build demo test test-short deps-test bench fuzz vet clean

all: build

build:
	$(GO) build -o bin/passport ./cmd/passport

demo: build
	@scripts/need.sh pdftoppm poppler-utils bc bc
	@scripts/demo.sh

deps-test:
	@scripts/need.sh pdftoppm poppler-utils chromium chromium

# The test command (README, .ci/run): vet, then every test with the race detector.
test: deps-test
	$(GO) vet ./...
	$(GO) test -race -timeout 45m ./...

# Quick loop while developing: no race detector, short mode.
test-short:
	$(GO) test -short ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Each fuzz target for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

vet:
	gofmt -l . | (! grep .) && $(GO) vet ./...

clean:
	rm -rf bin demo
