"""The checker's own `--backend xl`, run for real: inside the test host's dom0, which is a real
Xen 4.17 dom0 with the xl toolstack, exactly as a grader would run it on a lab machine.

The test host boots from a second image that also holds Debian's Python (image.build with
python=True, in its own cache directory).  The kit reaches dom0 as a tar payload: the checker,
stages 01 and 06 (their stage.toml and transcripts) and the kernels this build directory holds,
since dom0 has no compilers (`run --no-build`).  In dom0, `python3 -m checker run --backend xl
--no-build 01-link 06-hello` must then pass every scenario, through the agent the xl back end
starts itself (over a pipe) and xenconsoled's log files, not the test host's own agent line.

Boots QEMU: run by ctest as xen.xl-backend, under the xen-test-host resource lock, and it takes
the checker's run lock on the build directory.  About 90 s under TCG.
"""
import io
import os
import re
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from checker.runlock import RunLock  # noqa: E402
from checker.testhost import image, qemu  # noqa: E402

BUILD_DIR = Path(os.environ.get("UNIGORNEL_BUILD_DIR", REPO / "build"))
STAGES = ["01-link", "06-hello"]
RUN_S = 600  # the whole checker run inside dom0, under TCG


def kit_tar(path: Path) -> Path:
    """The checker, the stages' specs and their built kernels, under kit/ in a tar file."""
    def skip_caches(info: tarfile.TarInfo):
        return None if "__pycache__" in info.name else info
    with tarfile.open(path, "w") as tar:
        tar.add(REPO / "checker", "kit/checker", filter=skip_caches)
        for stage in STAGES:
            tar.add(REPO / "stages" / stage, f"kit/stages/{stage}", filter=skip_caches)
            for kernel in ("kernel.elf", "kernel.debug.elf"):
                built = BUILD_DIR / "stages" / stage / kernel
                if not built.exists():
                    pytest.fail(f"{built} is not built; build the kit first (cmake --build build)")
                tar.add(built, f"kit/build/stages/{stage}/{kernel}")
    return path


def test_the_xl_back_end_passes_stages_01_and_06_inside_a_real_dom0(tmp_path):
    cache = BUILD_DIR / "testhost-python"
    cache.mkdir(parents=True, exist_ok=True)
    # The same Debian packages as the test host's own image: no second download (and when this
    # test runs first, the packages it fetches are there for that image too).
    shared = BUILD_DIR / "testhost" / "debs"
    shared.mkdir(parents=True, exist_ok=True)
    if not (cache / "debs").exists():
        (cache / "debs").symlink_to(shared)
    with RunLock(BUILD_DIR, True, print):
        img = image.build(cache, print, python=True)
        payload = {"kit": kit_tar(tmp_path / "kit.tar")}
        with qemu.QemuXenHost(img, tmp_path / "host", payload, "auto", print) as host:
            script = ("mkdir -p /tmp/k && tar -xf /stages/kit.tar -C /tmp/k && cd /tmp/k/kit && "
                      "python3 -m checker run --backend xl --no-build " + " ".join(STAGES) + " 2>&1")
            host.link.send("SH", script.encode().hex())
            out, rc = "", None
            while rc is None:
                msg = host.link.recv(RUN_S)
                assert msg is not None, "the checker in dom0 did not finish within %d s" % RUN_S
                if msg.kind == "SH":
                    out = bytes.fromhex(msg.fields[0]).decode(errors="replace") if msg.fields else ""
                elif msg.kind == "SHRC":
                    rc = int(msg.fields[0])
    print(out)
    assert "host: xl back end, real Xen (xl), Xen 4.17" in out, out
    assert "xl back end: no g++ on this machine; using the agent installed at /bin/dom0_agent" in out, out
    verdicts = re.findall(r"^\[\d+/(\d+)\] (\S+): ([A-Z][A-Z-]+) \(", out, re.M)
    assert verdicts and len(verdicts) == int(verdicts[0][0]), out
    assert {scenario.split("/")[0] for _, scenario, _ in verdicts} == set(STAGES), out
    assert all(verdict == "PASS" for _, _, verdict in verdicts), out
    assert rc == 0, out
