"""What the documentation generates when it builds, before Sphinx reads a page.

- ``examples/kernels/plot_NN_NAME.py``: one gallery example per named kernel of
  :mod:`convpool.kernels` (its matrix and its feature map on ascent), written from one
  template, so a kernel added to convpool gets its page without a copy of the code.
- ``_generated/performance.md``: for every ``bench/results/*.json`` present, what it
  measures, the machine, its tables and its plots, drawn by ``bench/plots.py``
  (the build never runs a benchmark; it reads the committed results).
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
BENCH = ROOT / "bench"
GENERATED = DOCS / "_generated"
KERNEL_EXAMPLES = DOCS / "examples" / "kernels"

# ------------------------------------------------------------------ kernel gallery

KERNEL_TEMPLATE = '''\
"""
{title}
{underline}

{description}

``convpool.kernels.{constant}``, weight {weight}. Left, the matrix in convpool's
(row, column) order, as :func:`convpool.convolve` applies it (row 0 meets the row above
the pixel); right, its feature map on the ascent image: ``uint8``, clamped to 0..255 as in
the codelab, the {margin} margin kept.
"""

from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np

import convpool
from convpool import kernels

kernel = kernels.get("{name}")
image = convpool.data.ascent()
feature_map = convpool.convolve(image, kernel)  # its matrix and its weight
print(kernel.matrix, "weight", kernel.weight)



def ink(cells, value):
    """Black on a light cell, white on a dark one: the cell colour's relative luminance
    (WCAG), above or below the point where both contrast alike."""
    rgb = np.array(cells.cmap(cells.norm(value))[:3])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return "black" if linear @ [0.2126, 0.7152, 0.0722] > 0.179 else "white"


fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4.2), width_ratios=[1, 2])
limit = np.abs(kernel.matrix).max()
cells = left.imshow(kernel.matrix, cmap="RdBu_r", vmin=-limit, vmax=limit)
for (i, j), value in np.ndenumerate(kernel.matrix):
    left.text(j, i, f"{{value:g}}", ha="center", va="center", fontsize=9, color=ink(cells, value))
left.set_title(f"{{kernel.name}}, weight {{Fraction(kernel.weight).limit_denominator(10**6)}}")
left.set_xticks(range(kernel.shape[1]))
left.set_yticks(range(kernel.shape[0]))
right.imshow(feature_map, cmap="gray", vmin=0, vmax=255)
right.set_title("feature map, 512 x 512")
plt.show()
'''


def kernel_examples(folder: Path = KERNEL_EXAMPLES) -> None:
    """Write one gallery example per named kernel into `folder`; remove those of kernels gone."""
    from convpool import kernels

    folder.mkdir(parents=True, exist_ok=True)
    wanted = {}
    for i, (name, k) in enumerate(kernels.KERNELS.items()):
        kh, kw = k.shape
        title = f"``{name}``"
        wanted[f"plot_{i:02d}_{name}.py"] = KERNEL_TEMPLATE.format(
            title=title,
            underline="=" * len(title),
            description=k.description,
            constant=name.upper(),
            weight=Fraction(k.weight).limit_denominator(10**6),
            name=name,
            margin=f"{kh // 2}-pixel" if kh == kw else f"{kh // 2} x {kw // 2}-pixel",
        )
    for old in folder.glob("plot_*.py"):
        if old.name not in wanted:
            old.unlink()
    for filename, text in wanted.items():
        path = folder / filename
        if not path.exists() or path.read_text() != text:  # unchanged files stay unchanged
            path.write_text(text)


# ------------------------------------------------------------------ performance

# Each results file: a title, what it measures, and the script that writes it.
INTROS = {
    "compare": (
        "The codelab's cases against their peers",
        "The codelab's three 3x3 filters, a 5x5 integer kernel and a 7x7 float64 kernel at "
        "512, 2048 and 4096 pixels a side (against ``cv2.filter2D``, ``scipy.ndimage``, NumPy "
        "slices and PyTorch where installed), 2x2 max pooling (against a copy of the image, "
        "``image.max()``, a NumPy expression, scikit-image and PyTorch) and the call overhead "
        "on a 32 x 32 image. Times are medians of repeated calls, one thread; ratios are "
        "convpool / peer from those medians.",
        "bench/compare.py",
    ),
    "conv": (
        "Convolution across kernel sizes and dtypes",
        "Convolution over kernel sizes, image sizes and dtypes, convpool against the fastest "
        "peers, as paired ratios (convpool and the peer timed back to back, many rounds, the "
        "median of the per-round ratios).",
        "bench/conv_space.py",
    ),
    "pool": (
        "Pooling across window sizes, strides and dtypes",
        "Pooling over window sizes, strides, image sizes and dtypes, convpool against a copy "
        "of the image and the fastest peers, as paired ratios.",
        "bench/pool_space.py",
    ),
    "frameworks_conv": (
        "Filter banks against PyTorch",
        "``convpool.conv2d`` against ``torch.nn.functional.conv2d``, float32 in and out, one "
        "thread each: the codelab's three filters as one bank, a batch of small images "
        "through 64 filters, and 16 5x5 filters over 224 x 224 RGB images at stride 1 and 2, "
        "as paired ratios.",
        "bench/frameworks_conv.py",
    ),
    "frameworks_pool": (
        "Pooling options against PyTorch",
        "``max_pool`` with padding and with ``return_indices``, and ``avg_pool`` with padding, "
        "against ``torch.nn.functional.max_pool2d`` and ``avg_pool2d`` over a CNN's feature "
        "maps (float32, 256 x 64 x 26 x 26), one thread each, as paired ratios.",
        "bench/frameworks_pool.py",
    ),
}
ORDER = ["compare", "conv", "pool", "frameworks_conv", "frameworks_pool"]


def _seconds(t: float) -> str:
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.3g} ms"
    return f"{t * 1e6:.3g} µs"


def machine_line(doc: dict) -> str:
    m = doc.get("machine", {})
    parts = [f"{m.get('cpu', '?')}, {m.get('cores', '?')} logical CPUs, {m.get('system', '?')}"]
    versions = [f"{name} {m[key]}" for key, name in
                (("python", "Python"), ("numpy", "NumPy"), ("opencv", "OpenCV"), ("scipy", "SciPy"),
                 ("pyvips", "pyvips")) if m.get(key)]
    parts.append(", ".join(versions))
    parts.append(f"convpool {m.get('convpool', '?')} ({m.get('convpool build', '?')} kernels)")
    return "; ".join(parts) + f"; measured {doc.get('date', '?')}"


def times_table(rows: list[dict]) -> str:
    """Every contender's median time per row, convpool first."""
    names: list[str] = ["convpool"]
    for r in rows:
        names += [n for n in r.get("times", {}) if n not in names]
    lines = ["| case | size | " + " | ".join(names) + " |", "| --- | --- |" + " --- |" * len(names)]
    for r in rows:
        times = r.get("times", {})
        cells = [_seconds(times[n]) if n in times else "" for n in names]
        lines.append(f"| {r['case']} | {r['size']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def performance_page(results: Path = BENCH / "results", generated: Path = GENERATED) -> list[str]:
    """Write ``performance.md`` and its plots into `generated` from every results file in
    `results`; return the results files read."""
    sys.path.insert(0, str(BENCH))
    try:
        import _measure
        import plots
    finally:
        sys.path.remove(str(BENCH))
    generated.mkdir(exist_ok=True)
    for old in generated.glob("*.png"):
        old.unlink()
    files = sorted(results.glob("*.json"),
                   key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else len(ORDER), p.stem))
    out = []
    if not files:
        out.append("No results file in `bench/results/` yet: run the benchmarks (below).\n")
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        name = path.stem
        rows = doc.get("rows", [])
        title, what, script = INTROS.get(name, (f"`bench/results/{path.name}`", "", None))
        out += [f"### {title}", ""] + ([what, ""] if what else [])
        for draw, kind in ((plots.time_vs_kernel, "time against kernel size"), (plots.ratios, "ratios")):
            picture = draw(doc, generated / f"{name}.{draw.__name__}.png")
            if picture is not None:
                out += [f"![{title}: {kind}](/_generated/{picture.name})", ""]
        out += ["convpool / the peer each row's target names (below 1: convpool is faster):", ""]
        out += [_measure.markdown(rows), ""]
        out += ["Median seconds per call of every contender:", "", times_table(rows), ""]
        source = f"`bench/results/{path.name}`" + (f", written by `{script}`" if script else "")
        out += [f"Measured on: {machine_line(doc)}. From {source}.", ""]
    (generated / "performance.md").write_text("\n".join(out), encoding="utf-8")
    return [str(p) for p in files]


def generate(app, config) -> None:
    kernel_examples()
    performance_page()


def setup(app):
    app.connect("config-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
