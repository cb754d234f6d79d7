#!/usr/bin/python3
"""Build a patched copy of a GOROOT: Debian's Go 1.19 plus this stage's Go patch series.

    patch_goroot.py --goroot /usr/lib/go-1.19 --patches stages/02-rt0/go-patches --out DIR
    patch_goroot.py --goroot /usr/lib/go-1.19 --patches stages/02-rt0/go-patches --check

The result DIR is a GOROOT that Debian's own `go` command uses with GOROOT=DIR: the go command
notices that the standard library's sources differ from the precompiled packages and rebuilds
them into GOCACHE by itself.  No make.bash: the series does not touch cmd/, so the Debian tools
(pkg/tool) are used as they are.

Layout of DIR:
    src/            a copy of GOROOT/src made of hard links (one link per file, no data copied),
                    except the files the patches change, which are real copies, so that patching
                    can never write through a link into Debian's files.  Falls back to copying
                    when hard links are refused (another file system, fs.protected_hardlinks).
    VERSION         copied
    bin, pkg/tool, pkg/include, api, misc, test
                    symbolic links to the source GOROOT's
    patched.stamp   what DIR was built from (digest of the patches, this script and VERSION)

Incremental: when DIR/patched.stamp already records the same digest, nothing is rebuilt (the
stamp's time is refreshed for make).  Otherwise DIR is rebuilt from scratch in a temporary
directory beside it and renamed into place, so an interrupted run never leaves a half-patched
GOROOT behind.

Each patch is first tried with `patch --dry-run`; a patch that does not apply stops the run with
exit code 1, naming the patch and showing the hunks that failed.
"""

import argparse
import errno
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

STAMP = "patched.stamp"
TAG = "go-patches:"
# Parts of the source GOROOT used as they are (symbolic links), when they exist.
LINKED_PARTS = ["bin", "pkg/tool", "pkg/include", "api", "misc", "test", "lib"]
PATCH_OPTIONS = ["-p1", "--forward", "--batch", "--fuzz=0", "--no-backup-if-mismatch"]


class PatchError(Exception):
    pass


def say(message):
    print(f"{TAG} {message}", flush=True)


def patch_files(patches_dir):
    names = sorted(n for n in os.listdir(patches_dir) if n.endswith(".patch"))
    if not names:
        raise PatchError(f"no *.patch files in {patches_dir}")
    return [os.path.join(patches_dir, n) for n in names]


def digest_of(goroot, patches):
    h = hashlib.sha256()
    h.update(b"goroot\0" + os.path.realpath(goroot).encode() + b"\0")
    with open(os.path.join(goroot, "VERSION"), "rb") as f:
        h.update(b"VERSION\0" + f.read() + b"\0")
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(b"script\0" + f.read() + b"\0")
    for p in patches:
        with open(p, "rb") as f:
            h.update(os.path.basename(p).encode() + b"\0" + f.read() + b"\0")
    return h.hexdigest()


def read_stamp_digest(out):
    try:
        with open(os.path.join(out, STAMP)) as f:
            for line in f:
                if line.startswith("digest "):
                    return line.split()[1]
    except OSError:
        pass
    return None


def targets_of(patch):
    """Paths (relative to the GOROOT, after -p1) that a unified diff names."""
    paths = set()
    with open(patch, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^(?:---|\+\+\+) (\S+)", line)
            if m and m.group(1) != "/dev/null":
                parts = m.group(1).split("/", 1)
                if len(parts) == 2:
                    paths.add(parts[1])
    return paths


def link_tree(src, dst):
    """Recreate the directory tree src at dst with hard links; copy where links are refused."""
    use_links = True
    files = 0
    for root, dirs, names in os.walk(src):
        rel = os.path.relpath(root, src)
        target_root = os.path.join(dst, rel) if rel != "." else dst
        os.makedirs(target_root, exist_ok=True)
        for d in list(dirs):
            s = os.path.join(root, d)
            if os.path.islink(s):  # never walk into linked directories: copy the link itself
                os.symlink(os.readlink(s), os.path.join(target_root, d))
                dirs.remove(d)
        for n in names:
            s, t = os.path.join(root, n), os.path.join(target_root, n)
            files += 1
            if os.path.islink(s):
                os.symlink(os.readlink(s), t)
                continue
            if use_links:
                try:
                    os.link(s, t)
                    continue
                except OSError as e:
                    if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EACCES):
                        raise
                    say(f"hard links refused ({os.strerror(e.errno)}): copying files instead")
                    use_links = False
            shutil.copy2(s, t)
    return files, use_links


def unshare(path):
    """Make path a file of its own (not a hard link into the source GOROOT)."""
    if not os.path.lexists(path):
        return
    with open(path, "rb") as f:
        data = f.read()
    mode = os.stat(path).st_mode & 0o7777
    os.unlink(path)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode | 0o200)


