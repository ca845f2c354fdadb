# The whole set-up on a fresh machine:
#   make docs   build the documents for data/programme.yaml into out/
#   make test   run the tests
#
# Both use one release build (`cargo test --release` builds the binary too), so a
# fresh machine compiles Typst once.

CARGO ?= cargo
PROGRAMME ?= data/programme.yaml
OUT ?= out
BIN := target/release/secretariat

.PHONY: docs test check clean bin

docs: bin
	$(BIN) build $(PROGRAMME) --out $(OUT)

test:
	$(CARGO) test --release

check: bin
	$(BIN) check $(PROGRAMME)
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings

# The same feature set as the test build, so `make test` then `make docs`
# (or the reverse) builds nothing twice.
bin:
	$(CARGO) test --release --no-run

clean:
	$(CARGO) clean
	find $(OUT) -mindepth 1 ! -name .gitkeep -delete
