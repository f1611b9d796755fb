#!/bin/sh
# `make unit`: every unit test program in every build whose toolchain is present (tests/toolchain.sh); the others
# are reported as SKIPPED with the Debian packages that bring them. A program that does not compile counts as failed.
# Environment (from the Makefile): MAKE, JOBS, TESTS, RUN_SPECS, TLS_TESTS, QEMU_BE, CXX_STDS, CXX_SUBSET.
results=build/results.txt
: "${MAKE:=make}" "${JOBS:=2}" "${QEMU_BE:=qemu-s390x-static}"
ok=""
: "${CXX_STDS:=11 14 17 20}"
cxx_variants=""
for s in $CXX_STDS; do cxx_variants="$cxx_variants cxx$s clangxx$s"; done
for v in gcc clang $cxx_variants asan i686 s390x mbedtls bearssl asan-mbedtls asan-bearssl; do
    case $v in
    gcc) need=gcc; what="gcc" ;;
    clang) need=clang; what="clang" ;;
    cxx*) need=cxx; what="the tests as C++${v#cxx} with g++" ;;
    clangxx*) need=clang; what="the tests as C++${v#clangxx} with clang++" ;;
    asan) need=asan; what="clang ASan+UBSan" ;;
    i686) need=i686; what="32-bit" ;;
    s390x) need=s390x; what="big-endian under qemu" ;;
    mbedtls) need=mbedtls; what="HTTP/TLS tests with mbedTLS" ;;
    bearssl) need=bearssl; what="HTTP/TLS tests with BearSSL" ;;
    asan-mbedtls) need="asan mbedtls"; what="mbedTLS under ASan+UBSan" ;;
    asan-bearssl) need="asan bearssl"; what="BearSSL under ASan+UBSan" ;;
    esac
    # shellcheck disable=SC2086
    if tests/toolchain.sh need "$v build ($what)" $need; then ok="$ok $v"; fi
done
# bins_of VARIANT [run]: the programs to build, or (run) what tests/run.sh runs: RUN_SPECS may run one program
# several times with arguments (test_member_live,--transport,aws).
bins_of() {
    case $1 in mbedtls|bearssl|asan-*) list=$TLS_TESTS ;;
    cxx14|cxx17|cxx20|clangxx*) list=$CXX_SUBSET ;; # the other standards: a representative subset (Makefile)
    gcc|asan) if [ "${2:-}" = run ] && [ -n "${RUN_SPECS:-}" ]; then list=$RUN_SPECS; else list=$TESTS; fi ;;
    *) list=$TESTS
       # the live tests (real servers, seconds each) run in gcc and ASan; the other builds compile them and run
       # everything offline, where what differs between them (compiler, width, byte order) is exercised
       if [ "${2:-}" = run ]; then list=$(for t in $TESTS; do case $t in *_live) ;; *) printf '%s ' "$t" ;; esac; done); fi ;; esac
    for t in $list; do printf ' build/%s/%s' "$1" "$t"; done
}
all=""
for v in $ok; do all="$all $(bins_of "$v")"; done
# -k: one program that does not compile must not keep the others from running (it counts as failed below)
# shellcheck disable=SC2086
[ -n "$all" ] && $MAKE --no-print-directory -k -j"$JOBS" $all
for v in $ok; do
    emu=""
    case $v in s390x) emu=$QEMU_BE; echo "== s390x (big-endian, $QEMU_BE)" ;;
                mbedtls|bearssl|asan-*) echo "== $v (TLS backend compiled in)" ;;
                *) echo "== $v" ;; esac
    # shellcheck disable=SC2046
    if [ -n "$emu" ]; then tests/run.sh --emu "$emu" $(bins_of "$v" run); else tests/run.sh $(bins_of "$v" run); fi | tee -a "$results"
done
exit 0
