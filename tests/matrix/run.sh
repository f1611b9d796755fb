#!/bin/sh
# Configuration matrix: the implementation compiles warning-free (-Wundef catches misspelt switches) in every
# combination of the compile-time switches, for the host and for Cortex-M4; two SIO_CLUSTER_STATIC copies link.
# Prints one line per configuration and a subtotal.
set -u
CC=${CC_GCC:-gcc}
FLAGS="-std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual -Wvla -Wstrict-prototypes -Wmissing-prototypes"
mkdir -p build/matrix
printf '#define SIO_CLUSTER_IMPLEMENTATION\n#include "sio_cluster.h"\n' > build/matrix/impl.c
pass=0; fail=0; skip=0
# A group whose compiler or library is missing: one SKIPPED line with the packages (a failure with SIOC_REQUIRE_ALL=1).
have() { # label, toolchain names...
    label=$1; shift
    why=$(tests/toolchain.sh check "$@") && return 0
    if [ "${SIOC_REQUIRE_ALL:-0}" = 1 ]; then fail=$((fail + 1)); echo "  FAIL $label: needs $why"
    else skip=$((skip + 1)); echo "  SKIPPED $label: needs $why"; fi
    return 1
}
try() { # label, command...
    label=$1; shift
    if "$@" >build/matrix/last.log 2>&1; then pass=$((pass + 1)); echo "  ok   $label"
    else fail=$((fail + 1)); echo "  FAIL $label"; head -n 20 build/matrix/last.log; fi
}
has_tls=$(grep -c 'SIOC_TLS_MBEDTLS' sio_cluster.h || true)
has_posix=$(grep -c 'SIOC_ENABLE_POSIX' sio_cluster.h || true)
tls_list="SIOC_TLS_NONE"
if [ "$has_tls" -gt 0 ]; then
    have "matrix with SIOC_TLS_MBEDTLS" mbedtls && tls_list="$tls_list SIOC_TLS_MBEDTLS"
    have "matrix with SIOC_TLS_BEARSSL" bearssl && tls_list="$tls_list SIOC_TLS_BEARSSL"
fi
posix_list="0"
[ "$has_posix" -gt 0 ] && posix_list="0 1"
for tls in $tls_list; do
  for posix in $posix_list; do
    for strings in 0 1; do
      for log in 0 1; do
        defs="-DSIOC_ENABLE_ERROR_STRINGS=$strings -DSIOC_ENABLE_LOG=$log"
        [ "$has_tls" -gt 0 ] && defs="$defs -DSIOC_TLS=$tls"
        [ "$has_posix" -gt 0 ] && defs="$defs -DSIOC_ENABLE_POSIX=$posix"
        # strict C99 hides POSIX declarations on glibc: a POSIX build states the feature level it needs
        [ "$posix" = 1 ] && defs="$defs -D_POSIX_C_SOURCE=200809L"
        try "gcc $defs" $CC $FLAGS $defs -I. -c build/matrix/impl.c -o build/matrix/impl.o
      done
    done
  done
done
try "gcc, AWS and Azure transports left out" $CC $FLAGS -DSIOC_ENABLE_AWS=0 -DSIOC_ENABLE_AZURE=0 -I. -c build/matrix/impl.c -o build/matrix/impl.o
# Features a device may leave out (the manual's CONFIGURATION), in every combination and with one cloud only.
for rx in 0 1; do
  for jan in 0 1; do
    for fl in 0 1; do
      for clouds in "" "-DSIOC_ENABLE_AZURE=0" "-DSIOC_ENABLE_AWS=0"; do
        defs="-DSIOC_ENABLE_RECEIVE=$rx -DSIOC_ENABLE_JANITOR=$jan -DSIOC_ENABLE_FLOAT=$fl $clouds"
        try "gcc $defs" $CC $FLAGS $defs -I. -c build/matrix/impl.c -o build/matrix/impl.o
        have "g++ $defs" cxx && try "g++ -x c++ $defs" ${CXX:-g++} -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual -Wvla $defs -I. -c build/matrix/impl.c -o build/matrix/impl.o
      done
    done
  done
done
# The device switches, each alone, then all four with one cloud, publish-only, and the other feature switches.
DEVICE="-DSIOC_ENABLE_PUBLISH_BATCH=0 -DSIOC_ENABLE_REQUESTS=0 -DSIOC_ENABLE_MD5_CHECK=0 -DSIOC_ENABLE_SKEW_CORRECTION=0"
for defs in $DEVICE; do
  try "gcc $defs" $CC $FLAGS $defs -I. -c build/matrix/impl.c -o build/matrix/impl.o
done
for more in "" "-DSIOC_ENABLE_AZURE=0" "-DSIOC_ENABLE_AWS=0" "-DSIOC_ENABLE_RECEIVE=0 -DSIOC_ENABLE_AZURE=0" "-DSIOC_ENABLE_JANITOR=0 -DSIOC_ENABLE_FLOAT=0 -DSIOC_ENABLE_AZURE=0"; do
  try "gcc (device switches 0) $more" $CC $FLAGS $DEVICE $more -I. -c build/matrix/impl.c -o build/matrix/impl.o
