"""Names of ``convpool apply``'s outputs: different settings never share one."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cli_helpers import cli_page_commands, files_in, run
from convpool.cli import main
from convpool.cli._args import glue_dash_values
from convpool.cli._parser import build_parser


def small_image(path: Path, seed: int = 0) -> None:
    """A 12 x 16 noise image at ``path``, its folders made as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (12, 16), dtype=np.uint8)).save(path)


def test_the_cli_pages_apply_examples_run_in_sequence_in_one_folder(tmp_path, monkeypatch, capsys):
    commands = [argv for argv in cli_page_commands() if argv[:1] == ["apply"]]
    assert len(commands) >= 5
    parser = build_parser()
    for i, argv in enumerate(commands):  # small images under the names the examples use
        for name in parser.parse_args(glue_dash_values(argv)).inputs:
            if name.endswith(("/", "\\")):
                for j in range(2):
                    small_image(tmp_path / name / f"{Path(name).name}{j}.png", seed=10 * i + j)
            elif not (tmp_path / name).exists():
                small_image(tmp_path / name, seed=i)
    monkeypatch.chdir(tmp_path)
    for argv in commands:
        assert main(argv) == 0, (shlex.join(["convpool", *argv]), capsys.readouterr().err)


# Settings that give different results, each of which must get a name of its own.
DIFFERENT = [
    [],
    ["--weight", "2"],
    ["--weight", "1/9"],
    ["--weight", "0.1234567"],
    ["--weight", "0.1234568"],
    ["--mode", "valid"],
    ["--mode", "wrap"],
    ["--pool", "2"],
    ["--pool", "3"],
    ["--color"],
    ["--scale"],
    ["--dtype", "float32"],
    ["--dtype", "uint16"],
    ["--color", "--scale", "--mode", "reflect", "--pool", "2"],
    ["-k", "sobel_vertical"],
    ["-k", "1,2;3,4"],
    ["-k", "1,2;3,4", "--weight", "0.5"],
    ["-k", "1,2;3,5"],
    ["-k", "1,2,3,4"],
]


def test_different_settings_never_share_an_output_name(tmp_path, capsys):
    small_image(tmp_path / "photo.png")
    out = tmp_path / "o"
    for n, settings in enumerate(DIFFERENT, start=1):
        # --overwrite: a clash would silently replace an earlier result; count the files instead.
        assert main(["apply", str(tmp_path / "photo.png"), "-q", "--overwrite", "-o", str(out), *settings]) == 0
        assert len(files_in(out)) == n, (settings, files_in(out))
    names = files_in(out)
    assert "photo.edges.png" in names and "photo.sobel_vertical.png" in names
    assert "photo.edges.valid.png" in names and "photo.edges.pool2.png" in names
    assert "photo.edges.w2.png" in names and "photo.edges.w1_9.png" in names
    assert "photo.edges.color.png" in names and "photo.edges.scaled.png" in names
    assert "photo.edges.tif" in names and "photo.edges.uint16.png" in names
    assert sum(re.fullmatch(r"photo\.custom-[0-9a-f]{8}\.png", name) is not None for name in names) == 4
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "same",
    [
        ["-k", "edges", "--mode", "keep", "--dtype", "uint8", "--weight", "1"],
        ["-k", "-1,-1,-1;-1,8,-1;-1,-1,-1"],  # a matrix: named by its digest, whatever it equals
    ],
)
def test_default_settings_keep_the_plain_name_and_a_matrix_a_steady_one(tmp_path, same):
    small_image(tmp_path / "photo.png")
    out = tmp_path / "o"
    for _ in range(2):
        assert main(["apply", str(tmp_path / "photo.png"), "-q", "--overwrite", "-o", str(out), *same]) == 0
    [name] = files_in(out)
    if same[1] == "edges":
        assert name == "photo.edges.png"
    else:
        assert re.fullmatch(r"photo\.custom-[0-9a-f]{8}\.png", name)


