#!/usr/bin/python3
"""Static half of the go-route test: no raw system call is left in a patched GOROOT but the
documented exceptions.

    check_raw_syscalls.py --go /usr/lib/go-1.19/bin/go --goroot BUILD/stages/02-rt0/goroot \\
                          --exceptions stages/02-rt0/go-patches/raw-syscalls.txt

Asks the go command which assembly and C files the standard library compiles for
GOOS=linux GOARCH=amd64 with cgo (`go list std`: build constraints applied, so other systems'
files are left out), and scans them for instructions that enter the Linux kernel directly:
SYSCALL, SYSENTER, INT $0x80, and their byte encodings in BYTE/WORD directives (Go assembly), or
`syscall`/`sysenter`/`int $0x80` in GNU assembly and in C inline assembly (runtime/cgo).
Each one found must be listed, with its TEXT symbol and count, in the exceptions file, and each
listed one must be found: exit status 0 only when the two agree exactly.  Also reports how many
calls of the trampoline each file has.
"""

import argparse
import collections
import os
import re
import subprocess
import sys

TRAMPOLINE_CALL = re.compile(r"^\s*CALL\s+runtime·unigornel_syscall_trampoline\(SB\)")
GO_ASM_RAW = [
    re.compile(r"^\s*(SYSCALL|SYSENTER)\b"),
    re.compile(r"^\s*INT\s+\$(0x80|128)\b"),
    re.compile(r"BYTE\s+\$0x0[fF]\s*;\s*BYTE\s+\$0x0?(05|34)\b"),  # syscall, sysenter
    re.compile(r"WORD\s+\$0x(050[fF]|340[fF])\b"),
    re.compile(r"BYTE\s+\$0x[cC][dD]\s*;\s*BYTE\s+\$0x80\b"),  # int $0x80
]
GNU_ASM_RAW = [re.compile(r"(^|[\s\";])(syscall|sysenter)\b(?!\s*\()"),
               re.compile(r"\bint\s+\$(0x80|128)\b")]
TEXT = re.compile(r"^\s*TEXT\s+([^(\s]+)\(SB\)")
GNU_LABEL = re.compile(r"^\s*([A-Za-z_.$][\w.$]*):")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return [re.sub(r"//.*", "", line) for line in text.split("\n")]


def scan(path, goroot):
    """Yield (file relative to GOROOT, enclosing symbol, line number) per raw system call."""
    rel = os.path.relpath(path, goroot)
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = strip_comments(f.read())
    go_asm = path.endswith(".s")
    patterns = GO_ASM_RAW if go_asm else GNU_ASM_RAW
    symbol = "?"
    calls = 0
    for n, line in enumerate(lines, 1):
        m = TEXT.match(line) if go_asm else GNU_LABEL.match(line)
        if m:
            symbol = m.group(1)
        if go_asm and TRAMPOLINE_CALL.match(line):
            calls += 1
        if path.endswith(".c") and not re.search(r"\basm\b|__asm__", line):
            continue  # in C only inline assembly counts, not calls of syscall(2)
        if any(p.search(line) for p in patterns):
            yield rel, symbol, n, None
    if calls:
        yield rel, None, None, calls


def load_exceptions(path):
    expected = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            if len(fields) != 3 or not fields[2].isdigit():
                sys.exit(f"{path}:{n}: expected 'file symbol count', got {line!r}")
            expected[(fields[0], fields[1])] = int(fields[2])
    return expected


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--go", required=True, help="the go command")
    ap.add_argument("--goroot", required=True, help="the patched GOROOT")
    ap.add_argument("--exceptions", required=True, help="file: path symbol count per line")
    args = ap.parse_args()
    goroot = os.path.abspath(args.goroot)

    env = dict(os.environ, GOROOT=goroot, GOOS="linux", GOARCH="amd64", CGO_ENABLED="1",
               GOFLAGS="-mod=mod", GOTOOLCHAIN="local")
    fmt = "{{.Dir}}|{{join .SFiles \",\"}}|{{join .CFiles \",\"}}|{{join .HFiles \",\"}}"
    r = subprocess.run([args.go, "list", "-e", "-f", fmt, "std"], env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"check_raw_syscalls: go list std failed:\n{r.stderr}")
    files = []
    for line in r.stdout.splitlines():
        d, *groups = line.split("|")
        files += [os.path.join(d, f) for g in groups for f in g.split(",") if f]

    found = collections.Counter()
    where = collections.defaultdict(list)
    calls = {}
    for path in files:
        for rel, symbol, n, ncalls in scan(path, goroot):
            if ncalls:
                calls[rel] = ncalls
            else:
                found[(rel, symbol)] += 1
                where[(rel, symbol)].append(n)

    print(f"check_raw_syscalls: {len(files)} assembly and C files of std for linux/amd64 scanned")
    print("calls of runtime·unigornel_syscall_trampoline:")
    for rel in sorted(calls):
        print(f"  {calls[rel]:3d}  {rel}")
    print(f"  {sum(calls.values()):3d}  in all")

    expected = load_exceptions(args.exceptions)
    ok = True
    print("raw system-call instructions left:")
    for key in sorted(set(found) | set(expected)):
        have, want = found.get(key, 0), expected.get(key, 0)
        status = "ok" if have == want else "UNEXPECTED" if want == 0 else "MISMATCH"
        ok &= have == want
        lines = ",".join(map(str, where.get(key, []))) or "-"
        print(f"  {status:10s} {key[0]}:{lines} {key[1]}: {have} found, {want} documented")
    print("check_raw_syscalls: " + ("PASS" if ok else
          f"FAIL: the raw system calls differ from {args.exceptions}"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
