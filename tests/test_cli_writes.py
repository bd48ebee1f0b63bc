"""How ``convpool apply`` writes: never over a name it did not decide to replace, whatever
runs beside it, with temporary files that never make a legal name fail and never outlive
the run that needs them."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cli_helpers import files_in, pixels, script
from convpool.cli import main

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


def small_image(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.arange(12 * 16, dtype=np.uint8).reshape(12, 16)).save(path)


@pytest.fixture
def another_run_takes_the_name_first(monkeypatch):
    """Fault injection: whatever call gives a complete temporary file its output's name
    (a rename, a link), another run writes a file of that name just before it."""
    taken: list[Path] = []

    def first(real):
        def call(source, target, *args, **kwargs):
            if Path(source).name.endswith(".part"):
                Path(target).write_bytes(b"another run's output")
                taken.append(Path(target))
            return real(source, target, *args, **kwargs)

        return call

    for name in ("link", "rename", "replace"):
        monkeypatch.setattr(os, name, first(getattr(os, name)))
    return taken


def test_an_output_another_run_writes_meanwhile_is_never_replaced(tmp_path, capsys, another_run_takes_the_name_first):
    small_image(tmp_path / "photo.png")
    out = tmp_path / "o"
    assert main(["apply", str(tmp_path / "photo.png"), "-o", str(out)]) == 1
    assert another_run_takes_the_name_first == [out / "photo.edges.png"]
    assert (out / "photo.edges.png").read_bytes() == b"another run's output"
    assert f"{out / 'photo.edges.png'}: exists (pass --overwrite to replace it)" in capsys.readouterr().err
    assert files_in(out) == ["photo.edges.png"]  # no temporary file left


def test_overwrite_replaces_an_output_another_run_writes_meanwhile(tmp_path, another_run_takes_the_name_first):
    small_image(tmp_path / "photo.png")
    out = tmp_path / "o"
    assert main(["apply", str(tmp_path / "photo.png"), "-o", str(out), "--overwrite"]) == 0
    assert pixels(out / "photo.edges.png").shape == (12, 16)
    assert files_in(out) == ["photo.edges.png"]


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix", reason="POSIX symbolic links")
def test_a_dangling_symlink_with_the_outputs_name_is_kept_without_overwrite(tmp_path, capsys):
    small_image(tmp_path / "photo.png")
    out = tmp_path / "o"
    out.mkdir()
    (out / "photo.edges.png").symlink_to(tmp_path / "nowhere.png")
    assert main(["apply", str(tmp_path / "photo.png"), "-o", str(out)]) == 1
    assert f"{out / 'photo.edges.png'}: exists (pass --overwrite" in capsys.readouterr().err
    assert os.readlink(out / "photo.edges.png") == str(tmp_path / "nowhere.png")
    assert not (tmp_path / "nowhere.png").exists()
    assert main(["apply", str(tmp_path / "photo.png"), "-o", str(out), "--overwrite"]) == 0
    assert not (out / "photo.edges.png").is_symlink() and not (tmp_path / "nowhere.png").exists()


@pytest.mark.parametrize("exists", [False, True])
def test_a_file_system_without_hard_links_still_never_replaces(tmp_path, capsys, monkeypatch, exists):
    def no_links(source, target, *args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")  # as FAT answers

    monkeypatch.setattr(os, "link", no_links)
    small_image(tmp_path / "photo.png")
    out = tmp_path / "o"
    out.mkdir()
    if exists:
        (out / "photo.edges.png").write_bytes(b"mine")
    assert main(["apply", str(tmp_path / "photo.png"), "-o", str(out)]) == int(exists)
    if exists:
        assert (out / "photo.edges.png").read_bytes() == b"mine"
        assert "exists (pass --overwrite" in capsys.readouterr().err
    else:
        assert pixels(out / "photo.edges.png").shape == (12, 16)
    assert files_in(out) == ["photo.edges.png"]


def test_output_names_up_to_the_file_systems_limit_work_longer_ones_are_named(tmp_path, capsys):
    try:
        limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):
        limit = 255
    longest = "a" * (limit - len(".edges.png"))  # its output's name: exactly the limit
    small_image(tmp_path / "in" / f"{longest}.png")
    small_image(tmp_path / "in" / f"{longest[:-10]}.png")  # 10 bytes shorter
    small_image(tmp_path / "in" / f"{longest}b.png")  # one byte too many
    out = tmp_path / "o"
    assert main(["apply", str(tmp_path / "in"), "-q", "-o", str(out)]) == 1
    assert sorted(files_in(out)) == sorted([f"{longest}.edges.png", f"{longest[:-10]}.edges.png"])
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"convpool: {tmp_path / 'in' / f'{longest}b.png'}: its output's name would be {limit + 1} bytes, "
        f"longer than the {limit} the file system of {out}{os.sep} allows; rename the input",
        "convpool: 1 of 3 files failed",
    ]


@pytest.mark.skipif(fcntl is None, reason="no flock: leftover temporary files are left alone")
def test_temporary_files_of_killed_runs_are_removed_and_live_ones_kept(tmp_path, capsys):
    small_image(tmp_path / "photo.png")
    out = tmp_path / "o"
    out.mkdir()
    (out / ".convpool-deadbeef.part").write_bytes(b"a run killed mid-write left this")
    (out / ".photo.edges.png.0123abcd.part").write_bytes(b"not convpool's kind of name: kept")
    with open(out / ".convpool-5a5a5a5a.part", "wb") as live:
        fcntl.flock(live, fcntl.LOCK_EX)  # as a live run holds its own
        assert main(["apply", str(tmp_path / "photo.png"), "-q", "-o", str(out)]) == 0
        assert files_in(out) == [".convpool-5a5a5a5a.part", ".photo.edges.png.0123abcd.part", "photo.edges.png"]
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(fcntl is None, reason="no flock")
def test_a_temporary_file_removed_before_it_was_locked_is_made_again(tmp_path, monkeypatch):
    # A stale-file remover in another run may take the lock of a temporary file between
    # its creation and its writer's flock, and remove it: the writer must not write into
    # a file no name leads to.
    real_flock = fcntl.flock
    removed = []

    def flock(f, operation):
        if not removed and Path(f.name).name.startswith(".convpool-") and operation == fcntl.LOCK_EX:
            removed.append(f.name)
            os.unlink(f.name)
        return real_flock(f, operation)

    monkeypatch.setattr(fcntl, "flock", flock)
    small_image(tmp_path / "photo.png")
    out = tmp_path / "o"
    assert main(["apply", str(tmp_path / "photo.png"), "-q", "-o", str(out)]) == 0
    assert removed and files_in(out) == ["photo.edges.png"]
    assert pixels(out / "photo.edges.png").shape == (12, 16)


@pytest.mark.skipif(fcntl is None or not hasattr(os, "mkfifo"), reason="flock and FIFOs")
def test_the_stale_file_remover_neither_waits_on_a_fifo_nor_follows_a_link(tmp_path):
    small_image(tmp_path / "photo.png")
    out = tmp_path / "o"
    out.mkdir()
    os.mkfifo(out / ".convpool-f1f0f1f0.part")  # opening it for reading would wait for a writer
    (tmp_path / "keep.txt").write_text("not to be touched")
    (out / ".convpool-11111111.part").symlink_to(tmp_path / "keep.txt")
    assert main(["apply", str(tmp_path / "photo.png"), "-q", "-o", str(out)]) == 0
    assert (tmp_path / "keep.txt").read_text() == "not to be touched"
    assert files_in(out) == [".convpool-11111111.part", ".convpool-f1f0f1f0.part", "photo.edges.png"]


@pytest.mark.skipif(fcntl is None, reason="no flock")
def test_a_file_system_without_locks_still_takes_outputs(tmp_path, monkeypatch):
    def no_locks(f, operation):
        raise OSError(errno.ENOLCK, "No locks available")  # as some network file systems answer

    monkeypatch.setattr(fcntl, "flock", no_locks)
    small_image(tmp_path / "photo.png")
    out = tmp_path / "o"
    assert main(["apply", str(tmp_path / "photo.png"), "-q", "-o", str(out)]) == 0
    assert files_in(out) == ["photo.edges.png"]


def noise_folder(folder: Path, count: int, shape: tuple[int, int]) -> None:
    """``count`` copies of one noise image (slow to compress: each write takes a while)."""
    folder.mkdir()
    noise = np.random.default_rng(7).integers(0, 256, shape, dtype=np.uint8)
    Image.fromarray(noise).save(folder / "0.png")
    for i in range(1, count):
        shutil.copyfile(folder / "0.png", folder / f"{i}.png")


def test_two_runs_into_one_folder_each_write_only_what_they_claim(tmp_path):
    noise_folder(tmp_path / "many", 40, (64, 96))
    runs = [
        subprocess.Popen(
            [script(), "apply", "many", "-k", "identity", "-j", "2", "-o", "out"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    claimed = [{line.split(" -> ")[1] for line in out.splitlines() if " -> " in line} for out, _ in results]
    assert len(claimed[0]) + len(claimed[1]) == 40 and not claimed[0] & claimed[1]
    assert files_in(tmp_path / "out") == sorted(f"{i}.identity.png" for i in range(40))
    for (_, err), run, mine in zip(results, runs, claimed, strict=True):
        lost = [line for line in err.splitlines() if line.endswith("exists (pass --overwrite to replace it)")]
        assert len(lost) == 40 - len(mine) and run.returncode == int(bool(lost)), err


@pytest.mark.skipif(fcntl is None or os.name != "posix", reason="flock, SIGKILL")
def test_temporary_files_a_killed_run_left_are_removed_by_the_next(tmp_path):
    noise_folder(tmp_path / "many", 30, (300, 400))
    out = tmp_path / "out"
    for _ in range(5):  # until a kill lands while a temporary file is there
        proc = subprocess.Popen(
            [script(), "apply", "many", "-k", "identity", "-j", "2", "-o", "out", "--overwrite"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not (out.is_dir() and any(n.endswith(".part") for n in os.listdir(out))):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.002)
        proc.kill()
        proc.wait()
        if any(name.endswith(".part") for name in os.listdir(out)):
            break
    assert any(name.startswith(".convpool-") and name.endswith(".part") for name in os.listdir(out))
    small_image(tmp_path / "photo.png")
    assert main(["apply", str(tmp_path / "photo.png"), "-q", "-o", str(out)]) == 0
    assert not [name for name in os.listdir(out) if name.startswith(".")]


@pytest.mark.skipif(os.name != "posix", reason="POSIX symbolic links")
def test_loops_of_symbolic_links_are_one_line_each(tmp_path, capsys):
    small_image(tmp_path / "in" / "photo.png")
    (tmp_path / "in" / "loop.png").symlink_to("loop.png")  # an input that leads nowhere
    out = tmp_path / "o"
    out.mkdir()
    (out / "photo.edges.png").symlink_to("photo.edges.png")  # the output's name: taken
    assert main(["apply", str(tmp_path / "in"), "-q", "-o", str(out)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"convpool: {tmp_path / 'in' / 'loop.png'}: a loop of symbolic links",
        f"convpool: {out / 'photo.edges.png'}: exists (pass --overwrite to replace it)",
        "convpool: 2 of 2 files failed",
    ]
    assert main(["apply", str(tmp_path / "in"), "-q", "-o", str(out), "--overwrite"]) == 1
    assert pixels(out / "photo.edges.png").shape == (12, 16)  # the link replaced, not followed
