"""The ``convpool`` command, run as people run it (the installed script) and in-process."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

import convpool
import convpool.cli
from cli_helpers import CLI_PAGE, cli_page_commands, files_in, make_photos, pixels, run, script
from convpool import kernels
from convpool.cli import main
from convpool.cli._args import glue_dash_values
from convpool.cli._naming import NAMING_HELP
from convpool.cli._parser import build_parser

DEMO_FILES = {
    "ascent.png": (512, 512),
    "edges.png": (512, 512),
    "edges_pooled.png": (256, 256),
    "horizontal_lines.png": (512, 512),
    "horizontal_lines_pooled.png": (256, 256),
    "vertical_lines.png": (512, 512),
    "vertical_lines_pooled.png": (256, 256),
}


# ---------------------------------------------------------------- the command itself


def test_version_from_the_script_and_python_m(tmp_path):
    proc = run("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"convpool {version('convpool')}"
    proc = subprocess.run([sys.executable, "-m", "convpool", "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == f"convpool {convpool.__version__}"


@pytest.mark.parametrize("command", [[], ["demo"], ["apply"], ["kernels"]])
def test_help_has_an_example_for_every_command(command, capsys):
    assert main([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: convpool {' '.join(command)}".rstrip())
    examples = text.split("examples:\n", 1)[1]
    for sub in command or ["demo", "apply", "kernels"]:
        assert re.search(rf"^  convpool {sub}\b", examples, flags=re.M), sub
    parser = build_parser()
    for line in re.findall(r"^  convpool (\w.*?)(?:  #.*)?$", examples, flags=re.M):
        if "COMMAND" not in line:
            args = parser.parse_args(glue_dash_values(shlex.split(line)))
            assert args.command == line.split()[0]


def test_no_command_is_a_usage_error(tmp_path):
    proc = run(cwd=tmp_path)
    assert proc.returncode == 2
    assert "the following arguments are required: COMMAND" in proc.stderr


def test_python_m_convpool_is_the_same_command(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "convpool", "kernels", "vertical_lines"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == run("kernels", "vertical_lines", cwd=tmp_path).stdout
    assert "vertical_lines  (3 x 3, weight 1)\n    -1   0   1\n    -2   0   2\n    -1   0   1\n" in proc.stdout


# ---------------------------------------------------------------- demo


def find(panel: np.ndarray, canvas: np.ndarray) -> tuple[int, int]:
    """Where ``panel`` appears pixel for pixel in ``canvas``: (top, left)."""
    row = int(np.argmax([len(np.unique(r[:16])) for r in panel]))
    windows = sliding_window_view(canvas, 16, axis=1)
    h, w = panel.shape
    for y, x in zip(*np.nonzero((windows == panel[row, :16]).all(axis=-1)), strict=True):
        top = y - row
        window = canvas[max(top, 0) : top + h, x : x + w]
        if top >= 0 and window.shape == panel.shape and (window == panel).all():
            return int(top), int(x)
    raise AssertionError("panel not found in the overview")


def test_demo_writes_the_codelabs_maps_and_an_overview(tmp_path):
    proc = run("demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "convpool-demo"
    assert files_in(out) == sorted([*DEMO_FILES, "overview.png"])
    assert (
        f"wrote 8 images to convpool-demo{os.sep} (a new folder in {tmp_path}), sizes in rows x columns:\n"
        in proc.stdout
    )
    image = convpool.data.ascent()
    for name, shape in DEMO_FILES.items():
        assert re.search(rf"^  {re.escape(name)} +{shape[0]} x {shape[1]}  ", proc.stdout, flags=re.M), name
        assert pixels(out / name).shape == shape
    np.testing.assert_array_equal(pixels(out / "ascent.png"), image)
    for k in kernels.CODELAB:
        fmap = convpool.convolve(image, k.matrix, k.weight)
        np.testing.assert_array_equal(pixels(out / f"{k.name}.png"), fmap)
        np.testing.assert_array_equal(pixels(out / f"{k.name}_pooled.png"), convpool.max_pool(fmap))
        assert re.search(rf"^  {k.name} +convolve +[\d.]+ ms +max_pool +[\d.]+ ms$", proc.stdout, flags=re.M)
    assert "--codelab-loop" in proc.stdout


def test_demo_overview_shows_all_seven_maps_titled(tmp_path):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    with Image.open(tmp_path / "overview.png") as im:
        assert im.format == "PNG" and im.mode == "L"
        canvas = np.asarray(im)
    assert (tmp_path / "overview.png").stat().st_size < 1_000_000
    tops = []
    for name in DEMO_FILES:
        panel = pixels(tmp_path / name)
        top, left = find(panel, canvas)
        tops.append(top)
        title = canvas[top - 30 : top - 4, left : left + 120]
        assert (title < 100).sum() > 50, f"no title above {name}"  # dark text on white
        below = canvas[top + panel.shape[0] + 6 : top + panel.shape[0] + 22, left : left + panel.shape[1]]
        assert (below < 200).sum() > 20, f"no axis numbers below {name}"
    # Input and feature maps on one row, the pooled maps on the row below.
    assert len({tops[0], tops[1], tops[3], tops[5]}) == 1
    assert len({tops[2], tops[4], tops[6]}) == 1 and tops[2] > tops[0] + 512


def test_demo_never_clobbers_an_earlier_run(tmp_path):
    (tmp_path / "convpool-demo").mkdir()
    (tmp_path / "convpool-demo" / "edges.png").write_bytes(b"mine")
    proc = run("demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "convpool-demo-2" in proc.stdout
    assert (tmp_path / "convpool-demo" / "edges.png").read_bytes() == b"mine"
    assert len(files_in(tmp_path / "convpool-demo-2")) == 8


def test_demo_out_refuses_to_overwrite_without_the_flag(tmp_path, capsys):
    (tmp_path / "overview.png").write_bytes(b"mine")
    assert main(["demo", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "overview.png exists (pass --overwrite" in err
    assert files_in(tmp_path) == ["overview.png"]
    assert main(["demo", "-o", str(tmp_path), "--overwrite"]) == 0
    assert pixels(tmp_path / "overview.png").shape[1] > 2000


def test_demo_reports_a_folder_it_cannot_write(tmp_path, capsys):
    (tmp_path / "taken").write_text("a file, not a folder")
    assert main(["demo", "--out", str(tmp_path / "taken" / "maps")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("convpool: demo: ") and str(tmp_path / "taken") in err and "Traceback" not in err


def test_demo_times_the_codelabs_loop_when_asked(tmp_path, capsys, monkeypatch):
    loop = convpool.reference.codelab_convolution
    shapes = []
    monkeypatch.setattr(convpool.reference, "codelab_convolution", lambda a, *k: shapes.append(a.shape) or loop(a, *k))
    assert main(["demo", "--out", str(tmp_path / "maps"), "--codelab-loop"]) == 0
    assert shapes == [(512, 512)]  # on the ascent image, as the line says
    out = capsys.readouterr().out
    assert re.search(
        r"the codelab's Python loop, one 3x3 pass .*: [\d.]+ m?s, [\d,]+x convolve's time; same pixels: yes", out
    )


# ---------------------------------------------------------------- apply


def test_apply_a_folder_with_a_good_a_corrupt_and_a_text_file(tmp_path):
    image = make_photos(tmp_path / "photos")
    proc = run("apply", "photos", cwd=tmp_path)
    assert proc.returncode == 1
    out = tmp_path / "convpool-out"
    assert files_in(out) == ["good.edges.png"]
    np.testing.assert_array_equal(pixels(out / "good.edges.png"), convpool.convolve(image, kernels.EDGES.matrix))
    assert f"{Path('photos/good.png')} -> {Path('convpool-out/good.edges.png')} (64 x 80)" in proc.stdout
    errors = proc.stderr.splitlines()
    assert f"convpool: {Path('photos/corrupt.png')}: not an image Pillow can read (image file is truncated)" in errors
    assert any(line.startswith(f"convpool: {Path('photos/fake.jpg')}: not an image Pillow can read") for line in errors)
    assert f"convpool: skipped 1 file in folders not named as images: {Path('photos/notes.txt')}" in errors
    assert errors[-1] == "convpool: 2 of 3 files failed"
    assert files_in(tmp_path / "photos") == ["corrupt.png", "fake.jpg", "good.png", "notes.txt"]


def test_each_failure_is_told_on_one_line_once(tmp_path):
    make_photos(tmp_path / "photos")
    proc = run("apply", "photos", "nowhere.png", cwd=tmp_path)
    assert proc.returncode == 1
    for name in ("nowhere.png", "corrupt.png", "fake.jpg"):
        assert sum(name in line for line in proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.splitlines()[-1] == "convpool: 3 of 4 files failed"


@pytest.mark.skipif(os.name != "posix", reason="POSIX pipes")
def test_a_closed_stdout_does_not_hide_failures(tmp_path):
    # convpool apply photos | head -1: the reader has gone when the run prints.
    make_photos(tmp_path / "photos")
    for i in range(3):
        Image.fromarray(np.full((10, 10), i, np.uint8)).save(tmp_path / "photos" / f"more{i}.png")
    reader, writer = os.pipe()
    os.close(reader)
    try:
        proc = subprocess.run(
            [script(), "apply", "photos"], cwd=tmp_path, stdout=writer, stderr=subprocess.PIPE, text=True, timeout=120
        )
    finally:
        os.close(writer)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines()[-1] == "convpool: 2 of 6 files failed"
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr
    assert len(files_in(tmp_path / "convpool-out")) == 4  # every good file, after the pipe closed


def test_kernels_into_a_closed_pipe_is_no_error(tmp_path):
    reader, writer = os.pipe()
    os.close(reader)
    try:
        proc = subprocess.run([script(), "kernels"], stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(writer)
    assert proc.returncode == 0 and proc.stderr == ""


def test_sub_folders_are_listed_as_skipped(tmp_path, capsys):
    make_photos(tmp_path / "photos")
    (tmp_path / "photos" / "raw").mkdir()
    (tmp_path / "photos" / "raw" / "deep.png").write_bytes((tmp_path / "photos" / "good.png").read_bytes())
    (tmp_path / "photos" / ".git").mkdir()  # hidden: neither entered nor listed
    assert main(["apply", str(tmp_path / "photos"), "-q", "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert f"convpool: skipped 1 sub-folder (not entered): {tmp_path / 'photos' / 'raw'}\n" in err
    assert ".git" not in err
    assert files_in(tmp_path / "o") == ["good.edges.png"]


def test_apply_a_text_file_named_on_the_command_line_fails(tmp_path, capsys):
    make_photos(tmp_path / "photos")
    code = main(
        ["apply", str(tmp_path / "photos" / "notes.txt"), str(tmp_path / "nowhere.png"), "-o", str(tmp_path / "o")]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "notes.txt: not an image Pillow can read (cannot identify image file)" in err
    assert f"{tmp_path / 'nowhere.png'}: no such file or folder" in err
    assert not (tmp_path / "o").exists()


def test_apply_an_empty_folder_is_a_failure(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["apply", str(tmp_path / "empty")]) == 1
    assert "no images found in" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("named", "literal", "extra"),
    [
        (["-k", "vertical_lines"], ["--kernel", "-1,0,1;-2,0,2;-1,0,1"], []),
        (["-k", "sobel-horizontal"], ["-k", "-1 -2 -1; 0 0 0; 1 2 1"], ["--pool", "2"]),
        (["-k", "box_blur"], ["-k=1,1,1;1,1,1;1,1,1", "--weight", "1/9"], ["--mode", "valid"]),
        (["-k", "laplacian"], ["--kernel=0,1,0;1,-4,1;0,1,0"], ["--dtype", "float32"]),
        (["-k", "edges"], ["-k", "0,1,0;1,-4,1;0,1,0"], ["--mode", "mirror"]),
    ],
)
def test_named_and_literal_kernels_give_the_python_apis_result(tmp_path, named, literal, extra):
    image = make_photos(tmp_path / "photos")
    good = str(tmp_path / "photos" / "good.png")
    for args, out in ((named, "named"), (literal, "literal")):
        assert main(["apply", good, *args, *extra, "-o", str(tmp_path / out)]) == 0
    k = kernels.get(named[1])
    dtype = np.float32 if "float32" in extra else np.uint8
    mode = extra[extra.index("--mode") + 1] if "--mode" in extra else "keep"
    expected = convpool.convolve(image, k.matrix, k.weight, mode=mode, dtype=dtype)
    if "--pool" in extra:
        expected = convpool.max_pool(expected, 2)
    suffix = (f".{mode}" if mode != "keep" else "") + (".pool2" if "--pool" in extra else "")
    suffix += ".tif" if dtype is np.float32 else ".png"
    named_result = pixels(tmp_path / "named" / f"good.{k.name}{suffix}")
    [literal] = (tmp_path / "literal").iterdir()
    assert re.fullmatch(rf"good\.custom-[0-9a-f]{{8}}{re.escape(suffix)}", literal.name)
    literal_result = pixels(literal)
    assert named_result.dtype == dtype
    np.testing.assert_array_equal(named_result, expected, strict=True)
    np.testing.assert_array_equal(literal_result, expected, strict=True)


def test_float32_results_are_exact_tiffs_or_scaled_pngs(tmp_path):
    image = make_photos(tmp_path / "photos")
    good = str(tmp_path / "photos" / "good.png")
    assert main(["apply", good, "-k", "sobel_vertical", "--dtype", "float32", "-o", str(tmp_path)]) == 0
    with Image.open(tmp_path / "good.sobel_vertical.tif") as im:
        assert im.format == "TIFF" and im.mode == "F"
        exact = np.asarray(im)
    expected = convpool.convolve(image, kernels.SOBEL_VERTICAL.matrix, dtype=np.float32)
    np.testing.assert_array_equal(exact, expected, strict=True)
    assert exact.min() < 0 < exact.max()

    assert main(["apply", good, "-k", "sobel_vertical", "--scale", "-o", str(tmp_path)]) == 0
    scaled = pixels(tmp_path / "good.sobel_vertical.scaled.png")
    assert scaled.dtype == np.uint8 and scaled.min() == 0 and scaled.max() == 255
    lo, hi = float(expected.min()), float(expected.max())
    np.testing.assert_array_equal(scaled, np.rint((expected - lo) * (255 / (hi - lo))).astype(np.uint8))


def test_color_filters_each_channel(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "colour.png")
    assert (
        main(
            [
                "apply",
                str(tmp_path / "colour.png"),
                "--color",
                "-k",
                "sharpen",
                "--pool",
                "2",
                "-o",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    with Image.open(tmp_path / "o" / "colour.sharpen.pool2.color.png") as im:
        assert im.mode == "RGB"
        result = np.asarray(im)
    expected = convpool.max_pool(convpool.convolve(rgb, kernels.SHARPEN.matrix, axes=(0, 1)), axes=(0, 1))
    np.testing.assert_array_equal(result, expected)


def test_greyscale_conversion_is_pillows(tmp_path):
    rgb = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "colour.bmp")
    assert main(["apply", str(tmp_path / "colour.bmp"), "-k", "identity", "-o", str(tmp_path / "o")]) == 0
    grey = np.asarray(Image.fromarray(rgb).convert("L"))
    np.testing.assert_array_equal(pixels(tmp_path / "o" / "colour.identity.png"), grey)


def test_photos_are_turned_upright_by_their_exif_orientation(tmp_path):
    stored = np.arange(12 * 20, dtype=np.uint8).reshape(12, 20)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; viewers rotate 90 degrees clockwise
    Image.fromarray(stored).save(tmp_path / "phone.png", exif=exif)
    assert main(["apply", str(tmp_path / "phone.png"), "-k", "identity", "-o", str(tmp_path / "o")]) == 0
    np.testing.assert_array_equal(pixels(tmp_path / "o" / "phone.identity.png"), np.rot90(stored, k=-1))


def test_existing_outputs_are_kept_without_overwrite(tmp_path, capsys):
    make_photos(tmp_path / "photos")
    out = tmp_path / "o"
    out.mkdir()
    (out / "good.edges.png").write_bytes(b"mine")
    assert main(["apply", str(tmp_path / "photos" / "good.png"), "-o", str(out)]) == 1
    assert f"{out / 'good.edges.png'}: exists (pass --overwrite to replace it)" in capsys.readouterr().err
    assert (out / "good.edges.png").read_bytes() == b"mine"
    assert main(["apply", str(tmp_path / "photos" / "good.png"), "-o", str(out), "--overwrite"]) == 0
    assert pixels(out / "good.edges.png").shape == (64, 80)


def test_inputs_are_never_overwritten(tmp_path, capsys):
    folder = tmp_path / "d"
    folder.mkdir()
    image = convpool.data.ascent()[:20, :20]
    Image.fromarray(image).save(folder / "a.png")
    Image.fromarray(image).save(folder / "a.edges.png")
    before = (folder / "a.edges.png").read_bytes()
    code = main(["apply", str(folder), "-o", str(folder), "--overwrite"])
    assert code == 1
    assert (
        f"{folder / 'a.png'}: its output {folder / 'a.edges.png'} is an input; inputs are never overwritten"
        in capsys.readouterr().err
    )
    assert (folder / "a.edges.png").read_bytes() == before
    assert files_in(folder) == ["a.edges.edges.png", "a.edges.png", "a.png"]


def test_two_inputs_with_one_output_name(tmp_path, capsys):
    for sub in ("x", "y"):
        (tmp_path / sub).mkdir()
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / sub / "same.png")
    assert main(["apply", str(tmp_path / "x"), str(tmp_path / "y"), "-o", str(tmp_path / "o")]) == 1
    assert f"{tmp_path / 'y' / 'same.png'}: its output" in capsys.readouterr().err
    assert files_in(tmp_path / "o") == ["same.edges.png"]


def test_an_image_smaller_than_the_kernel_is_reported(tmp_path, capsys):
    Image.fromarray(np.zeros((3, 3), np.uint8)).save(tmp_path / "tiny.png")
    assert (
        main(["apply", str(tmp_path / "tiny.png"), "-k", "gaussian_5x5", "--mode", "valid", "-o", str(tmp_path / "o")])
        == 1
    )
    assert (
        "tiny.png: 3 x 3 is too small for a 5 x 5 kernel (mode 'valid'): the result is empty" in capsys.readouterr().err
    )


def test_workers_process_files_in_parallel_with_the_same_results(tmp_path, monkeypatch):
    import tqdm

    bars = []
    real = tqdm.tqdm
    monkeypatch.setattr(tqdm, "tqdm", lambda *a, **kw: bars.append(kw) or real(*a, **kw))
    rng = np.random.default_rng(2)
    (tmp_path / "many").mkdir()
    for i in range(6):
        Image.fromarray(rng.integers(0, 256, (40, 50), dtype=np.uint8)).save(tmp_path / "many" / f"{i}.png")
    assert main(["apply", str(tmp_path / "many"), "-k", "outline", "-j", "3", "-q", "-o", str(tmp_path / "par")]) == 0
    assert main(["apply", str(tmp_path / "many"), "-k", "outline", "-o", str(tmp_path / "seq")]) == 0
    assert files_in(tmp_path / "par") == [f"{i}.outline.png" for i in range(6)]
    for name in files_in(tmp_path / "seq"):
        np.testing.assert_array_equal(pixels(tmp_path / "par" / name), pixels(tmp_path / "seq" / name))
    # A progress bar for six files (tqdm leaves it out when stderr is no terminal), none with --quiet.
    assert [b["disable"] for b in bars] == [True, None] and bars[1]["total"] == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-k", "blurry"], "argument -k/--kernel: unknown kernel 'blurry'; valid names: edges, horizontal_lines"),
        (
            ["-k", "1,2;3"],
            "argument -k/--kernel: bad matrix '1,2;3': rows must all have the same number of values: "
            "row 1 has 2, row 2 has 1",
        ),
        (["-k", "1,2,3;4,5,6;7,8"], "row 1 has 3, row 2 has 3, row 3 has 2"),
        (["-k", "1,x;3,4"], "argument -k/--kernel: unknown kernel '1,x;3,4'"),
        (["-k", "1..2"], "argument -k/--kernel: bad matrix '1..2': not a number: '1..2'"),
        (["-w", "abc"], "argument -w/--weight: not a number: 'abc' (expected e.g. 2, -0.5 or 1/9)"),
        (["--weight", "inf"], "argument -w/--weight: not a number: 'inf'"),
        (["--weight", "1/0"], "argument -w/--weight: not a number: '1/0'"),
        (["--weight", "1e400"], "argument -w/--weight: not a number: '1e400'"),
        (["-k", "1,1e999"], "argument -k/--kernel: bad matrix '1,1e999': not a number: '1e999'"),
        (["-k", "1,2;"], "argument -k/--kernel: bad matrix '1,2;': row 2 is empty (rows are split by ';')"),
        (["--pool", "0"], "argument --pool: `pool` must be at least 1, got 0"),
        (["--pool", "x"], "argument --pool: must be an integer, got 'x'"),
        (["--workers", "0"], "argument -j/--workers: `workers` must be a positive int or -1 (all cores), got 0"),
        (["--dtype", "int16"], "argument --dtype: invalid choice: 'int16'"),
        (["--mode", "same"], "argument --mode: invalid choice: 'same'"),
        (["--scale", "--dtype", "uint8"], "--scale applies to float32 results"),
        (["--scale", "--dtype", "uint16"], "--scale applies to float32 results; drop --dtype uint16"),
        (["--color", "--dtype", "uint16"], "--color gives 8-bit results"),
        (["--color", "--dtype", "float32"], "--color with float32 results needs --scale"),
    ],
)
def test_usage_errors_exit_2_naming_the_argument(tmp_path, monkeypatch, capsys, args, message):
    make_photos(tmp_path / "photos")
    monkeypatch.chdir(tmp_path)
    assert main(["apply", "photos/good.png", *args]) == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("convpool apply: error: ") and message in last, err
    assert "inhomogeneous" not in err  # NumPy's words, not the user's
    assert not (tmp_path / "convpool-out").exists()


def test_the_script_exits_2_on_a_usage_error(tmp_path):
    proc = run("apply", "anything.png", "--kernel", "blurry", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("usage: convpool apply ")
    assert "convpool apply: error: argument -k/--kernel: unknown kernel 'blurry'" in proc.stderr


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["apply", "a.png", "--nosuch"], "usage: convpool apply "),
        (["apply", "--nosuch", "a.png"], "usage: convpool apply "),
        (["kernels", "edges", "--nosuch"], "usage: convpool kernels "),
        (["demo", "--nosuch"], "usage: convpool demo "),
    ],
)
def test_an_unknown_option_is_told_with_its_subcommands_usage(tmp_path, argv, usage):
    proc = run(*argv, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(usage), proc.stderr
    assert proc.stderr.splitlines()[-1] == f"convpool {argv[0]}: error: unrecognized arguments: --nosuch"
    assert not (tmp_path / "convpool-out").exists() and not (tmp_path / "convpool-demo").exists()


def test_out_must_be_a_folder(tmp_path, capsys):
    make_photos(tmp_path / "photos")
    assert main(["apply", str(tmp_path / "photos"), "-o", str(tmp_path / "photos" / "good.png")]) == 2
    assert "argument --out:" in capsys.readouterr().err


# ---------------------------------------------------------------- nothing half-written


def failing_save(exc: BaseException, after: int = 0):
    """A stand-in for Image.save that writes part of the file, then fails with ``exc``."""
    real = Image.Image.save
    calls = []

    def save(self, fp, format=None, **params):
        calls.append(fp)
        if len(calls) <= after:
            return real(self, fp, format, **params)
        fp.write(b"\x89PNG\r\n\x1a\n half an image")
        raise exc

    return save


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch, capsys, workers):
    make_photos(tmp_path / "photos")
    for i in range(3):
        Image.fromarray(np.full((10, 10), i, np.uint8)).save(tmp_path / "photos" / f"more{i}.png")
    monkeypatch.setattr(Image.Image, "save", failing_save(OSError(28, "No space left on device")))
    out = tmp_path / "o"
    assert main(["apply", str(tmp_path / "photos"), "-o", str(out), "-j", workers]) == 1
    err = capsys.readouterr().err
    assert f"{out / 'good.edges.png'}: cannot write (No space left on device)" in err
    assert files_in(out) == []


def test_ctrl_c_leaves_only_whole_images(tmp_path, monkeypatch, capsys):
    make_photos(tmp_path / "photos")
    for i in range(3):
        Image.fromarray(np.full((10, 10), i, np.uint8)).save(tmp_path / "photos" / f"more{i}.png")
    monkeypatch.setattr(Image.Image, "save", failing_save(KeyboardInterrupt(), after=1))
    out = tmp_path / "o"
    assert main(["apply", str(tmp_path / "photos"), "-o", str(out)]) == 130
    assert "interrupted: 1 of 6 images written, no partial files left" in capsys.readouterr().err
    assert files_in(out) == ["good.edges.png"]
    assert pixels(out / "good.edges.png").shape == (64, 80)


def test_ctrl_c_in_the_demo_leaves_no_partial_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(Image.Image, "save", failing_save(KeyboardInterrupt(), after=2))
    assert main(["demo", "--out", str(tmp_path)]) == 130
    assert files_in(tmp_path) == ["ascent.png", "edges.png"]
    assert "interrupted" in capsys.readouterr().err


# ---------------------------------------------------------------- kernels and docs


def test_kernels_lists_every_name_matrix_and_weight(capsys):
    assert main(["kernels"]) == 0
    out = capsys.readouterr().out
    for name, k in kernels.KERNELS.items():
        assert f"\n{name}  ({k.shape[0]} x {k.shape[1]}, weight " in out
    assert "box_blur  (3 x 3, weight 1/9)\n    1  1  1\n" in out
    assert "gaussian_5x5  (5 x 5, weight 1/256)\n     1   4   6   4   1\n" in out


def test_kernels_unknown_name_is_a_usage_error(capsys):
    assert main(["kernels", "sobel", "edges"]) == 2
    assert "convpool kernels: error: unknown kernel 'sobel'; valid names: edges" in capsys.readouterr().err


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """The subcommands' parsers by name."""
    parser = build_parser()
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def synopsis(parser: argparse.ArgumentParser) -> str:
    """A subcommand's arguments as the command-line page writes them: the positional ones
    first, then each option by its long name, with its choices joined by ``|``."""
    words = [parser.prog]
    for action in sorted(parser._actions, key=lambda action: bool(action.option_strings)):
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:
            words.append({"+": "{}...", "*": "[{}...]"}.get(action.nargs, "{}").format(action.metavar))
        elif action.nargs == 0:
            words.append(f"[{action.option_strings[-1]}]")
        else:
            value = "|".join(action.choices) if action.choices else action.metavar
            words.append(f"[{action.option_strings[-1]} {value}]")
    return " ".join(words)


