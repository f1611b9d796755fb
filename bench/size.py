#!/usr/bin/env python3
"""make size: -Os code size of each src/ piece, and of whole programs built as a user would build them.

1. Per piece: the whole implementation is compiled once per target with -ffunction-sections; every function and
   constant table symbol is attributed to the src/ file that defines it (static helpers inlined into a caller count
   for the caller's piece). Only code and read-only data count (text + rodata), which is what flash holds.
2. Per program: bench/size_prog.c (a tiny main over sioc_cluster: an AWS member, an Azure member, an AWS
   emitter-only program) linked with -Os -ffunction-sections -fdata-sections -Wl,--gc-sections -DNDEBUG, no TLS, for
   Cortex-M4 (thumb, newlib-nano, allocator hook) and x86-64 (glibc, dynamic), with the default switches, lean
   (SIOC_ENABLE_LOG=0, SIOC_ENABLE_ERROR_STRINGS=0) and small (lean plus the feature switches that program can do
   without: SIOC_ENABLE_JANITOR=0, SIOC_ENABLE_FLOAT=0, SIOC_ENABLE_RECEIVE=0 for the emitter, the device switches
   PUBLISH_BATCH, REQUESTS, MD5_CHECK, SKEW_CORRECTION = 0 where they apply; see PROGRAMS and the manual's
   CONFIGURATION). What each piece costs inside those programs comes from
   nm --size-sort on the linked ELF, grouped by src/ module; the C library and the compiler's helpers (soft
   double on the M4) are shown apart. `python3 bench/size.py --programs` prints only part 2."""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import amalgamate  # noqa: E402  (the piece order lives there)

DEF = re.compile(r"^(?:SIOC_API|SIOC__FN|static)\b[^;=]*?\b(sioc_\w+)\s*(?:\(|\[)", re.M)

TARGETS = [
    ("x86-64", ["gcc"], ["nm"], []),
    ("cortex-m4", ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb"], ["arm-none-eabi-nm"], []),
    # the optional glue: POSIX backend and each TLS backend (their libraries are not counted)
    ("x86-64 posix+mbedtls", ["gcc"], ["nm"], ["_POSIX_C_SOURCE=200809L", "SIOC_ENABLE_POSIX=1", "SIOC_TLS=SIOC_TLS_MBEDTLS"]),
    ("x86-64 posix+bearssl", ["gcc"], ["nm"], ["_POSIX_C_SOURCE=200809L", "SIOC_ENABLE_POSIX=1", "SIOC_TLS=SIOC_TLS_BEARSSL"]),
]


def owners():
    """symbol -> the src/ file that defines it (.c files first: the private headers only declare)."""
    own = {}
    for name in sorted(amalgamate.SOURCES, key=lambda n: n.endswith(".h")):
        with open(os.path.join(amalgamate.SRC, name), encoding="utf-8") as f:
            for m in DEF.finditer(f.read()):
                own.setdefault(m.group(1), name)
    return own


def measure(cc, nm, defines):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "impl.c")
        obj = os.path.join(d, "impl.o")
        with open(src, "w") as f:
            f.write('#define SIO_CLUSTER_IMPLEMENTATION\n#include "sio_cluster.h"\n')
        cmd = cc + ["-std=c99", "-Os", "-ffunction-sections", "-fdata-sections", "-I", ROOT, "-c", src, "-o", obj]
        cmd += ["-D%s" % x for x in defines]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            return None, r.stderr
        out = subprocess.run(nm + ["-S", "--size-sort", obj], capture_output=True, text=True).stdout
    sizes = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2].lower() in ("t", "r"):
            name = re.sub(r"\.\d+$", "", parts[3])  # gcc's .constprop/.isra suffixes and local statics
            name = re.sub(r"\.(constprop|isra|part|cold)\b.*$", "", name)
            sizes[name] = sizes.get(name, 0) + int(parts[1], 16)
    return sizes, ""