done
have "g++ (device switches 0)" cxx && try "g++ -x c++ (device switches 0)" ${CXX:-g++} -x c++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef -Wcast-qual -Wvla $DEVICE -I. -c build/matrix/impl.c -o build/matrix/impl.o
have "clang, the smallest builds" clang && for defs in "-DSIOC_ENABLE_RECEIVE=0 -DSIOC_ENABLE_AZURE=0" "-DSIOC_ENABLE_JANITOR=0 -DSIOC_ENABLE_FLOAT=0 -DSIOC_ENABLE_AZURE=0" "-DSIOC_ENABLE_FLOAT=0 -DSIOC_ENABLE_AWS=0"; do
  try "clang $defs" ${CC_CLANG:-clang} $FLAGS $defs $DEVICE -DSIOC_ENABLE_LOG=0 -DSIOC_ENABLE_ERROR_STRINGS=0 -I. -c build/matrix/impl.c -o build/matrix/impl.o
  have "clang++ $defs" clang && try "clang++ -x c++ $defs" ${CXX_CLANG:-clang++} -x c++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -Wundef $defs -I. -c build/matrix/impl.c -o build/matrix/impl.o
done
have "clang, no libc malloc" clang && try "clang, no libc malloc" ${CC_CLANG:-clang} $FLAGS -DSIOC_ENABLE_LIBC_MALLOC=0 -I. -c build/matrix/impl.c -o build/matrix/impl.o
for std in 11 14 17 20; do
  have "g++ -std=c++$std" cxx && try "g++ -std=c++$std, all defaults" ${CXX:-g++} -x c++ -std=c++$std -Wall -Wextra -Wpedantic -Werror -Wundef -I. -c build/matrix/impl.c -o build/matrix/impl.o
  have "clang++ -std=c++$std" clang && try "clang++ -std=c++$std, all defaults" ${CXX_CLANG:-clang++} -x c++ -std=c++$std -Wall -Wextra -Wpedantic -Werror -Wundef -I. -c build/matrix/impl.c -o build/matrix/impl.o
done
try "SIOC_CONFIG_FILE: one file configures header and implementation" sh -c "$CC $FLAGS -DSIOC_CONFIG_FILE='\"tests/matrix/config.h\"' -I. tests/matrix/config_main.c -o build/matrix/config && build/matrix/config"
have "arm-none-eabi-gcc cortex-m4" arm && try "arm-none-eabi-gcc cortex-m4 -Os" arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os $FLAGS -DSIOC_ENABLE_LIBC_MALLOC=0 -I. -c build/matrix/impl.c -o build/matrix/impl_m4.o
have "arm-none-eabi-gcc cortex-m4, small" arm && for defs in "-DSIOC_ENABLE_RECEIVE=0" "-DSIOC_ENABLE_JANITOR=0 -DSIOC_ENABLE_FLOAT=0"; do
  try "arm-none-eabi-gcc cortex-m4 -Os $defs -DSIOC_ENABLE_AZURE=0" arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os $FLAGS -DSIOC_ENABLE_LIBC_MALLOC=0 $defs $DEVICE -DSIOC_ENABLE_AZURE=0 -DSIOC_ENABLE_LOG=0 -DSIOC_ENABLE_ERROR_STRINGS=0 -I. -c build/matrix/impl.c -o build/matrix/impl_m4.o
done
# The programs of `make size` (bench/size_prog.c) link as a device builds them; the tiny emitter
# (examples/emit_tiny.c, program 4) stays within the 24 KB the README promises.
if have "arm-none-eabi-gcc cortex-m4, size programs" arm; then
  M4LINK="arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os $FLAGS -ffunction-sections -fdata-sections -DNDEBUG -DSIOC_ENABLE_LIBC_MALLOC=0 -DSIOC_ENABLE_LOG=0 -DSIOC_ENABLE_ERROR_STRINGS=0 -I. bench/size_prog.c -Wl,--gc-sections --specs=nano.specs --specs=nosys.specs"
  for p in "1 -DSIOC_ENABLE_AZURE=0 -DSIOC_ENABLE_JANITOR=0" "2 -DSIOC_ENABLE_AWS=0" "3 -DSIOC_ENABLE_AZURE=0 -DSIOC_ENABLE_RECEIVE=0" "4 -DSIOC_ENABLE_SKEW_CORRECTION=0"; do
    n=${p%% *}; defs=${p#* }
    try "size program $n links for cortex-m4 ($defs)" $M4LINK -DSIZE_PROG=$n $defs -o build/matrix/size$n.elf
  done
  try "the tiny emitter's flash (text+data) is at most 24576 bytes" sh -c "arm-none-eabi-size build/matrix/size4.elf | awk 'NR == 2 { print \$1 + \$2 \" bytes\"; exit !(\$1 + \$2 <= 24576) }'"
fi
try "SIO_CLUSTER_STATIC twice in one program" sh -c "$CC $FLAGS -I. tests/matrix/static_a.c tests/matrix/static_b.c -o build/matrix/static && build/matrix/static"
echo "subtotal: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
