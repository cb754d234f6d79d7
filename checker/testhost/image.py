"""Builds the embedded Xen test host from Debian packages.

The host is three files handed to QEMU's multiboot loader:
  xen.elf       Debian's Xen 4.17 hypervisor, gunzipped (QEMU's multiboot loader needs an ELF)
  vmlinuz       Debian's 6.1 kernel, booted by Xen as a PV dom0
  dom0.cpio.gz  a busybox initramfs with Xen's toolstack (xl, xenstored, xenconsoled, ...),
                the shared libraries they need, Xen's kernel modules and the checker's agent,
                and for guest networking: bash (Xen's vif hotplug scripts are bash), Debian's
                ping and arping, the netback and bridge modules (loaded on first use, see
                agent/net_setup.hpp)

The packages are fetched with `apt-get download` and unpacked with `dpkg-deb -x`, so nothing is
installed on the machine that builds the image.  The image is rebuilt only when its inputs
change: the package files, this builder, the dom0 init script or the agent's source.
"""
from __future__ import annotations

import dataclasses
import gzip
import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

from ..errors import HostError

HERE = Path(__file__).resolve().parent
SETUP_HINT = "run tools/setup.sh (as root) first"

# Debian packages the host image is made of (bookworm).  The kernel package is resolved from
# the linux-image-amd64 metapackage at build time.
PACKAGES = ["xen-hypervisor-4.17-amd64", "xen-utils-4.17", "xen-utils-common", "xenstore-utils",
            "iputils-ping", "iputils-arping"]
XEN_BIN = "usr/lib/xen-4.17/bin"
# xenctx reads a guest's vCPU registers and stack for the agent's CTX (where a hung guest is).
XEN_PROGRAMS = ["xl", "xenstored", "xenconsoled", "xen-init-dom0", "xenconsole", "xenctx"]
XENSTORE_PROGRAMS = ["usr/bin/xenstore-read", "usr/bin/xenstore-write", "usr/bin/xenstore-ls"]
# Xen's dom0 drivers: event channels, hypercalls (privcmd), grant mapping and xenfs.
# virtio_pci and virtio_console: the agent's line to the checker (qemu.py says why not a UART).
DOM0_MODULES = ["xen-evtchn", "xen-privcmd", "xen-gntdev", "xen-gntalloc", "xenfs", "virtio_pci", "virtio_console"]
# Guest networking: the vif backend and the bridge (with stp and llc, which it needs).  Loaded
# by the agent's NET command on first use, not at boot (agent/net_setup.hpp says why).
NET_MODULES = ["xen-netback", "bridge"]
# The network tools the checker runs in dom0 (agent TOOL), from the iputils packages.
NET_TOOLS = ["bin/ping", "usr/bin/arping"]
# libxl runs /etc/xen/scripts/vif-bridge itself (no udev), and that script and the ones it
# sources are bash.  What they run besides is in busybox: ip (link show/set dev, master,
# address, addr flush), brctl, awk, logger, which, expr, cut, stat; xenstore-read/-write are
# XENSTORE_PROGRAMS.  Debian's copy of handle_iptable returns at once (Debian bug #894013).
BASH = "/bin/bash"
# xl's threads need libgcc_s for pthread_cancel's unwinder; ldd does not list it.
EXTRA_LIBS = ["/lib/x86_64-linux-gnu/libgcc_s.so.1"]
BUILD_VERSION = "2"  # bump when the layout of the image changes
# The test of the checker's own `--backend xl` (tests/integration/test_xl_backend_on_xen.py)
# runs the checker inside dom0, so its image also holds this machine's Debian Python: the
# interpreter, its shared libraries and its standard library without what no checker needs.
PYTHON = Path("/usr/bin/python3.11")
PYTHON_LIB = Path("/usr/lib/python3.11")
PYTHON_LEFT_OUT = ("config-3.11-x86_64-linux-gnu", "ensurepip", "idlelib", "tkinter", "turtledemo", "lib2to3",
                   "pydoc_data", "test", "distutils", "site-packages", "dist-packages", "EXTERNALLY-MANAGED")


@dataclasses.dataclass
class HostImage:
    xen: Path
    kernel: Path
    initrd: Path
    description: str


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)
    except FileNotFoundError as e:
        raise HostError(f"'{cmd[0]}' is not installed: {SETUP_HINT}") from e
    except subprocess.CalledProcessError as e:
        raise HostError(f"{' '.join(cmd)} failed:\n{(e.stderr or e.stdout or '').strip()[-2000:]}") from e