def pieces_table():
    own = owners()
    pieces = [s for s in amalgamate.SOURCES]
    table = {}
    for label, cc, nm, defs in TARGETS:
        try:
            sizes, err = measure(cc, nm, defs)
        except FileNotFoundError:
            sizes, err = None, "%s not installed" % cc[0]
        if sizes is None:
            print("%s: %s" % (label, err.strip()[:300]))
            continue
        per = {}
        for sym, n in sizes.items():
            piece = own.get(sym, "other (tables, unattributed)")
            per[piece] = per.get(piece, 0) + n
        table[label] = per
    labels = [t[0] for t in TARGETS if t[0] in table]
    print("| piece | " + " | ".join("%s -Os bytes" % l for l in labels) + " |")
    print("|---|" + "---|" * len(labels))
    rows = pieces + sorted({p for per in table.values() for p in per if p not in pieces})
    for p in rows:
        vals = [table[l].get(p, 0) for l in labels]
        if any(vals):
            print("| %s | " % p + " | ".join(str(v) for v in vals) + " |")
    print("| **total** | " + " | ".join(str(sum(table[l].values())) for l in labels) + " |")


# ---- 2. whole programs ----

LEAN = ["SIOC_ENABLE_LOG=0", "SIOC_ENABLE_ERROR_STRINGS=0"]
PROGRAMS = [  # label, SIZE_PROG, defines, the smallest build's switches (beyond lean; the manual lists them)
    ("AWS member", 1, ["SIOC_ENABLE_AZURE=0"], ["SIOC_ENABLE_JANITOR=0", "SIOC_ENABLE_FLOAT=0",
                                                 "SIOC_ENABLE_PUBLISH_BATCH=0", "SIOC_ENABLE_REQUESTS=0",
                                                 "SIOC_ENABLE_MD5_CHECK=0", "SIOC_ENABLE_SKEW_CORRECTION=0"]),
    ("Azure member", 2, ["SIOC_ENABLE_AWS=0"], ["SIOC_ENABLE_FLOAT=0", "SIOC_ENABLE_REQUESTS=0"]),
    ("AWS emitter", 3, ["SIOC_ENABLE_AZURE=0"], ["SIOC_ENABLE_RECEIVE=0", "SIOC_ENABLE_PUBLISH_BATCH=0",
                                                  "SIOC_ENABLE_REQUESTS=0", "SIOC_ENABLE_SKEW_CORRECTION=0"]),
    # examples/emit_tiny.c: the emitter over the layers (sioc_aws_client + sioc_msg_write_broadcast), one file with
    # SIO_CLUSTER_STATIC; it sets SIOC_ENABLE_AZURE 0 and SIOC_ENABLE_RECEIVE 0 itself
    ("AWS emitter, tiny", 4, [], ["SIOC_ENABLE_SKEW_CORRECTION=0"]),
]
PTARGETS = [  # label, cc, nm, size, link flags, defines
    ("cortex-m4", ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb"], "arm-none-eabi-nm", "arm-none-eabi-size",
     ["--specs=nano.specs", "--specs=nosys.specs"], ["SIOC_ENABLE_LIBC_MALLOC=0"]),
    ("x86-64", ["gcc"], "nm", "size", [], []),
]
# None: lean + the program's own switches; "-flto" entries also compile and link with link-time optimisation (an
# option of the user's build, not of the header: it lets gcc inline and drop across the whole program);
# "SIO_CLUSTER_STATIC" makes every library function static, which gives gcc the same freedom inside the one file
# that holds the implementation and the calls (examples/cortex-m/fw.c, examples/emit_tiny.c).
FLAVOURS = [("defaults", []), ("lean", LEAN), ("small", None), ("small, -flto", None),
            ("small, SIO_CLUSTER_STATIC", None)]
AIM = {"AWS member": 48 * 1024, "AWS emitter": 24 * 1024, "AWS emitter, tiny": 24 * 1024}  # Cortex-M4, the project's target
PROGRAM_SYMS = {"main", "net_connect", "net_send", "net_recv", "net_close", "dev_random", "dev_utc", "dev_ms",
                "dev_alloc", "dev_free", "deliver", "hw_reg", "heap", "packet"}