def test_the_cli_page_gives_every_argument_as_the_parser_has_it():
    cli_page_commands()  # skips where docs/ is not here
    page = CLI_PAGE.read_text(encoding="utf-8")
    text = " ".join(page.split())
    parsers = subcommands()
    assert set(parsers) == {"demo", "apply", "kernels"}
    for parser in parsers.values():
        assert f"``{synopsis(parser)}``" in text, f"the page lacks ``{synopsis(parser)}``"
    known = {option for parser in parsers.values() for a in parser._actions for option in a.option_strings}
    # The options the examples use and the prose names as ``--option``.
    mentioned = set(re.findall(r"``(--?[a-z][a-z-]*)", page))
    mentioned |= {word.split("=")[0] for argv in cli_page_commands() for word in argv if re.match(r"-+[a-z]", word)}
    assert mentioned and mentioned <= known | {"--help", "--version"}, mentioned - known
    pattern = r"STEM\.KERNEL[\w.\[\]]*\.png"
    assert re.findall(pattern, page) == re.findall(pattern, NAMING_HELP)


def test_the_cli_pages_examples_are_valid_commands():
    commands = cli_page_commands()
    assert len(commands) >= 5 and commands[0] == ["demo"]
    parser = build_parser()
    for argv in commands:
        args = parser.parse_args(glue_dash_values(argv))
        assert args.command in ("demo", "apply", "kernels")
