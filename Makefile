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

.PHONY: docs test check clean bin fuzz bench certificates gallery

docs: bin
	$(BIN) build $(PROGRAMME) --out $(OUT)

# After the closing day's attendance update: the certificates alone, in
# out/<programme id>.certificates.zip.
certificates: bin
	$(BIN) build $(PROGRAMME) --out $(OUT) --only certificates

# --locked: the dependencies are the ones in the committed Cargo.lock.
test:
	$(CARGO) test --release --locked

check: bin
	$(BIN) check $(PROGRAMME)
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings

# The same feature set as the test build, so `make test` then `make docs`
# (or the reverse) builds nothing twice.
bin:
	$(CARGO) test --release --locked --no-run

# The README's pictures: a page of each kind of document from the reference
# programme, rendered in-process by `secretariat proof --png`.
GALLERY := invitations/TH-01-1 requests/mofa-1 badges/TH-01-1 schedules/2018-10-24-1 \
	schedules/overview-1 certificates/TH-01-1 sign-in/2018-10-24-1 participants/list-1 \
	thank-you/mofa-1 thank-you/emb-th-1
gallery: bin
	$(BIN) proof $(PROGRAMME) --out target/gallery --png target/gallery/png --dpi 100
	mkdir -p docs/gallery
	for page in $(GALLERY); do cp target/gallery/png/$$page.png docs/gallery/$$(echo $$page | tr / _).png; done

# The reference programme and synthetic ones of 100, 1,000 and 10,000 participants
# (BENCH_SIZES=100,1000 for a quicker run), each built from scratch and rebuilt
# after one name changes, with the release binary; prints the table in the README.
bench: bin
	$(CARGO) bench --bench build

clean:
	$(CARGO) clean
	find $(OUT) -mindepth 1 ! -name .gitkeep -delete

# Fuzz load → validate → render for FUZZ_SECONDS (not run by CI), starting from
# the corpus in fuzz/corpus/; new inputs go to fuzz/corpus-found/. cargo-fuzz needs
# nightly features; RUSTC_BOOTSTRAP lets the stable toolchain provide them.
FUZZ_SECONDS ?= 600
fuzz:
	command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	mkdir -p fuzz/corpus-found
	cd fuzz && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run load_render corpus-found corpus/load_render -- \
		-max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=30
