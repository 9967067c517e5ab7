# Takes: `make run` starts the server on its embedded defaults; `make test` runs every test.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)

.PHONY: run build test test-deps lint bench clean

build:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/takes ./cmd/takes

run: build
	./bin/takes serve

test: test-deps
	$(GO) test -race -count=1 -timeout 15m ./...

# Installs what the tests need when it is missing (Debian; needs root or sudo).
test-deps:
	@missing=""; \
	command -v ffprobe >/dev/null || missing="$$missing ffmpeg"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v firefox-esr >/dev/null || missing="$$missing firefox-esr"; \
	command -v mkvinfo >/dev/null || missing="$$missing mkvtoolnix"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@if command -v staticcheck >/dev/null; then staticcheck ./...; fi

# Measures the server: the micro-benchmarks of the per-packet path (allocations per packet), then
# `takes bench`, which runs the load generator against a fresh server on loopback at 1, 25, 100, 200,
# 300 and 400 candidates, stopping at the first that loses anything, and writes its table to
# bench-results/ (see docs/performance.md). BENCH_HOLD (default 60s) sets each step's hold and
# BENCH_STEPS the steps; the whole takes under 20 minutes.
bench: build test-deps
	$(GO) test -run '^$$' -bench . -benchmem ./recorder/...
	./bin/takes bench -out bench-results

clean:
	rm -rf bin