def _kernel_package() -> str:
    out = _run(["apt-cache", "depends", "linux-image-amd64"]).stdout
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Depends: linux-image-"):
            return line.split(": ", 1)[1]
    raise HostError("cannot resolve linux-image-amd64 to a kernel package (apt-cache depends)")


def _download(debs: Path, log: Callable[[str], None]) -> list[Path]:
    debs.mkdir(parents=True, exist_ok=True)
    wanted = PACKAGES + [_kernel_package()]
    have = {p.name.split("_")[0]: p for p in debs.glob("*.deb")}
    missing = [w for w in wanted if w not in have]
    if missing:
        log(f"test host: downloading {', '.join(missing)} from Debian")
        try:
            subprocess.run(["apt-get", "download", *missing], cwd=debs, check=True,
                           capture_output=True, text=True)
        except FileNotFoundError as e:
            raise HostError(f"apt-get not found: the test host is built from Debian packages ({SETUP_HINT})") from e
        except subprocess.CalledProcessError as e:
            raise HostError(f"apt-get download {' '.join(missing)} failed:\n{e.stderr.strip()[-1500:]}") from e
        have = {p.name.split("_")[0]: p for p in debs.glob("*.deb")}
    return [have[w] for w in wanted]


def _inputs_digest(deb_files: list[Path], python: bool) -> str:
    h = hashlib.sha256(BUILD_VERSION.encode() + (b" python" if python else b""))
    for p in sorted(deb_files):
        h.update(p.name.encode())
    for p in sorted([HERE / "image.py", HERE / "dom0-init.sh", *agent_sources()]):
        h.update(p.read_bytes())
    return h.hexdigest()


def _copy_with_libs(binaries: list[Path], root: Path, lib_path: list[Path]) -> None:
    """Copies each binary to its path under root, plus every shared library ldd names."""
    libs: set[str] = set(EXTRA_LIBS)
    env = dict(os.environ, LD_LIBRARY_PATH=":".join(str(p) for p in lib_path))
    for b in binaries:
        out = _run(["ldd", str(b)], env=env).stdout
        for line in out.splitlines():
            if "not found" in line:
                raise HostError(f"{b.name} needs a library that is not installed: {line.strip()} ({SETUP_HINT})")
            parts = line.split()
            if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
                libs.add(parts[2])
            elif parts and parts[0].startswith("/"):
                libs.add(parts[0])  # the dynamic loader itself
    for lib in libs:
        src = Path(lib)
        # Keep the loader at its absolute path; everything else in one library directory.
        dst = root / lib.lstrip("/") if "ld-linux" in src.name else root / "lib/x86_64-linux-gnu" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src.resolve(), dst)


def compile_agent(out: Path, static: bool) -> None:
    """Compiles the agent (every .cpp in agent/) into `out`: static for the initramfs."""
    sources = sorted(str(p) for p in (HERE / "agent").glob("*.cpp"))
    _run(["g++", "-std=c++20", "-O2", *(["-static"] if static else []), "-Wall", "-Wextra", "-o", str(out),
          *sources])


def agent_sources() -> list[Path]:
    return sorted((HERE / "agent").glob("*"))


def _module_order(pkgroot: Path, kver: str, modules: list[str]) -> list[Path]:
    _run(["depmod", "-b", str(pkgroot), kver])
    order: list[Path] = []
    for mod in modules:
        out = _run(["modprobe", "--show-depends", "-d", str(pkgroot), "-S", kver, mod]).stdout
        for line in out.splitlines():
            parts = line.split()
            if parts and parts[0] == "insmod":
                p = Path(parts[1])
                if p not in order:
                    order.append(p)
    return order


def _add_python(root: Path) -> None:
    """Debian's Python 3.11 at its own paths in dom0 (sys.prefix is found from the binary's)."""
    if not PYTHON.exists():
        raise HostError(f"{PYTHON} is needed for an image with Python (package python3): {SETUP_HINT}")
    shutil.copy2(PYTHON, root / PYTHON.relative_to("/"))
    (root / "usr/bin/python3").symlink_to(PYTHON.name)
    shutil.copytree(PYTHON_LIB, root / PYTHON_LIB.relative_to("/"), symlinks=True,
                    ignore=lambda _, names: [n for n in names if n in PYTHON_LEFT_OUT])
    _copy_with_libs([PYTHON, *sorted((PYTHON_LIB / "lib-dynload").glob("*.so"))], root, [])


