"""The ``convpool`` argument parser: subcommands, options, help texts and examples."""

from __future__ import annotations

import argparse

from .. import __version__, _validate, kernels
from ._args import kernel_arg, pool_arg, positive_int, weight_arg, workers_arg
from ._io import default_max_pixels
from ._naming import NAMING_HELP

_FORMATTER = argparse.RawDescriptionHelpFormatter


def _examples(*lines: str) -> str:
    """An "examples:" block with the ``# comments`` lined up."""
    split = [[part.strip() for part in line.partition("#")[::2]] for line in lines]
    width = max((len(command) for command, comment in split if comment), default=0)
    rows = [f"  {command:<{width}}  # {comment}" if comment else f"  {command}" for command, comment in split]
    return "examples:\n" + "\n".join(rows)


def build_parser() -> argparse.ArgumentParser:
    """The parser of the ``convpool`` command; each subparser is its namespace's ``parser``."""
    parser = argparse.ArgumentParser(
        prog="convpool",
        description=(
            'Feature maps and max pooling, exactly as the codelab "Build convolutions and '
            'perform pooling" computes them, fast.'
        ),
        epilog=_examples(
            "convpool demo                 # the codelab on the bundled image, into ./convpool-demo",
            "convpool apply photos/ --kernel vertical_lines --pool 2",
            "convpool kernels              # the named kernels and their matrices",
            "convpool COMMAND --help       # more about a command",
        )
        + "\n\nexit status: 0 done, 1 some files failed, 2 usage error, 130 interrupted (Ctrl-C), 143 terminated",
        formatter_class=_FORMATTER,
    )
    parser.add_argument("--version", action="version", version=f"convpool {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="the codelab's three filters and 2x2 max pooling on the bundled ascent image",
        description=(
            "Run the codelab on the bundled 512 x 512 ascent image, no network needed: its\n"
            "three filters (edges, horizontal lines, vertical lines) make three feature maps,\n"
            "2x2 max pooling makes three 256 x 256 maps; all are written as PNG files, with\n"
            "overview.png showing them side by side. Prints what it wrote and the timings.\n\n"
            "The filters are applied as written in (row, column) order, so 'vertical lines'\n"
            "shows vertical lines; the codelab's own loop applies them transposed."
        ),
        epilog=_examples(
            "convpool demo                      # writes into a new folder ./convpool-demo",
            "convpool demo --out maps           # into ./maps (created if needed)",
            "convpool demo --codelab-loop       # also time the codelab's Python loop",
        ),
        formatter_class=_FORMATTER,
    )
    demo.add_argument(
        "-o",
        "--out",
        metavar="DIR",
        help="folder to write into (default: a new folder ./convpool-demo, or -2, -3, ... if taken)",
    )
    demo.add_argument("--overwrite", action="store_true", help="replace files of an earlier demo in --out")
    demo.add_argument(
        "--codelab-loop",
        action="store_true",
        help="also run and time the codelab's Python loop for one 3x3 pass (about a second)",
    )

    apply = sub.add_parser(
        "apply",
        help="a kernel (and max pooling) over your images, files and folders",
        description=(
            "Pass a kernel over images and write the feature maps as images. INPUT is a file\n"
            "or a folder (its files named as images Pillow reads: PNG, JPEG, TIFF, BMP, ...;\n"
            "sub-folders are listed, not entered). Images are turned upright by their EXIF\n"
            "orientation. A file name that starts with '-' goes after '--', which ends the\n"
            "options. Files of several frames (GIF, multi-page TIFF) give their first frame,\n"
            "with a warning naming the file.\n\n"
            "By default an output keeps its input's kind:\n"
            "  8-bit (greyscale, RGB, palette, ...; converted to 8-bit greyscale as in the\n"
            "    codelab): an 8-bit PNG, results clamped to 0..255 (the codelab's);\n"
            "  16-bit greyscale (16-bit PNG or TIFF): a 16-bit PNG, clamped to 0..65535;\n"
            "  float greyscale (32-bit float TIFF): a 32-bit float TIFF (.tif), exact values;\n"
            "  32-bit integer greyscale (and signed 16-bit): a 32-bit float TIFF too, exact\n"
            "    up to 2**24 = 16777216 in size, beyond that rounded to float32's 24 bits.\n"
            "--color filters R, G, B apart, in 8 bits (Pillow's RGB): an 8-bit colour PNG;\n"
            "16-bit, float and 32-bit integer images are first stretched, their min..max onto\n"
            "0..255 as --scale stretches results, with a line on stderr saying so.\n"
            "--dtype uint8, uint16 or float32 chooses the results' type instead: the filter's\n"
            "results on the values as read, clamped to 0..255 or 0..65535 (PNG), or as they\n"
            "are (float32, .tif: negative responses kept, for analysis); no value is\n"
            "rescaled. --scale instead writes an 8-bit PNG with the float32 results' finite\n"
            "min..max stretched to 0..255, for viewing any kind (NaN and -inf become 0, +inf\n"
            "255, and a line on stderr says how many there were).\n\n"
            f"{NAMING_HELP}\n\n"
            "Each file is written whole or not at all (a temporary file .convpool-XXXXXXXX.part\n"
            "in --out takes the output's name only when complete; those that killed runs left\n"
            "are removed by the next run there), never over an input, and not over any file\n"
            "of the output's name, however new, without --overwrite. A file that fails, for\n"
            "whatever reason, is told on one line and the others go on; the last line counts\n"
            "the failures and the exit status is 1, even when stdout was closed early (| head).\n"
            "Ctrl-C or SIGTERM lets the files in progress finish and starts no others; the last\n"
            "line counts the images written, the exit status is 130 or 143. File names are\n"
            "printed with unprintable characters escaped (\\n, \\x1b; \\xff for a byte that is\n"
            "not UTF-8); an output name longer than the file system allows (usually 255 bytes)\n"
            "fails its file, naming the limit. Sizes are printed as rows x columns (height x\n"
            "width), like NumPy shapes."
        ),
        epilog=_examples(
            "convpool apply photo.jpg                                # edges -> convpool-out/photo.edges.png",
            "convpool apply photos/ -k sobel_vertical --pool 2 -o maps",
            'convpool apply photo.jpg --kernel "-1,0,1;-2,0,2;-1,0,1"',
            'convpool apply photo.jpg -k "1,1,1;1,1,1;1,1,1" --weight 1/9',
            "convpool apply scans/ -k laplacian --dtype float32     # exact values, .tif",
            "convpool apply photo.jpg -k sobel_horizontal --scale  # both signs, viewable",
            "convpool apply photos/ --color --workers 4",
            "convpool apply -k laplacian -- -scan.png                # a name that starts with '-'",
        ),
        formatter_class=_FORMATTER,
    )
    apply.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="image files and folders of images (after -- if one starts with -)"
    )
    apply.add_argument(
        "-k",
        "--kernel",
        type=kernel_arg,
        default=kernels.EDGES,
        metavar="NAME|MATRIX",
        help="a name from 'convpool kernels' (default: edges) or a matrix, rows split by ';' "
        "and entries by ',': \"-1,0,1;-2,0,2;-1,0,1\"",
    )
    apply.add_argument(
        "-w",
        "--weight",
        type=weight_arg,
        metavar="W",
        help="multiplies the sum, e.g. 0.5 or 1/9 (default: the named kernel's weight, else 1)",
    )
    apply.add_argument(
        "--mode",
        choices=_validate.MODES,
        default="keep",
        help="keep: the image's size, margin as in the input (the codelab's; default); "
        "valid: only the pixels the kernel covers; reflect, mirror, nearest, constant (0), "
        "wrap: SciPy's border modes, every pixel computed; grid-mirror, grid-constant, grid-wrap: "
        "SciPy's other names for reflect, constant, wrap",
    )
    apply.add_argument("--pool", type=pool_arg, metavar="N", help="then N x N max pooling (the codelab's: 2)")
    apply.add_argument(
        "--dtype",
        choices=("uint8", "uint16", "float32"),
        help="uint8: clamped to 0..255, 8-bit PNG; uint16: clamped to 0..65535, 16-bit PNG; "
        "float32: exact values, 32-bit float TIFF (default: the input's kind, see above)",
    )
    apply.add_argument(
        "--scale",
        action="store_true",
        help="write float32 results as 8-bit PNG, the finite values' min..max stretched to 0..255 "
        "(implies --dtype float32)",
    )
    apply.add_argument(
        "--color",
        action="store_true",
        help="filter each colour channel instead of greyscale, in 8 bits (16-bit and float images stretched "
        "min..max onto 0..255)",
    )
    apply.add_argument(
        "-o",
        "--out",
        metavar="DIR",
        default="convpool-out",
        help="folder for the results, created if needed (default: ./convpool-out)",
    )
    apply.add_argument(
        "-j",
        "--workers",
        type=workers_arg,
        default=1,
        metavar="N",
        help="files processed in parallel (-1: one per core; default 1)",
    )
    limit = default_max_pixels()
    apply.add_argument(
        "--max-pixels",
        type=positive_int,
        metavar="N",
        help="refuse images of more than N pixels before decoding them (default: "
        + ("no limit" if limit is None else f"{limit}, Pillow's guard against decompression bombs")
        + ")",
    )
    apply.add_argument("--overwrite", action="store_true", help="replace existing outputs (never inputs)")
    apply.add_argument("-q", "--quiet", action="store_true", help="print only errors and the failure summary")

    listing = sub.add_parser(
        "kernels",
        help="list the named kernels with their matrices and weights",
        description="List the named kernels for 'convpool apply --kernel': matrix, weight, what each finds.",
        epilog=_examples("convpool kernels", "convpool kernels sobel_vertical gaussian_5x5"),
        formatter_class=_FORMATTER,
    )
    listing.add_argument("names", nargs="*", metavar="NAME", help="only these kernels")
    for command in (demo, apply, listing):
        command.set_defaults(parser=command)
    return parser
