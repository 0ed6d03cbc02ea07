# passport: see README.md. `make demo` and `make test` work on a fresh machine
# with Go and gcc: they install the Debian tools they need (poppler-utils,
# chromium) themselves.
GO ?= go
export CGO_ENABLED = 1

.PHONY: all build demo test test-short deps-test lint fuzz-smoke bench-smoke bench bench-scan bench-issue fuzz clean dist deps-dist test-dist test-guide

all: build

build:
	$(GO) build -o bin/passport ./cmd/passport

demo: build
	@scripts/need.sh pdftoppm poppler-utils bc bc
	@scripts/demo.sh

deps-test:
	@scripts/need.sh pdftoppm poppler-utils chromium chromium zbarimg zbar-tools ZXingReader zxing-cpp-tools

# The test command (README, .ci/run): format, vet and staticcheck; every test
# with the race detector; the reader's gating corpus, strategy ablation and
# JPEG decoder's comparison with image/jpeg on the corpus without it (the
# latter two skip themselves under it: they measure reads and pixels, not
# concurrency, and are many times slower there); then each fuzz target briefly.
test: deps-test lint
	$(GO) test -race -timeout 45m ./...
	$(GO) test -run 'TestGatingCorpus|TestStrategyAblation|TestJPEGMatchesStdOnCorpus' -count=1 -timeout 30m ./verify/scan/ ./verify/scan/imagedec/
	@$(MAKE) --no-print-directory bench-smoke
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory test-dist
	@$(MAKE) --no-print-directory test-guide

# Release archives (linux-amd64, linux-arm64, windows-amd64) and SHA256SUMS in
# bin/dist, built with Debian's cross compilers; reproducible (tools/dist).
# VERSION=... names the release (default: HEAD's tag, else a pseudo-version).
dist: deps-dist
	$(GO) run ./tools/dist -out bin/dist $(if $(VERSION),-version $(VERSION))

deps-dist:
	@scripts/need.sh aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu \
	  /usr/aarch64-linux-gnu/include/stdio.h libc6-dev-arm64-cross \
	  x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64

# The archives where sites run them: built twice (must be byte-identical),
# then linux-amd64 natively, linux-arm64 under qemu and windows-amd64 under
# Wine go through keys, trust, issue, verify and serve (scripts/test-dist.sh).
test-dist: deps-dist
	@scripts/need.sh pdftoppm poppler-utils curl curl unzip unzip \
	  qemu-aarch64-static qemu-user-static /usr/lib/wine/wine64 wine64
	rm -rf bin/dist bin/dist.again
	$(GO) run ./tools/dist -out bin/dist
	$(GO) run ./tools/dist -out bin/dist.again
	scripts/test-dist.sh bin/dist bin/dist.again

# The site guide's Linux steps, extracted from docs/site-guide.md and run as
# written from a fresh HOME with the linux-amd64 archive, then its Windows
# steps under Wine when the zip and Wine are there (scripts/test-guide.sh).
# Uses bin/dist as test-dist left it, else builds the linux-amd64 archive.
test-guide:
	@scripts/need.sh curl curl unzip unzip
	test -n "$$(ls bin/dist/*-linux-amd64.tar.gz 2>/dev/null)" || $(GO) run ./tools/dist -out bin/dist -targets linux/amd64
	scripts/test-guide.sh bin/dist

STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# Every fuzz target for 2000 inputs (a count, not a time: a time limit can
# expire mid-run and fail spuriously). Crashes found before are kept in
# testdata/fuzz as regression inputs and run by plain `go test` too.
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=2000x

# Every benchmark once (one iteration, no timing kept), so a benchmark whose
# set-up rots fails the tests instead of waiting for the next person who
# measures with it. About 3 minutes on a 2-core machine.
bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

# Quick loop while developing: no race detector, short mode.
test-short:
	$(GO) test -short ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# 72,000 passports into one combined PDF and into individual PDFs, against the
# cost of signing alone, with peak memory (N=... to change the batch size).
N ?= 72000
bench-issue:
	scripts/bench-issue.sh $(N)

# Our reader against zbarimg and ZXingReader on a freshly generated corpus of
# degraded scans (16 damage classes, 8 images each; about 5 minutes).
# Every reader side by side on the degraded corpus, two seeds (scripts/bench-scan.sh
# installs the peers: Debian packages, and zxing-wasm from npm into a scratch dir),
# then each one's time on clean A4 scans saved as JPEG, PNG and PDF (PAGES=8 a kind).
bench-scan:
	GO=$(GO) scripts/bench-scan.sh

# Each fuzz target for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin demo