def _make_initramfs(pkgroot: Path, kver: str, out: Path, work: Path, log: Callable[[str], None],
                    python: bool = False) -> None:
    root = work / "initramfs"
    if root.exists():
        shutil.rmtree(root)
    for d in ["bin", "sbin", "etc", "proc", "sys", "dev", "run", "tmp", "var", "lib64", "usr/bin"]:
        (root / d).mkdir(parents=True, exist_ok=True)
    busybox = Path("/bin/busybox")
    if not busybox.exists() or "statically linked" not in _run(["file", "-L", str(busybox)]).stdout:
        raise HostError(f"a static /bin/busybox is needed (package busybox-static): {SETUP_HINT}")
    shutil.copy2(busybox, root / "bin/busybox")
    shutil.copy2(HERE / "dom0-init.sh", root / "init")
    (root / "init").chmod(0o755)

    log("test host: compiling the dom0 agent")
    compile_agent(root / "bin/dom0_agent", static=True)

    progs = ([pkgroot / XEN_BIN / p for p in XEN_PROGRAMS] + [pkgroot / p for p in XENSTORE_PROGRAMS]
             + [pkgroot / p for p in NET_TOOLS])
    for p in progs:
        dst = root / p.relative_to(pkgroot)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dst)
    # bash from this (Debian 12) machine, as busybox is; it must sit at /bin/bash, where busybox
    # --install in dom0-init.sh leaves it alone (busybox has no bash applet).
    shutil.copy2(BASH, root / BASH.lstrip("/"))
    _copy_with_libs([*progs, Path(BASH)], root, [])
    xen_etc = pkgroot / "etc/xen"
    shutil.copytree(xen_etc, root / "etc/xen", dirs_exist_ok=True)
    if python:
        _add_python(root)

    for modules, order_file in ((DOM0_MODULES, "etc/modules.order"), (NET_MODULES, "etc/net-modules.order")):
        lines = []
        for m in _module_order(pkgroot, kver, modules):
            dst = root / "lib/modules" / m.name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(m, dst)
            lines.append(f"/lib/modules/{m.name}")
        (root / order_file).write_text("\n".join(lines) + "\n")

    files = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet", "--owner=0:0"], cwd=root,
                          input="\n".join(files).encode(), capture_output=True, check=False)
    if cpio.returncode != 0:
        raise HostError(f"cpio failed: {cpio.stderr.decode(errors='replace')}")
    with gzip.open(out, "wb", compresslevel=6) as f:
        f.write(cpio.stdout)


def build(cache: Path, log: Callable[[str], None] = print, force: bool = False,
          python: bool = False) -> HostImage:
    """Returns the test host image under cache/, building it if its inputs changed.

    python: also put Debian's Python into dom0 (for the test that runs the checker there);
    such an image wants a cache directory of its own."""
    cache.mkdir(parents=True, exist_ok=True)
    debs = _download(cache / "debs", log)
    digest = _inputs_digest(debs, python)
    stamp = cache / "image.stamp"
    image = HostImage(cache / "xen.elf", cache / "vmlinuz", cache / "dom0.cpio.gz",
                      ", ".join(p.name.rsplit("_", 1)[0] for p in debs))
    if not force and stamp.exists() and stamp.read_text() == digest and all(
            p.exists() for p in (image.xen, image.kernel, image.initrd)):
        return image

    t0 = time.monotonic()
    log("test host: building the image (Xen + Debian dom0 + toolstack initramfs)")
    pkgroot = cache / "pkgroot"
    if pkgroot.exists():
        shutil.rmtree(pkgroot)
    pkgroot.mkdir()
    for d in debs:
        _run(["dpkg-deb", "-x", str(d), str(pkgroot)])
    xen_gz = next((pkgroot / "boot").glob("xen-4.17-amd64.gz"))
    with gzip.open(xen_gz, "rb") as src, open(image.xen, "wb") as dst:
        shutil.copyfileobj(src, dst)
    vmlinuz = next((pkgroot / "boot").glob("vmlinuz-*"))
    shutil.copy2(vmlinuz, image.kernel)
    kver = vmlinuz.name[len("vmlinuz-"):]
    _make_initramfs(pkgroot, kver, image.initrd, cache, log, python)
    stamp.write_text(digest)
    log(f"test host: image built in {time.monotonic() - t0:.1f} s "
        f"(initramfs {image.initrd.stat().st_size / 1e6:.1f} MB)")
    return image
