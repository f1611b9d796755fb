# sio_cluster.h - build and test. `make test` is the one command that proves it all (README).
#   make test    installs the Node test tools (npm ci from the lockfiles), then every test in every build whose
#                toolchain is here: gcc, clang, g++ (as C++), ASan+UBSan, 32-bit, big-endian (qemu), the HTTP/TLS
#                tests with mbedTLS and BearSSL, Windows (mingw-w64 + wine), the configuration matrix, the CMake and
#                pkg-config consumers, the interop scenarios and the Service Bus broker tests (Node), the
#                exported-symbol check, amalgamation freshness, and a short run of every fuzzer. A build whose tools
#                are missing says SKIPPED with the Debian packages to install (tests/toolchain.sh). The last line is
#                always "N passed, N failed, N skipped"; the exit status is non-zero on any failure (and on any
#                skip with SIOC_REQUIRE_ALL=1, as in CI).
#   make demo    fauxqs + a Node Socket.IO server and client + siocat, events both ways
#   make emulator  start the fauxqs SNS/SQS emulator on 127.0.0.1:4566 (for siocat and the examples; Ctrl-C stops)
#   make fuzz    longer fuzzing (FUZZ_SECONDS per target)
#   make fuzz-long   every fuzzer to 10 M executions, corpora minimized into tests/fuzz/corpus/ (commit them)
#   make soak    mixed cluster traffic for SOAK_SECONDS (600) with restarts: exactly-once, flat RSS and heap
#                (soak-short: 60 s)
#   make bench   speed tables, incl. the C node vs a Node node     make size   -Os code size per piece and program
#   make cortex-m-test   the member as Cortex-M3 firmware in QEMU (mps2-an385) in a cluster with a Node server

CC_GCC   ?= gcc
CC_CLANG ?= clang
CXX      ?= g++
CXX_CLANG ?= clang++
CC_32    ?= i686-linux-gnu-gcc
CC_BE    ?= s390x-linux-gnu-gcc
QEMU_BE  ?= qemu-s390x-static
CC_MINGW ?= x86_64-w64-mingw32-gcc
export CC_GCC CC_CLANG CXX CC_32 CC_BE QEMU_BE CC_MINGW # tests/toolchain.sh checks the same compilers
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 4

WARN  = -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual -Wvla
CWARN = -std=c99 $(WARN) -Wstrict-prototypes -Wmissing-prototypes