def show_failure(patch, tree, dry_output):
    """Apply for real into the (throw-away) tree to collect the rejected hunks, then explain."""
    rej = os.path.join(tree, ".rejects")
    subprocess.run(["patch", *PATCH_OPTIONS, "-d", tree, "-i", os.path.abspath(patch),
                    "--reject-file", rej], capture_output=True, text=True)
    lines = [f"{TAG} FAILED: {os.path.basename(patch)} does not apply",
             f"{TAG} patch file: {os.path.abspath(patch)}",
             f"{TAG} output of patch --dry-run:"]
    lines += ["    " + l for l in dry_output.rstrip("\n").splitlines()]
    if os.path.exists(rej) and os.path.getsize(rej) > 0:
        lines.append(f"{TAG} rejected hunk(s):")
        with open(rej, encoding="utf-8", errors="replace") as f:
            lines += ["    " + l for l in f.read().rstrip("\n").splitlines()]
    return "\n".join(lines)


def apply_series(tree, patches):
    for p in patches:
        say(f"applying {os.path.basename(p)}")
        for rel in targets_of(p):
            unshare(os.path.join(tree, rel))
        base = ["patch", *PATCH_OPTIONS, "-d", tree, "-i", os.path.abspath(p)]
        dry = subprocess.run(base + ["--dry-run"], capture_output=True, text=True)
        if dry.returncode != 0:
            raise PatchError(show_failure(p, tree, dry.stdout + dry.stderr) +
                             f"\n{TAG} the series does not fit these Go sources; nothing was "
                             f"installed")
        real = subprocess.run(base + ["--silent"], capture_output=True, text=True)
        if real.returncode != 0:
            raise PatchError(f"{TAG} FAILED: {os.path.basename(p)}: patch passed --dry-run but "
                             f"failed:\n{real.stdout}{real.stderr}")


def build(goroot, patches, out, digest):
    src = os.path.realpath(os.path.join(goroot, "src"))
    parent = os.path.dirname(os.path.abspath(out)) or "."
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=os.path.basename(out) + ".tmp-", dir=parent)
    os.chmod(tmp, 0o755)  # mkdtemp's 0700 would hide the GOROOT from other users
    try:
        say(f"linking {src} into {out}")
        files, linked = link_tree(src, os.path.join(tmp, "src"))
        say(f"{files} files {'hard-linked' if linked else 'copied'}")
        shutil.copy2(os.path.join(goroot, "VERSION"), os.path.join(tmp, "VERSION"))
        for part in LINKED_PARTS:
            s = os.path.join(goroot, part)
            if os.path.exists(s):
                os.makedirs(os.path.dirname(os.path.join(tmp, part)), exist_ok=True)
                os.symlink(os.path.realpath(s), os.path.join(tmp, part))
        apply_series(tmp, patches)
        with open(os.path.join(goroot, "VERSION")) as f:
            version = f.read().split()[0]
        with open(os.path.join(tmp, STAMP), "w") as f:
            f.write(f"digest {digest}\nversion {version}\nsource {os.path.realpath(goroot)}\n")
            f.write(f"src {'hard links' if linked else 'copies'}\n")
            for p in patches:
                f.write(f"patch {os.path.basename(p)}\n")
        old = None
        if os.path.lexists(out):
            old = tempfile.mkdtemp(prefix=os.path.basename(out) + ".old-", dir=parent)
            os.rename(out, os.path.join(old, "goroot"))
        os.rename(tmp, out)
        tmp = None
        if old:
            shutil.rmtree(old)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--goroot", required=True, help="source GOROOT (Debian: /usr/lib/go-1.19)")
    ap.add_argument("--patches", required=True, help="directory of NNNN-*.patch files")
    ap.add_argument("--out", help="patched GOROOT to create or refresh")
    ap.add_argument("--check", action="store_true",
                    help="only check that the series applies (in a scratch copy); write nothing")
    args = ap.parse_args()
    if not args.check and not args.out:
        ap.error("--out is required unless --check is given")
    if shutil.which("patch") is None:
        sys.exit(f"{TAG} GNU patch is not installed (Debian package: patch)")
    if not os.path.isdir(os.path.join(args.goroot, "src", "runtime")):
        sys.exit(f"{TAG} {args.goroot} is not a GOROOT with sources (Debian: golang-1.19-src)")

    start = time.monotonic()
    try:
        patches = patch_files(args.patches)
        digest = digest_of(args.goroot, patches)
        if args.check:
            with tempfile.TemporaryDirectory(prefix="goroot-check-") as scratch:
                build(args.goroot, patches, os.path.join(scratch, "goroot"), digest)
            say(f"all {len(patches)} patches apply ({time.monotonic() - start:.2f} s)")
            return 0
        out = os.path.abspath(args.out)
        if read_stamp_digest(out) == digest:
            os.utime(os.path.join(out, STAMP))
            say(f"{out} is up to date ({time.monotonic() - start:.2f} s)")
            return 0
        if os.path.lexists(out) and not os.path.exists(os.path.join(out, STAMP)) \
                and (not os.path.isdir(out) or os.listdir(out)):
            raise PatchError(f"{TAG} {out} exists and is not a patched GOROOT "
                             f"(no {STAMP}); not replacing it")
        build(args.goroot, patches, out, digest)
    except PatchError as e:
        print(str(e) if str(e).startswith(TAG) else f"{TAG} {e}", file=sys.stderr)
        return 1
    say(f"patched GOROOT {out} ready in {time.monotonic() - start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
