# sio_cluster.h - build and test. `make test` is the one command that proves it all (README).
#   make test    every test in every build: gcc, clang, g++ (as C++), ASan+UBSan, 32-bit, big-endian (qemu), the
#                HTTP/TLS tests with mbedTLS and BearSSL, the configuration matrix, the interop scenarios and the
#                Service Bus broker tests (Node), the exported-symbol check, amalgamation freshness, and a short
#                run of every fuzzer; ends with "N passed, N failed"
#   make demo    fauxqs + a Node Socket.IO server and client + siocat, events both ways
#   make fuzz    longer fuzzing (FUZZ_SECONDS per target)
#   make fuzz-long   every fuzzer to 10 M executions, corpora minimized into tests/fuzz/corpus/ (commit them)
#   make soak    mixed cluster traffic for SOAK_SECONDS (600) with restarts: exactly-once, flat RSS and heap
#                (soak-short: 60 s)
#   make bench   speed tables, incl. the C node vs a Node node     make size   -Os code size per piece and program
#   make cortex-m-test   the member as Cortex-M3 firmware in QEMU (mps2-an385) in a cluster with a Node server

CC_GCC   ?= gcc
CC_CLANG ?= clang
CXX      ?= g++
CC_32    ?= i686-linux-gnu-gcc
CC_BE    ?= s390x-linux-gnu-gcc
QEMU_BE  ?= qemu-s390x-static
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 4

WARN  = -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual -Wvla
CWARN = -std=c99 $(WARN) -Wstrict-prototypes -Wmissing-prototypes
XWARN = -x c++ -std=c++11 $(WARN)