def test_help_explains_the_output_names(capsys):
    assert main(["apply", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "STEM.KERNEL[.wW][.MODE][.poolN][.color][.DTYPE][.scaled].png" in text
    assert "custom-XXXXXXXX" in text and "never share a name" in text


def test_outputs_never_become_inputs_even_in_the_same_folder(tmp_path, capsys):
    folder = tmp_path / "photos"
    small_image(folder / "a.png")
    small_image(folder / "b.tif", seed=1)
    for _ in range(2):
        assert main(["apply", str(folder), "-q", "-o", str(folder), "--overwrite"]) == 0
    assert files_in(folder) == ["a.edges.png", "a.png", "b.edges.png", "b.tif"]
    assert main(["apply", str(folder), "-q", "-o", str(folder), "--dtype", "float32"]) == 0
    assert files_in(folder) == ["a.edges.png", "a.edges.tif", "a.png", "b.edges.png", "b.edges.tif", "b.tif"]
    err = capsys.readouterr().err
    assert f"convpool: skipped 2 convpool outputs (never inputs): {folder / 'a.edges.png'}, " in err

    # Named on the command line too; what marks them is in the files, not their names.
    for name in ("a.edges.png", "a.edges.tif"):
        with Image.open(folder / name) as im:
            software = im.info.get("Software") or im.getexif().get(0x0131)
        assert software.startswith("convpool ")
        (folder / name).rename(folder / f"renamed-{name}")
    assert main(["apply", str(folder / "renamed-a.edges.png"), str(folder / "a.png"), "-o", str(tmp_path / "o")]) == 0
    assert files_in(tmp_path / "o") == ["a.edges.png"]
    assert "skipped 1 convpool output (never inputs)" in capsys.readouterr().err


def test_the_demos_maps_are_outputs_its_input_is_not(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert main(["apply", str(tmp_path), "-q", "-o", str(tmp_path)]) == 0
    assert "skipped 7 convpool outputs" in capsys.readouterr().err
    assert "ascent.edges.png" in files_in(tmp_path) and len(files_in(tmp_path)) == 9


def make_file_named(folder: Path, name: bytes) -> Path:
    """A small image in ``folder`` under the raw file name ``name``; skipped where the file
    system takes no such name (macOS and Windows keep names Unicode)."""
    folder.mkdir(exist_ok=True)
    path = folder / os.fsdecode(name)
    try:
        small_image(path)
    except (OSError, UnicodeError, ValueError):
        pytest.skip(f"this file system takes no file named {name!r}")
    return path


def test_a_name_that_is_not_utf_8_is_filtered_and_shown_escaped(tmp_path):
    make_file_named(tmp_path / "photos", b"bad\xff.png")
    proc = run("apply", "photos", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert f"{Path('photos')}{os.sep}bad\\xff.png -> {Path('out')}{os.sep}bad\\xff.edges.png (12 x 16)\n" in proc.stdout
    output = tmp_path / "out" / os.fsdecode(b"bad\xff.edges.png")
    assert os.listdir(os.fsencode(tmp_path / "out")) == [b"bad\xff.edges.png"]
    with Image.open(output) as im:
        assert im.info["Description"].endswith(" 'bad\\xff.png'")


@pytest.mark.parametrize(("name", "kind"), [("café ☃.png", np.uint8), ("café ☃.tif", np.float32)])
def test_a_names_non_ascii_letters_are_kept_in_the_description_escaped(tmp_path, name, kind):
    (tmp_path / "in").mkdir()
    Image.fromarray(np.zeros((8, 8), kind)).save(tmp_path / "in" / name)
    assert main(["apply", str(tmp_path / "in"), "-q", "-o", str(tmp_path / "o")]) == 0
    [output] = (tmp_path / "o").iterdir()
    with Image.open(output) as im:
        description = im.info.get("Description") or im.tag_v2[270]
    assert description.endswith(" 'caf\\xe9 \\u2603" + name[-4:] + "'"), description


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        (b"two\nlines.png", "two\\nlines.png"),
        (b"\x1b[2Jred\x1b[31m.png", "\\x1b[2Jred\\x1b[31m.png"),
        (b"tab\there\r.png", "tab\\there\\r.png"),
    ],
)
def test_names_cannot_fake_lines_or_drive_the_terminal(tmp_path, name, escaped):
    make_file_named(tmp_path / "photos", name)
    (tmp_path / "photos" / os.fsdecode(name.replace(b".png", b".txt"))).write_text("skipped, and listed")
    proc = run("apply", "photos", "nowhere\n.png", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 1
    text = proc.stdout + proc.stderr
    assert not any(c in text for c in "\x1b\r\t"), text
    stem = escaped.removesuffix(".png")
    first = proc.stdout.splitlines()[0]
    assert first == f"{Path('photos')}{os.sep}{escaped} -> {Path('out')}{os.sep}{stem}.edges.png (12 x 16)"
    assert proc.stderr.splitlines() == [
        "convpool: nowhere\\n.png: no such file or folder",
        f"convpool: skipped 1 file in folders not named as images: {Path('photos')}{os.sep}{stem}.txt",
        "convpool: 1 of 2 files failed",
    ]
    assert files_in(tmp_path / "out") == [os.fsdecode(name).replace(".png", ".edges.png")]