HDR   = sio_cluster.h
DEPS  = $(HDR) $(wildcard tests/*.h)
# test_build_smallbuf.c runs test_http.c again with a small sioc_http_drive() buffer
SMALLBUF_BINS = $(foreach v,$(VARIANTS) $(TLS_VARIANTS),build/$(v)/test_build_smallbuf)
TESTS = $(basename $(notdir $(wildcard tests/test_*.c)))
FUZZERS = $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c)))
# C++: the tests again as C++11/14/17/20 with g++ (cxx*) and clang++ (clangxx*). cxx11 builds and runs them all; the
# other seven build and run CXX_SUBSET, a representative set (codecs, parser, node, member, HTTP engine) that covers
# what differs between standards ([[nodiscard]] from C++17, the C++20 rules on enums and designators); the matrix
# compiles the whole implementation in all eight. (Building every test eight times would double CI's time.)
CXX_STDS = 11 14 17 20
CXX_VARIANTS = $(foreach s,$(CXX_STDS),cxx$(s) clangxx$(s))
CXX_SUBSET = test_base test_json test_msgpack test_mpjson test_sio test_cluster_msg test_cluster test_cluster_values test_http test_member
VARIANTS = gcc clang $(CXX_VARIANTS) asan i686 s390x
TLS_TESTS = test_tls test_http test_http_posix test_azure_live
# What tests/run.sh runs per build: every test, test_member_live once per transport (two result lines).
RUN_SPECS = $(filter-out test_member_live,$(TESTS)) test_member_live,--transport,aws test_member_live,--transport,azure
TLS_VARIANTS = mbedtls bearssl asan-mbedtls asan-bearssl

.PHONY: all examples examples-live demo emulator chat chat-test chat-load chat-deps node-deps test unit unit-bins fuzz-bins matrix windows cmake-test interop interop-azure interop-azure-tls sbbroker fuzz fuzz-smoke fuzz-long soak soak-short bench size symbols amalgamate-check cortex-m-test clean
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
	$(CXX) -x c++ -std=c++17 $(WARN) -O2 -I. $< -o $@ -lm

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
chat-test: build/chat-server
	@echo "== chat browser test (Node + C server, headless Chromium), aws"; \
	tests/toolchain.sh need "chat browser test" chromium node || exit 0; \
	$(MAKE) --no-print-directory chat-deps; \
	tests/run_cmd.sh build/results.txt chat-aws node examples/chat/test.js --transport aws; \
	echo "== chat browser test, azure"; \
	tests/run_cmd.sh build/results.txt chat-azure node examples/chat/test.js --transport azure
chat: build/chat-server chat-deps
	node examples/chat/run.js --transport $(or $(TRANSPORT),aws)
chat-load: build/chat-server chat-deps
	node examples/chat/load.js --transport $(or $(TRANSPORT),aws) --clients $(or $(CLIENTS),10000)

# make demo: fauxqs + one Node Socket.IO server with a client + siocat, events both ways, then a clean stop.
demo: build/siocat node-deps
	node tests/interop/demo.js build/siocat

# make emulator: the fauxqs SNS/SQS emulator on 127.0.0.1:4566 in the foreground, for siocat and the README's
# examples (AWS_ENDPOINT_URL=http://127.0.0.1:4566); Ctrl-C stops it. PORT=N for another port.
PORT ?= 4566
emulator:
	@tests/toolchain.sh check node >/dev/null || { tests/toolchain.sh check node; exit 1; }
	@[ -d tests/fauxqs/node_modules ] || (cd tests/fauxqs && npm ci --no-audit --no-fund --loglevel=error)
	node tests/fauxqs/launch.mjs --port $(PORT)

# npm ci in every Node test tool folder that has not been installed yet (lockfiles pin every version). Without
# Node.js 20 it says SKIPPED (the suites that need Node then say so too).
node-deps:
	@if tests/toolchain.sh need "Node test tools (npm ci)" node; then \
	for d in tests/*/; do if [ -f "$$d/package-lock.json" ] && [ ! -d "$$d/node_modules" ]; then \
	    echo "npm ci in $$d"; (cd "$$d" && npm ci --no-audit --no-fund --loglevel=error) || exit 1; fi; done; fi

$(HDR): amalgamate.py $(wildcard src/*)
	python3 amalgamate.py

build/gcc/%: tests/%.c $(DEPS) | build/gcc
	$(CC_GCC) $(CWARN) -O1 -g -I. $< -o $@ -lm
build/clang/%: tests/%.c $(DEPS) | build/clang
	$(CC_CLANG) $(CWARN) -O0 -I. $< -o $@ -lm
define CXX_RULES
build/cxx$(1)/%: tests/%.c $$(DEPS) | build/cxx$(1)
	$$(CXX) -x c++ -std=c++$(1) $$(WARN) -O0 -I. $$< -o $$@ -lm
build/clangxx$(1)/%: tests/%.c $$(DEPS) | build/clangxx$(1)
	$$(CXX_CLANG) -x c++ -std=c++$(1) $$(WARN) -O0 -I. $$< -o $$@ -lm
endef
$(foreach s,$(CXX_STDS),$(eval $(call CXX_RULES,$(s))))
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

build/gcc build/clang $(addprefix build/,$(CXX_VARIANTS)) build/asan build/i686 build/s390x build/fuzz build/bench build/obj \
build/mbedtls build/bearssl build/asan-mbedtls build/asan-bearssl:
	mkdir -p $@

STEP = tests/step.sh
test:
	@mkdir -p build && rm -f build/results.txt
	@$(STEP) node-deps $(MAKE) --no-print-directory node-deps
	@$(STEP) --count amalgamate-check $(MAKE) --no-print-directory amalgamate-check
	@$(STEP) --count symbols $(MAKE) --no-print-directory symbols
	@$(STEP) --count examples $(MAKE) --no-print-directory examples
	@$(STEP) unit $(MAKE) --no-print-directory unit
	@$(STEP) windows $(MAKE) --no-print-directory windows
	@$(STEP) matrix $(MAKE) --no-print-directory matrix
	@$(STEP) cmake $(MAKE) --no-print-directory cmake-test
	@$(STEP) interop $(MAKE) --no-print-directory interop
	@$(STEP) examples-live $(MAKE) --no-print-directory examples-live
	@$(STEP) cortex-m $(MAKE) --no-print-directory cortex-m-test
	@$(STEP) chat $(MAKE) --no-print-directory chat-test
	@$(STEP) soak-short $(MAKE) --no-print-directory soak-short
	@$(STEP) interop-azure $(MAKE) --no-print-directory interop-azure
	@$(STEP) interop-azure-tls $(MAKE) --no-print-directory interop-azure-tls
	@$(STEP) sbbroker $(MAKE) --no-print-directory sbbroker
	@$(STEP) fuzz-smoke $(MAKE) --no-print-directory fuzz-smoke
	@tests/total.sh build/results.txt

UNIT_BINS = $(foreach v,$(VARIANTS),$(addprefix build/$(v)/,$(TESTS))) $(foreach v,$(TLS_VARIANTS),$(addprefix build/$(v)/,$(TLS_TESTS)))
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
unit-bins: $(UNIT_BINS)

# Every build whose toolchain is present (tests/unit.sh); missing ones are SKIPPED with their Debian packages.
unit: $(HDR)
	@MAKE="$(MAKE)" JOBS="$(JOBS)" TESTS="$(TESTS)" RUN_SPECS="$(RUN_SPECS)" TLS_TESTS="$(TLS_TESTS)" QEMU_BE="$(QEMU_BE)" \
	    CXX_STDS="$(CXX_STDS)" CXX_SUBSET="$(CXX_SUBSET)" tests/unit.sh

# Windows: the unit tests that need no sockets or servers, built by mingw-w64 without the POSIX backend (the
# default) and run under wine. Sockets on Windows: implement sioc_http_transport over Winsock (README).
WIN_TESTS = $(basename $(notdir $(shell grep -L 'SIOC_ENABLE_POSIX 1' tests/test_*.c)))
WINE ?= $(firstword $(shell command -v wine64 wine 2>/dev/null) /usr/lib/wine/wine64)
build/win/%.exe: tests/%.c $(DEPS)
	@mkdir -p build/win
	$(CC_MINGW) $(CWARN) -O1 -I. $< -o $@ -lm
windows: $(HDR)
	@echo "== windows (mingw-w64, no POSIX backend, under wine)"; \
	tests/toolchain.sh need "windows build (mingw-w64 + wine)" mingw wine || exit 0; \
	$(MAKE) --no-print-directory -k -j$(JOBS) $(addprefix build/win/,$(addsuffix .exe,$(WIN_TESTS))); \
	WINEPREFIX=$(CURDIR)/build/wineprefix WINEDEBUG=-all tests/run.sh --emu $(WINE) \
	    $(addprefix build/win/,$(addsuffix .exe,$(WIN_TESTS))) | tee -a build/results.txt

# The CMake package (INTERFACE target, install with package config and version file) and pkg-config file, used by
# tests/cmake/ through add_subdirectory() and through find_package() after `cmake --install` into build/cmake/prefix.
cmake-test: $(HDR)
	@echo "== cmake and pkg-config consumers (tests/cmake)"; \
	tests/toolchain.sh need "cmake and pkg-config consumers" cmake pkgconfig || exit 0; \
	tests/cmake/run.sh | tee -a build/results.txt

# Every combination of the compile-time switches compiles; two static copies link; Cortex-M4 compiles.
matrix: $(HDR)
	@echo "== configuration matrix"; tests/matrix/run.sh | tee -a build/results.txt

# Cluster scenarios against real Socket.IO servers, real clients and the fauxqs emulator (tests/interop/README.md).
interop: build/siocat
	@echo "== interop (2 Node Socket.IO servers + siocat over fauxqs, real socket.io-clients)"; \
	tests/toolchain.sh need interop node || exit 0; \
	tests/run_cmd.sh build/results.txt interop node tests/interop/run.js --members node,node,siocat:build/siocat

# The examples as a user runs them (README), against a Node server and client, on both clouds.
examples-live: examples
	@echo "== examples (basic.c, emit.c, emit_tiny.c) against a Node Socket.IO server over fauxqs and over the Service Bus broker"; \
	tests/toolchain.sh need "examples against a Node server" node openssl || exit 0; \
	tests/toolchain.sh need examples-live node || exit 0; \
	tests/run_cmd.sh build/results.txt examples-aws node tests/interop/examples.js --transport aws build/examples; \
	tests/run_cmd.sh build/results.txt examples-azure node tests/interop/examples.js --transport azure build/examples

# The same scenarios over Service Bus: the project's broker, Node servers on @azure/service-bus, siocat over REST.
interop-azure: build/siocat
	@echo "== interop-azure (2 Node Socket.IO servers + siocat over the project's Service Bus broker)"; \
	tests/toolchain.sh need interop-azure node || exit 0; \
	tests/run_cmd.sh build/results.txt interop-azure node tests/interop/run.js --transport azure --members node,node,siocat:build/siocat

# Again with the C node over HTTPS (mbedTLS build of siocat, broker certificate made by openssl for localhost).
interop-azure-tls:
	@echo "== interop-azure-tls (as above, siocat over HTTPS to the broker)"; \
	tests/toolchain.sh need interop-azure-tls node mbedtls openssl || exit 0; \
	$(MAKE) --no-print-directory build/siocat-tls && \
	tests/run_cmd.sh build/results.txt interop-azure-tls node tests/interop/run.js --transport azure --siocat-tls --members node,node,siocat:build/siocat-tls

# The project's Service Bus test broker against the official @azure/service-bus SDK (tests/sbbroker/README.md).
sbbroker:
	@echo "== sbbroker (AMQP + REST + ATOM broker vs @azure/service-bus)"; \
	tests/toolchain.sh need sbbroker node || exit 0; \
	tests/run_cmd.sh build/results.txt sbbroker node tests/sbbroker/test.js

# Soak (tests/soak/soak.js): two siocat members (one restarted now and then) and a Node member on fauxqs, mixed
# traffic for SOAK_SECONDS; every message exactly once to its receivers, RSS and heap flat, no error line.
SOAK_SECONDS ?= 600
build/soak/alloc_count.so: bench/alloc_count.c
	@mkdir -p build/soak
	$(CC_GCC) -O2 -shared -fPIC $< -o $@
soak: build/siocat build/soak/alloc_count.so node-deps
	@echo "== soak ($(SOAK_SECONDS) s)"; \
	tests/toolchain.sh need soak node || exit 0; \
	tests/run_cmd.sh build/results.txt soak node tests/soak/soak.js --siocat build/siocat \
	    --alloc-count build/soak/alloc_count.so --seconds $(SOAK_SECONDS)
soak-short:
	@$(MAKE) --no-print-directory soak SOAK_SECONDS=60

# Freshness, every piece compiling alone, the layering; then the layering check must catch planted bad includes.
amalgamate-check:
	python3 amalgamate.py --check
	@echo "== layering check (planted bad includes)"; tests/layering/run.sh | tee -a build/results.txt

# Every exported symbol must carry the sioc_ prefix (mongoose's mg_prefix check).
symbols: $(HDR) | build/obj
	printf '#define SIO_CLUSTER_IMPLEMENTATION\n#include "sio_cluster.h"\n' > build/obj/impl.c
	$(CC_GCC) $(CWARN) -O2 -I. -c build/obj/impl.c -o build/obj/impl.o
	@bad=$$(nm -g --defined-only build/obj/impl.o | awk '{print $$3}' | grep -v '^sioc_' || true); \
	if [ -n "$$bad" ]; then echo "symbols without the sioc_ prefix: $$bad"; exit 1; fi; \
	echo "symbols: $$(nm -g --defined-only build/obj/impl.o | wc -l) exported, all prefixed sioc_"

fuzz-bins: $(addprefix build/fuzz/,$(FUZZERS))

fuzz-smoke:
	@echo "== fuzzers ($(FUZZ_SMOKE_SECONDS) s each)"; tests/toolchain.sh need "fuzzers (libFuzzer)" libfuzzer || exit 0; \
	$(MAKE) --no-print-directory -j$(JOBS) fuzz-bins || exit 1; \
	tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZERS) | tee -a build/results.txt

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
	@echo "### cluster: C node (siocat, pacing on and off) vs Node test-adapter node, one fauxqs, same run"
	node bench/cluster_bench.js build/siocat
	@echo "### cluster over Service Bus: C node (siocat, REST, two samples) vs Node node (@azure/service-bus, AMQP), one broker"
	node bench/cluster_bench.js build/siocat --transport azure

size: $(HDR)
	python3 bench/size.py

# The cluster member as bare-metal firmware on QEMU's mps2-an385 (Cortex-M3), its UART bridged to loopback TCP by
# examples/cortex-m/relay.js, tested against fauxqs + a Node Socket.IO server + a real client (examples/cortex-m/).
CM_CC ?= arm-none-eabi-gcc
CM_DIR = examples/cortex-m
CM_FLAGS = -mcpu=cortex-m3 -mthumb $(CWARN) -Os -g -ffunction-sections -fdata-sections \
	-DSIOC_ENABLE_LIBC_MALLOC=0 -DSIOC_ENABLE_AZURE=0 -DSIOC_ENABLE_JANITOR=0 -DSIOC_ENABLE_PUBLISH_BATCH=0 -DSIOC_ENABLE_REQUESTS=0
CM_LINK = -nostartfiles --specs=nano.specs -Wl,--gc-sections -T $(CM_DIR)/mps2_an385.ld
CM_TOOLS = command -v $(CM_CC) >/dev/null && command -v qemu-system-arm >/dev/null && \
	test -f "$$($(CM_CC) -print-file-name=nano.specs)"
CM_BOARD = $(CM_DIR)/board.c $(CM_DIR)/link.c
# fw.elf: the member (fw.c); fw_emit.elf: the tiny emitter (fw_emit.c includes examples/emit_tiny.c)
build/cortex-m/%.elf: $(CM_DIR)/%.c $(CM_BOARD) $(wildcard $(CM_DIR)/*.h) examples/emit_tiny.c $(CM_DIR)/mps2_an385.ld $(HDR)
	@mkdir -p build/cortex-m
	$(CM_CC) $(CM_FLAGS) -I. $< $(CM_BOARD) $(CM_LINK) -Wl,-Map=build/cortex-m/$*.map -o $@
	arm-none-eabi-size $@
cortex-m-test:
	@echo "== cortex-m (a firmware member on QEMU mps2-an385, over the UART relay, fauxqs + Node server + client)"; \
	tests/toolchain.sh need "cortex-m firmware on QEMU" arm qemuarm node || exit 0; \
	$(MAKE) --no-print-directory build/cortex-m/fw.elf build/cortex-m/fw_emit.elf node-deps && \
	tests/run_cmd.sh build/results.txt cortex-m node $(CM_DIR)/test.js build/cortex-m/fw.elf --emitter build/cortex-m/fw_emit.elf --summary-prefix cortex-m

clean:
	rm -rf build

$(SMALLBUF_BINS): tests/test_http.c
