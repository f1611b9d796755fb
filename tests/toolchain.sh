#!/bin/sh
# Which optional toolchains this machine has. `make test` runs every build whose tools are present and reports the
# others as SKIPPED together with the Debian packages that bring them (the README lists them all in one line).
#   tests/toolchain.sh check NAME...        exit 0 when all are usable; else print what is missing, exit 1
#   tests/toolchain.sh need LABEL NAME...   as check, and when one is missing print "SKIPPED LABEL: ..." and add
#                                           a skipped part to build/results.txt (a failure under SIOC_REQUIRE_ALL=1)
# NAME: gcc cxx clang asan libfuzzer i686 s390x mbedtls bearssl arm mingw wine node openssl cmake pkgconfig qemuarm
#       chromium
CC_GCC=${CC_GCC:-gcc}; CXX=${CXX:-g++}; CC_CLANG=${CC_CLANG:-clang}; CC_32=${CC_32:-i686-linux-gnu-gcc}
CC_BE=${CC_BE:-s390x-linux-gnu-gcc}; QEMU_BE=${QEMU_BE:-qemu-s390x-static}; CC_MINGW=${CC_MINGW:-x86_64-w64-mingw32-gcc}
tmp=build/toolchain-check
mkdir -p "$tmp"
have() { command -v "$1" >/dev/null 2>&1; }
# try_link CC FLAGS... : a tiny C program (main or, with -fsanitize=fuzzer, the fuzz entry point) links
try_link() {
    cc=$1; shift
    have "$cc" || return 1
    printf '#include <string.h>\n#include <stdint.h>\n#include <stddef.h>\n%s\n' "$SRC" >"$tmp/t.c"
    "$cc" "$tmp/t.c" -o "$tmp/t.out" "$@" >"$tmp/log" 2>&1
}
MAIN='int main(void) { return (int)strlen(""); }'
check_one() {
    SRC=$MAIN
    case $1 in
    gcc) try_link "$CC_GCC" || { echo "$CC_GCC (apt-get install build-essential)"; return 1; } ;;
    cxx) have "$CXX" && printf 'int main(){return 0;}\n' | "$CXX" -x c++ - -o "$tmp/t.out" >/dev/null 2>&1 ||
             { echo "$CXX (apt-get install g++)"; return 1; } ;;
    clang) try_link "$CC_CLANG" || { echo "$CC_CLANG (apt-get install clang)"; return 1; } ;;
    asan) try_link "$CC_CLANG" -fsanitize=address,undefined ||
              { echo "clang with the ASan/UBSan runtime (apt-get install clang libclang-rt-14-dev)"; return 1; } ;;
    libfuzzer) SRC='int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }'
               try_link "$CC_CLANG" -fsanitize=fuzzer,address ||
                   { echo "clang with libFuzzer (apt-get install clang libclang-rt-14-dev)"; return 1; } ;;
    i686) try_link "$CC_32" -static ||
              { echo "$CC_32 (apt-get install gcc-i686-linux-gnu libc6-dev-i386-cross)"; return 1; } ;;
    s390x) { try_link "$CC_BE" -static && have "$QEMU_BE"; } ||
               { echo "$CC_BE and $QEMU_BE (apt-get install gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user-static)"; return 1; } ;;
    mbedtls) SRC="#include <mbedtls/ssl.h>
$MAIN"; try_link "$CC_GCC" -lmbedtls -lmbedx509 -lmbedcrypto || { echo "mbedTLS (apt-get install libmbedtls-dev)"; return 1; } ;;
    bearssl) SRC="#include <bearssl.h>
$MAIN"; try_link "$CC_GCC" -lbearssl || { echo "BearSSL (apt-get install libbearssl-dev)"; return 1; } ;;
    arm) SRC="$MAIN"; try_link arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -c ||
             { echo "arm-none-eabi-gcc with newlib (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)"; return 1; } ;;
    mingw) try_link "$CC_MINGW" || { echo "$CC_MINGW (apt-get install gcc-mingw-w64-x86-64)"; return 1; } ;;
    wine) { have wine64 || have wine || [ -x /usr/lib/wine/wine64 ]; } || { echo "wine (apt-get install wine64 wine)"; return 1; } ;;
    node) v=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
          [ -n "$v" ] && [ "$v" -ge 20 ] 2>/dev/null ||
              { echo "Node.js >= 20 (found: ${v:-none}; Debian 12's nodejs is 18: npm install -g node@20)"; return 1; } ;;
    openssl) have openssl || { echo "the openssl CLI (apt-get install openssl)"; return 1; } ;;
    cmake) have cmake || { echo "cmake (apt-get install cmake)"; return 1; } ;;
    qemuarm) have qemu-system-arm || { echo "qemu-system-arm (apt-get install qemu-system-arm)"; return 1; } ;;
    chromium) { have chromium || have chromium-browser; } || { echo "chromium (apt-get install chromium)"; return 1; } ;;
    pkgconfig) have pkg-config || { echo "pkg-config (apt-get install pkg-config)"; return 1; } ;;
    *) echo "unknown toolchain $1"; return 1 ;;
    esac
}
mode=$1; shift
label=""
if [ "$mode" = need ]; then label=$1; shift; fi
missing=""
for n in "$@"; do
    why=$(check_one "$n") || missing="${missing:+$missing; }$why"
done
[ -z "$missing" ] && exit 0
if [ "$mode" = need ]; then
    mkdir -p build
    if [ "${SIOC_REQUIRE_ALL:-0}" = 1 ]; then
        echo "FAIL $label: missing $missing (SIOC_REQUIRE_ALL=1)"
        echo "subtotal: 0 passed, 1 failed, 0 skipped" >>build/results.txt
    else
        echo "SKIPPED $label: needs $missing"
        echo "subtotal: 0 passed, 0 failed, 1 skipped" >>build/results.txt
    fi
else
    echo "$missing"
fi
exit 1
