"""DIR on a filesystem that makes no links: a real exFAT filesystem (the hand-over drive's), made
with mkfs.exfat in an image file and mounted through FUSE on a loop device. There a hard link
fails with EPERM and a symbolic link with ENOSYS, as on the drive itself.

What this proves: a migrate and a re-run there succeed, say so once, and leave a DIR whose names
are complete copies that doctor finds consistent with the manifest. What it does not: SMB shares
and Windows (no such filesystem here), nor a kill while the copies are being refreshed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import machine_lacks
from tests.migrate.test_migrate import CASES
from tests.test_cli import run

NOTE = (
    "tfmigrate: note: the output's filesystem makes no hard or symbolic links: unchanged files are copied;"
    " DIR's names are copies of the current run, refreshed after it"
)
TOOLS = ("mkfs.exfat", "mount.exfat-fuse", "losetup", "umount")


@pytest.fixture
def exfat_drive(tmp_path: Path) -> Iterator[Path]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        machine_lacks(f"no {', '.join(missing)} here", "apt-get install exfatprogs exfat-fuse (.ci/run does)")
    image, mountpoint = tmp_path / "drive.img", tmp_path / "drive"
    with image.open("wb") as handle:
        handle.truncate(96 * 1024 * 1024)
    mountpoint.mkdir()
    subprocess.run(["mkfs.exfat", str(image)], check=True, capture_output=True)
    attached = subprocess.run(["losetup", "--find", "--show", str(image)], capture_output=True, text=True)
    if attached.returncode != 0:
        machine_lacks(f"no loop device for the image ({attached.stderr.strip()})", "run as root, as CI does")
    loop = attached.stdout.strip()
    try:
        subprocess.run(["mount.exfat-fuse", loop, str(mountpoint)], check=True, capture_output=True)
        try:
            yield mountpoint
        finally:
            subprocess.run(["umount", str(mountpoint)], check=True)
    finally:
        subprocess.run(["losetup", "--detach", loop], check=True)


def test_an_output_on_exfat_falls_back_to_copies(exfat_drive: Path) -> None:
    out = exfat_drive / "out"
    first = run("migrate", "--out", out, "-q")
    assert first.returncode == 1, first.stderr  # the fixture site's lost applet class, and nothing else
    assert first.stderr.splitlines()[0] == NOTE
    assert len(first.stderr.splitlines()) == 2 and "CineViewer.class" in first.stderr
    pointer = out / ".tfmigrate" / "current"
    assert pointer.is_file() and pointer.read_text(encoding="utf-8").startswith("generations/")
    assert not (out / "cases").is_symlink() and len(list((out / "cases").glob("*.json"))) == CASES
    doctor = run("doctor", out, "-q")
    assert (doctor.returncode, doctor.stdout) == (0, ""), doctor.stdout
    records = {p.name: p.read_bytes() for p in (out / "cases").iterdir()}

    again = run("migrate", "--out", out, "-q")
    assert again.stderr.splitlines()[0] == NOTE
    assert len(json.loads((out / "changes.json").read_text(encoding="utf-8"))["unchanged"]) == CASES
    assert {p.name: p.read_bytes() for p in (out / "cases").iterdir()} == records
    # One generation is kept, and nothing is left half-published.
    assert len(list((out / ".tfmigrate" / "generations").iterdir())) == 1
    assert not (out / ".tfmigrate" / "publishing").exists()
