"""The gallery's heatmaps: every number printed on a cell reads against it (WCAG's
contrast of at least 4.5:1), black on light cells and white on dark ones."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

pytestmark = pytest.mark.skipif(not (DOCS / "_ext").is_dir(), reason="docs/ comes with a clone")


def luminance(rgba) -> float:
    rgb = np.asarray(rgba[:3], dtype=float)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a, b) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def examples(tmp_path: Path) -> list[Path]:
    """The hand-written gallery examples and the kernel pages the docs build writes."""
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import convpool_docs
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    convpool_docs.kernel_examples(tmp_path)
    return sorted((DOCS / "examples").glob("plot_*.py")) + sorted(tmp_path.glob("plot_*.py"))


def test_heatmap_numbers_read_on_their_cells(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plt, "show", lambda: None)
    checked = 0
    for path in examples(tmp_path):
        monkeypatch.chdir(path.parent)
        runpy.run_path(str(path), run_name="__main__")
        for number in plt.get_fignums():
            for ax in plt.figure(number).axes:
                if not ax.texts or not ax.images:
                    continue
                (cells,) = ax.images
                values = cells.get_array()
                for text in ax.texts:
                    j, i = (round(v) for v in text.get_position())
                    cell = cells.cmap(cells.norm(values[i, j]))
                    ratio = contrast(mcolors.to_rgba(text.get_color()), cell)
                    assert ratio >= 4.5, f"{path.name}: {text.get_text()!r} at {ratio:.1f}:1 on its cell"
                    checked += 1
        plt.close("all")
    assert checked > 17 * 9