SOFT_FLOAT = re.compile(r"^__(aeabi_[dfl]|[a-z]+[dsx]f[0-9]|fix|float|unord|aeabi_cdc|aeabi_cfc|aeabi_ul|"
                        r"aeabi_l|udivmoddi|divmoddi|clz|ctz|aeabi_uldiv|aeabi_ldiv)")
OTHER_LIBC = "C library, start-up (newlib-nano / glibc stubs)"
SOFT = "compiler helpers (libgcc: soft double, 64-bit division)"


def link_program(tcc, tlink, tdefs, prog, pdefs, fdefs, d):
    src = os.path.join(ROOT, "bench", "size_prog.c")
    out = os.path.join(d, "prog")
    cmd = tcc + ["-std=c99", "-Os", "-ffunction-sections", "-fdata-sections", "-DNDEBUG", "-DSIZE_PROG=%d" % prog,
                 "-I", ROOT, src, "-o", out, "-Wl,--gc-sections", "-Wl,-Map=%s.map" % out] + tlink
    cmd += ["-D%s" % x for x in tdefs + pdefs + fdefs if x != "-flto"] + [x for x in fdefs if x == "-flto"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr
    return out, ""


MAP_SECTION = re.compile(r"^ (\.\S+)?\s*\n?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+\.o)\s*$", re.M)


def own_ranges(elf):
    """Address ranges of the input sections that came from the program's own object (size_prog.c with the header),
    from the linker map: a function-local constant table (`names`, `months`) has no sioc_ name to go by."""
    try:
        with open(elf + ".map", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    ranges = []
    for m in MAP_SECTION.finditer(text):
        obj, start, size = m.group(4), int(m.group(2), 16), int(m.group(3), 16)
        if start and size and ".a(" not in obj and not os.path.basename(obj).startswith("crt"):
            ranges.append((start, start + size))
    return ranges


def program_symbols(nm, elf, own):
    """{group: bytes}, [(bytes, name, group)] for code, constants and initialised data of the linked program."""
    out = subprocess.run([nm, "-S", "--size-sort", elf], capture_output=True, text=True).stdout
    ours = own_ranges(elf)
    entries = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2].lower() in ("t", "r", "d", "w"):
            entries.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    # Aliases and overlapping entry points (memcpy / __aeabi_memcpy, __aeabi_dsub inside __adddf3) count once.
    entries.sort(key=lambda e: (e[0], -e[1]))
    covered = 0
    groups, syms = {}, []
    for addr, full, raw in entries:
        size = max(0, addr + full - max(addr, covered))
        covered = max(covered, addr + full)
        if not size:
            continue
        name = re.sub(r"\.(constprop|isra|part|cold|lto_priv)\b.*$", "", raw)
        name = re.sub(r"\.\d+$", "", name)
        if name in own:
            g = own[name]
        elif name in PROGRAM_SYMS or name.startswith("tiny_"):
            g = "the program (main, device stubs)"
        elif name.startswith("sioc") or any(a <= addr < b for a, b in ours):
            g = "other (tables, unattributed)"
        elif SOFT_FLOAT.match(name):
            g = SOFT
        else:
            g = OTHER_LIBC
        groups[g] = groups.get(g, 0) + size
        syms.append((size, name, g))
    return groups, syms


def elf_flash(size_tool, elf):
    out = subprocess.run([size_tool, elf], capture_output=True, text=True).stdout.splitlines()
    text, data, bss = (int(x) for x in out[1].split()[:3])
    return text + data, data + bss


def programs_table():
    own = owners()
    results = {}  # (program, target, flavour) -> dict
    with tempfile.TemporaryDirectory() as d:
        for tlabel, tcc, tnm, tsize, tlink, tdefs in PTARGETS:
            for plabel, prog, pdefs, sdefs in PROGRAMS:
                for flabel, fdefs in FLAVOURS:
                    if fdefs is None:
                        fdefs = LEAN + sdefs + (["-flto"] if flabel.endswith("-flto") else []) + \
                            (["SIO_CLUSTER_STATIC"] if flabel.endswith("STATIC") else [])
                    try:
                        elf, err = link_program(tcc, tlink, tdefs, prog, pdefs, fdefs, d)
                    except FileNotFoundError:
                        elf, err = None, "%s not installed" % tcc[0]
                    if not elf:
                        print("%s %s %s: %s" % (plabel, tlabel, flabel, err.strip()[:300]))
                        continue
                    groups, syms = program_symbols(tnm, elf, own)
                    flash, ram = elf_flash(tsize, elf)
                    lib = sum(v for k, v in groups.items() if k in own.values() or k.startswith("other"))
                    results[(plabel, tlabel, flabel)] = {"flash": flash, "ram": ram, "lib": lib, "groups": groups,
                                                         "syms": syms}
    if not results:
        return
    print()
    print("### Programs built as a user would (bench/size_prog.c: -Os, gc-sections, -DNDEBUG, no TLS)")
    print()
    print("Library = the bytes of sio_cluster.h functions and constants kept by the linker; the program's flash also "
          "holds the C library, the compiler's helpers and start-up code (Cortex-M4: newlib-nano; x86-64: the "
          "dynamic glibc is not counted; x86-64 text also holds .eh_frame). Lean = SIOC_ENABLE_LOG=0, "
          "SIOC_ENABLE_ERROR_STRINGS=0. A static function gcc inlined counts for its caller's piece (member.c holds "
          "some of each cloud's code; under -flto, what gcc inlined into main counts for the program, so compare flash there).")
    print()
    print("| program | switches | Cortex-M4 library | Cortex-M4 flash (text+data) | aim (M4) | x86-64 library | "
          "x86-64 text+data |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for plabel, _, _, sdefs in PROGRAMS:
        for flabel, fdefs in FLAVOURS:
            m = results.get((plabel, "cortex-m4", flabel))
            x = results.get((plabel, "x86-64", flabel))
            aim = AIM.get(plabel)
            aim_s = "-"
            if aim and m:
                aim_s = "%d (%+d)" % (aim, m["flash"] - aim)
            fname = flabel if fdefs is not None else "%s (lean%s)" % (flabel, "".join(", " + x for x in sdefs))
            print("| %s | %s | %s | %s | %s | %s | %s |" % (
                plabel, fname, m["lib"] if m else "-", m["flash"] if m else "-", aim_s,
                x["lib"] if x else "-", x["flash"] if x else "-"))
    for flabel in ("defaults", "small"):
        cols = [(p, t) for t in ("cortex-m4", "x86-64") for p, _, _, _ in PROGRAMS if (p, t, flabel) in results]
        print()
        print("### What each piece costs inside those programs (%s switches, bytes of code + constants)" % flabel)
        print()
        print("| piece | " + " | ".join("%s %s" % (p, t) for p, t in cols) + " |")
        print("|---|" + "---:|" * len(cols))
        names = [s for s in amalgamate.SOURCES]
        extra = sorted({g for (p, t, f), r in results.items() if f == flabel for g in r["groups"]} - set(names))
        for g in names + extra:
            vals = [results[(p, t, flabel)]["groups"].get(g, 0) for p, t in cols]
            if any(vals):
                print("| %s | " % g + " | ".join(str(v) for v in vals) + " |")
        print("| **flash (text+data)** | " + " | ".join(str(results[(p, t, flabel)]["flash"]) for p, t in cols) +
              " |")
    for key in (("AWS member", "cortex-m4", "small"), ("AWS emitter", "cortex-m4", "small"),
                ("AWS emitter, tiny", "cortex-m4", "small")):
        if key not in results:
            continue
        print()
        print("### Largest functions and tables in the %s (Cortex-M4, small switches)" % key[0])
        print()
        print("| bytes | symbol | piece |")
        print("|---:|---|---|")
        for size, name, g in sorted(results[key]["syms"], reverse=True)[:20]:
            print("| %d | `%s` | %s |" % (size, name, g))


def main():
    if "--programs" not in sys.argv:
        pieces_table()
    programs_table()


if __name__ == "__main__":
    main()
