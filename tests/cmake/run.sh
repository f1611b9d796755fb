#!/bin/sh
# The build-system conventions, proved by the consumer in this folder: add_subdirectory() of the source tree,
# find_package() after `cmake --install` into a temporary prefix (and a version it must refuse), and pkg-config.
# Prints one line per check and a subtotal.
set -u
root=$(pwd)
out=$root/build/cmake
rm -rf "$out"; mkdir -p "$out"
prefix=$out/prefix
pass=0; fail=0
log=$out/last.log
ok() { pass=$((pass + 1)); echo "  ok   $1"; }
bad() { fail=$((fail + 1)); echo "  FAIL $1"; tail -n 20 "$log"; }
# check LABEL COMMAND...: the command must succeed and print "consumer ok <version>" when it runs the consumer
version=$(sed -nE 's/^#define SIOC_VERSION_STRING "([0-9.]+)".*/\1/p' sio_cluster.h)
check() { label=$1; shift; if "$@" >"$log" 2>&1; then ok "$label"; else bad "$label"; fi; }
runs() { "$1" | grep -qx "consumer ok $version"; }

check "add_subdirectory: configure and build" sh -c "cmake -S tests/cmake -B '$out/sub' -DSIO_CLUSTER_DIR='$root' -DCMAKE_C_FLAGS=-Werror && cmake --build '$out/sub'"
check "add_subdirectory: consumer runs" runs "$out/sub/consumer"
check "cmake --install into a temporary prefix" sh -c "cmake -S . -B '$out/lib' -DCMAKE_INSTALL_PREFIX='$prefix' && cmake --install '$out/lib'"
check "installed: header, package config, version file, pkg-config file" sh -c "test -f '$prefix/include/sio_cluster.h' &&
    test -f '$prefix/share/cmake/sio_cluster/sio_clusterConfig.cmake' &&
    test -f '$prefix/share/cmake/sio_cluster/sio_clusterConfigVersion.cmake' &&
    test -f '$prefix/share/cmake/sio_cluster/sio_clusterTargets.cmake' && test -f '$prefix/share/pkgconfig/sio_cluster.pc'"
check "find_package(sio_cluster $version): configure and build" sh -c "cmake -S tests/cmake -B '$out/pkg' -DCMAKE_PREFIX_PATH='$prefix' -DWANT=$version -DCMAKE_C_FLAGS=-Werror && cmake --build '$out/pkg'"
check "find_package: consumer runs" runs "$out/pkg/consumer"
check "find_package(sio_cluster 99.0) is refused" sh -c "! cmake -S tests/cmake -B '$out/pkg99' -DCMAKE_PREFIX_PATH='$prefix' -DWANT=99.0"
cflags=$(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --cflags sio_cluster 2>"$log" | sed 's/ *$//')
check "pkg-config --cflags sio_cluster = -I$prefix/include" test "$cflags" = "-I$prefix/include"
check "pkg-config --modversion sio_cluster = $version" test "$(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --modversion sio_cluster)" = "$version"
# shellcheck disable=SC2086
check "pkg-config: cc \$(pkg-config --cflags sio_cluster) builds the consumer" ${CC_GCC:-gcc} -std=c99 -Wall -Wextra -Werror $cflags tests/cmake/main.c -o "$out/pc_consumer"
check "pkg-config: consumer runs" runs "$out/pc_consumer"
echo "subtotal: $pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