HDR   = sio_cluster.h
DEPS  = $(HDR) $(wildcard tests/*.h)
TESTS = $(basename $(notdir $(wildcard tests/test_*.c)))
FUZZERS = $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
VARIANTS = gcc clang cxx asan i686 s390x
TLS_TESTS = test_tls test_http test_http_posix test_azure_live
# What tests/run.sh runs per build: every test, test_member_live once per transport (two result lines).
RUN_SPECS = $(filter-out test_member_live,$(TESTS)) test_member_live,--transport,aws test_member_live,--transport,azure
TLS_VARIANTS = mbedtls bearssl asan-mbedtls asan-bearssl

.PHONY: soak soak-short fuzz-long all examples examples-live demo chat chat-test chat-load chat-deps node-deps test unit unit-bins fuzz-bins matrix interop interop-azure interop-azure-tls sbbroker fuzz fuzz-smoke bench size symbols amalgamate-check cortex-m-test clean
.SECONDARY:

EXAMPLES = $(basename $(notdir $(wildcard examples/*.c)))
all: build/siocat examples $(foreach v,gcc,$(addprefix build/$(v)/,$(TESTS)))

# Every example builds warning-free (the checks are the unit tests' flags).
examples: $(addprefix build/examples/,$(EXAMPLES)) build/examples/basic build/examples/basic-cxx
build/examples/%: examples/%.c $(HDR)
	@mkdir -p build/examples
	$(CC_GCC) $(CWARN) -O2 -I. $< -o $@ -lm
# The manual's "Basic usage" program, taken from the header itself (so the manual cannot drift), as C and C++.
build/examples/basic.c: $(HDR) amalgamate.py
	@mkdir -p build/examples
	python3 amalgamate.py --basic-usage $@
build/examples/basic: build/examples/basic.c
	$(CC_GCC) $(CWARN) -O2 -I. $< -o $@ -lm
build/examples/basic-cxx: build/examples/basic.c
	$(CXX) -x c++ -std=c++11 $(WARN) -O2 -I. $< -o $@ -lm

# siocat: a command-line cluster member (tools/siocat.c, README). It sets _POSIX_C_SOURCE and the POSIX backend itself.
build/siocat: tools/siocat.c $(HDR) | build
	$(CC_GCC) $(CWARN) -O2 -g -I. tools/siocat.c -o $@ -lm
build/siocat-tls: tools/siocat.c $(HDR) | build
	$(CC_GCC) $(CWARN) -O2 -g -DSIOC_TLS=SIOC_TLS_MBEDTLS -I. tools/siocat.c -o $@ $(MBEDTLS_LIBS) -lm
build:
	mkdir -p $@

# The multi-server chat (examples/chat/README.md): the C server, its browser test on both clouds, a local run.
build/chat-server: examples/chat/server.c $(HDR) | build
	$(CC_GCC) $(CWARN) -O2 -g -I. examples/chat/server.c -o $@ -lm
chat-deps: node-deps
	@if [ ! -d examples/chat/node_modules ]; then echo "npm ci in examples/chat"; \
	    (cd examples/chat && npm ci --no-audit --no-fund --loglevel=error) || exit 1; fi
chat-test: build/chat-server chat-deps
	@echo "== chat browser test (Node + C server, headless Chromium), aws"; \
	tests/run_cmd.sh build/results.txt chat-aws node examples/chat/test.js --transport aws
	@echo "== chat browser test, azure"; \
	tests/run_cmd.sh build/results.txt chat-azure node examples/chat/test.js --transport azure
chat: build/chat-server chat-deps
	node examples/chat/run.js --transport $(or $(TRANSPORT),aws)
chat-load: build/chat-server chat-deps
	node examples/chat/load.js --transport $(or $(TRANSPORT),aws) --clients $(or $(CLIENTS),10000)

# make demo: fauxqs + one Node Socket.IO server with a client + siocat, events both ways, then a clean stop.
demo: build/siocat node-deps
	node tests/interop/demo.js build/siocat

# npm ci in every Node test tool folder that has not been installed yet (lockfiles pin every version).
node-deps:
	@for d in tests/*/; do if [ -f "$$d/package-lock.json" ] && [ ! -d "$$d/node_modules" ]; then \
	    echo "npm ci in $$d"; (cd "$$d" && npm ci --no-audit --no-fund --loglevel=error) || exit 1; fi; done

$(HDR): amalgamate.py $(wildcard src/*)
	python3 amalgamate.py

build/gcc/%: tests/%.c $(DEPS) | build/gcc
	$(CC_GCC) $(CWARN) -O1 -g -I. $< -o $@ -lm
build/clang/%: tests/%.c $(DEPS) | build/clang
	$(CC_CLANG) $(CWARN) -O0 -I. $< -o $@ -lm
build/cxx/%: tests/%.c $(DEPS) | build/cxx
	$(CXX) $(XWARN) -O0 -I. $< -o $@ -lm
build/asan/%: tests/%.c $(DEPS) | build/asan
	$(CC_CLANG) $(CWARN) -O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all -I. $< -o $@ -lm
build/i686/%: tests/%.c $(DEPS) | build/i686
	$(CC_32) $(CWARN) -O1 -static -I. $< -o $@ -lm
build/s390x/%: tests/%.c $(DEPS) | build/s390x
	$(CC_BE) $(CWARN) -O1 -static -I. $< -o $@ -lm
# The HTTP and TLS tests again with each TLS backend compiled in (gcc, and clang ASan+UBSan).
MBEDTLS_LIBS = -lmbedtls -lmbedx509 -lmbedcrypto
build/mbedtls/%: tests/%.c $(DEPS) | build/mbedtls
	$(CC_GCC) $(CWARN) -O1 -g -DSIOC_TLS=SIOC_TLS_MBEDTLS -I. $< -o $@ $(MBEDTLS_LIBS) -lm
build/bearssl/%: tests/%.c $(DEPS) | build/bearssl
	$(CC_GCC) $(CWARN) -O1 -g -DSIOC_TLS=SIOC_TLS_BEARSSL -I. $< -o $@ -lbearssl -lm
build/asan-mbedtls/%: tests/%.c $(DEPS) | build/asan-mbedtls
	$(CC_CLANG) $(CWARN) -O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all -DSIOC_TLS=SIOC_TLS_MBEDTLS -I. $< -o $@ $(MBEDTLS_LIBS) -lm
build/asan-bearssl/%: tests/%.c $(DEPS) | build/asan-bearssl
	$(CC_CLANG) $(CWARN) -O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all -DSIOC_TLS=SIOC_TLS_BEARSSL -I. $< -o $@ -lbearssl -lm
build/fuzz/%: tests/fuzz/%.c $(HDR) $(wildcard tests/*.h) | build/fuzz
	$(CC_CLANG) -std=c99 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I. $< -o $@

build/gcc build/clang build/cxx build/asan build/i686 build/s390x build/fuzz build/bench build/obj \
build/mbedtls build/bearssl build/asan-mbedtls build/asan-bearssl:
	mkdir -p $@

test:
	@mkdir -p build && rm -f build/results.txt
	$(MAKE) --no-print-directory amalgamate-check symbols examples
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory matrix
	$(MAKE) --no-print-directory interop
	$(MAKE) --no-print-directory examples-live
	$(MAKE) --no-print-directory interop-azure
	$(MAKE) --no-print-directory interop-azure-tls
	$(MAKE) --no-print-directory sbbroker
	$(MAKE) --no-print-directory fuzz-smoke
	@tests/total.sh build/results.txt

UNIT_BINS = $(foreach v,$(VARIANTS),$(addprefix build/$(v)/,$(TESTS))) $(foreach v,$(TLS_VARIANTS),$(addprefix build/$(v)/,$(TLS_TESTS)))
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
unit-bins: $(UNIT_BINS)

unit: $(HDR)
	@$(MAKE) --no-print-directory -j$(JOBS) unit-bins
	@for v in gcc clang cxx asan i686; do echo "== $$v"; tests/run.sh $(addprefix build/$$v/,$(RUN_SPECS)) | tee -a build/results.txt; done
	@echo "== s390x (big-endian, $(QEMU_BE))"; tests/run.sh --emu $(QEMU_BE) $(addprefix build/s390x/,$(RUN_SPECS)) | tee -a build/results.txt
	@for v in $(TLS_VARIANTS); do echo "== $$v (TLS backend compiled in)"; tests/run.sh $(addprefix build/$$v/,$(TLS_TESTS)) | tee -a build/results.txt; done

# Every combination of the compile-time switches compiles; two static copies link; Cortex-M4 compiles.
matrix: $(HDR)
	@echo "== configuration matrix"; tests/matrix/run.sh | tee -a build/results.txt

# Cluster scenarios against real Socket.IO servers, real clients and the fauxqs emulator (tests/interop/README.md).
interop: build/siocat
	@echo "== interop (2 Node Socket.IO servers + siocat over fauxqs, real socket.io-clients)"; \
	tests/run_cmd.sh build/results.txt interop node tests/interop/run.js --members node,node,siocat:build/siocat

# The examples as a user runs them (README), against a Node server and client, on both clouds.
examples-live: examples
	@echo "== examples (basic.c, emit.c) against a Node Socket.IO server over fauxqs and over the Service Bus broker"; \
	tests/run_cmd.sh build/results.txt examples-aws node tests/interop/examples.js --transport aws build/examples; \
	tests/run_cmd.sh build/results.txt examples-azure node tests/interop/examples.js --transport azure build/examples

# The same scenarios over Service Bus: the project's broker, Node servers on @azure/service-bus, siocat over REST.
interop-azure: build/siocat
	@echo "== interop-azure (2 Node Socket.IO servers + siocat over the project's Service Bus broker)"; \
	tests/run_cmd.sh build/results.txt interop-azure node tests/interop/run.js --transport azure --members node,node,siocat:build/siocat

# Again with the C node over HTTPS (mbedTLS build of siocat, broker certificate made by openssl for localhost).
interop-azure-tls: build/siocat-tls
	@echo "== interop-azure-tls (as above, siocat over HTTPS to the broker)"; \
	tests/run_cmd.sh build/results.txt interop-azure-tls node tests/interop/run.js --transport azure --siocat-tls --members node,node,siocat:build/siocat-tls

# The project's Service Bus test broker against the official @azure/service-bus SDK (tests/sbbroker/README.md).
sbbroker:
	@echo "== sbbroker (AMQP + REST + ATOM broker vs @azure/service-bus)"; tests/run_cmd.sh build/results.txt sbbroker node tests/sbbroker/test.js

# Soak (tests/soak/soak.js): two siocat members (one restarted now and then) and a Node member on fauxqs, mixed
# traffic for SOAK_SECONDS; every message exactly once to its receivers, RSS and heap flat, no error line.
SOAK_SECONDS ?= 600
build/soak/alloc_count.so: bench/alloc_count.c
	@mkdir -p build/soak
	$(CC_GCC) -O2 -shared -fPIC $< -o $@
soak: build/siocat build/soak/alloc_count.so node-deps
	@echo "== soak ($(SOAK_SECONDS) s)"; \
	tests/run_cmd.sh build/results.txt soak node tests/soak/soak.js --siocat build/siocat \
	    --alloc-count build/soak/alloc_count.so --seconds $(SOAK_SECONDS)
soak-short:
	@$(MAKE) --no-print-directory soak SOAK_SECONDS=60

amalgamate-check:
	python3 amalgamate.py --check

# Every exported symbol must carry the sioc_ prefix (mongoose's mg_prefix check).
symbols: $(HDR) | build/obj
	printf '#define SIO_CLUSTER_IMPLEMENTATION\n#include "sio_cluster.h"\n' > build/obj/impl.c
	$(CC_GCC) $(CWARN) -O2 -I. -c build/obj/impl.c -o build/obj/impl.o
	@bad=$$(nm -g --defined-only build/obj/impl.o | awk '{print $$3}' | grep -v '^sioc_' || true); \
	if [ -n "$$bad" ]; then echo "symbols without the sioc_ prefix: $$bad"; exit 1; fi; \
	echo "symbols: $$(nm -g --defined-only build/obj/impl.o | wc -l) exported, all prefixed sioc_"

fuzz-bins: $(addprefix build/fuzz/,$(FUZZERS))

fuzz-smoke:
	@$(MAKE) --no-print-directory -j$(JOBS) fuzz-bins
	@echo "== fuzzers ($(FUZZ_SMOKE_SECONDS) s each)"; tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZERS) | tee -a build/results.txt

fuzz:
	@$(MAKE) --no-print-directory -j$(JOBS) fuzz-bins
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# Every fuzzer until FUZZ_LONG_RUNS executions (or FUZZ_LONG_SECONDS each, 0 = no cap); what adds coverage is merged
# into the committed corpora tests/fuzz/corpus/<target>/ (commit them). FUZZERS=... picks targets.
FUZZ_LONG_RUNS ?= 10000000
FUZZ_LONG_SECONDS ?= 0
fuzz-long:
	@$(MAKE) --no-print-directory -j$(JOBS) fuzz-bins
	tests/fuzz/long.sh $(FUZZ_LONG_RUNS) $(FUZZ_LONG_SECONDS) $(FUZZERS)

BENCHES = $(basename $(notdir $(wildcard bench/bench*.c)))
bench: $(HDR) build/siocat node-deps | build/bench
	@for b in $(BENCHES); do $(CC_GCC) -std=c99 -O2 -I. -Ibench bench/$$b.c -o build/bench/$$b -lm || exit 1; done
	$(CC_GCC) -std=c99 -O2 -I. -DSIOC_TLS=SIOC_TLS_MBEDTLS bench/bench_http.c -o build/bench/bench_http_mbedtls $(MBEDTLS_LIBS) -lm
	$(CC_GCC) -std=c99 -O2 -I. -DSIOC_TLS=SIOC_TLS_BEARSSL bench/bench_http.c -o build/bench/bench_http_bearssl -lbearssl -lm
	bench/run.sh $(BENCHES) bench_http_mbedtls bench_http_bearssl
	@echo "### cluster: C node (siocat) vs Node test-adapter node, one fauxqs, same run"
	node bench/cluster_bench.js build/siocat
	@echo "### cluster over Service Bus: C node (siocat, REST) vs Node node (@azure/service-bus, AMQP), one broker"
	node bench/cluster_bench.js build/siocat --transport azure

size: $(HDR)
	python3 bench/size.py

# The cluster member as bare-metal firmware on QEMU's mps2-an385 (Cortex-M3), its UART bridged to loopback TCP by
# examples/cortex-m/relay.js, tested against fauxqs + a Node Socket.IO server + a real client (examples/cortex-m/).
CM_CC ?= arm-none-eabi-gcc
CM_DIR = examples/cortex-m
CM_FLAGS = -mcpu=cortex-m3 -mthumb $(CWARN) -Os -g -ffunction-sections -fdata-sections \
	-DSIOC_ENABLE_LIBC_MALLOC=0 -DSIOC_ENABLE_AZURE=0
CM_LINK = -nostartfiles --specs=nano.specs -Wl,--gc-sections -T $(CM_DIR)/mps2_an385.ld
CM_TOOLS = command -v $(CM_CC) >/dev/null && command -v qemu-system-arm >/dev/null && \
	test -f "$$($(CM_CC) -print-file-name=nano.specs)"
build/cortex-m/fw.elf: $(wildcard $(CM_DIR)/*.c $(CM_DIR)/*.h) $(CM_DIR)/mps2_an385.ld $(HDR)
	@mkdir -p build/cortex-m
	$(CM_CC) $(CM_FLAGS) -I. $(filter %.c,$^) $(CM_LINK) -Wl,-Map=build/cortex-m/fw.map -o $@
	arm-none-eabi-size $@
cortex-m-test:
	@if $(CM_TOOLS); then $(MAKE) --no-print-directory build/cortex-m/fw.elf node-deps && \
	    node $(CM_DIR)/test.js build/cortex-m/fw.elf --summary-prefix cortex-m; \
	else echo "SKIPPED cortex-m: needs the Debian packages qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi"; \
	    echo "cortex-m: 0 passed, 0 failed"; fi

clean:
	rm -rf build
