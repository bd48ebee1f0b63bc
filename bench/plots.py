"""Plots of the bench results (``bench/results/NAME.json``, format in ``_measure.py``).

    python bench/plots.py bench/results/conv.json   # writes bench/results/conv.png

Two kinds of plot, chosen by the rows: rows with a ``family`` whose members differ in
``kernel`` give *time against kernel size* (one panel per family and image size, one line
per contender); the other rows give *ratios*: one bar per row, convpool / the row's peer,
with the target marked. The documentation draws its performance figures with the same
functions.

Every bar has a label of its own, in full (:func:`labels`), and its colour says one
thing (:func:`verdict`): green only where convpool takes at most the peer's time and
misses no target, orange where it is slower than the peer without missing a target,
red where it misses its target.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Patch


def load(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


def series(rows: list[dict]) -> dict[tuple[str, int], list[dict]]:
    """Rows grouped by (family, size), kept where the family spans several kernel sizes."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in rows:
        if r.get("family") and r.get("kernel") is not None:
            groups[(r["family"], r["size"])].append(r)
    return {k: sorted(v, key=lambda r: r["kernel"]) for k, v in groups.items() if len({r["kernel"] for r in v}) > 1}


def time_vs_kernel(doc: dict, path: str | Path) -> Path | None:
    """One panel per (family, size): milliseconds against kernel width, per contender,
    each contender in one colour in every panel, named once in a legend below them."""
    groups = series(doc["rows"])
    if not groups:
        return None
    n = len(groups)
    cols = min(n, 3)
    rows = -(-n // cols)
    contenders = sorted({name for members in groups.values() for r in members for name in r["times"]},
                        key=lambda s: (s != "convpool", s))
    colours = {name: f"C{i % 10}" for i, name in enumerate(contenders)}
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows + 0.6), squeeze=False)
    for ax, ((family, size), members) in zip(axes.flat, sorted(groups.items()), strict=False):
        for name in contenders:
            pts = [(r["kernel"], r["times"][name] * 1e3) for r in members if name in r["times"]]
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", color=colours[name],
                        lw=2.5 if name == "convpool" else 1.2, label=name)
        ax.set_title(f"{family}, {size} x {size}", fontsize=9)
        ax.set_xticks(sorted({r["kernel"] for r in members}))
        ax.set_xlabel("window width" if members[0].get("group") == "pool" else "kernel width")
        ax.set_ylabel("ms per call (one thread)")
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles = [Line2D([], [], marker="o", color=colours[name], lw=2.5 if name == "convpool" else 1.2, label=name)
               for name in contenders]
    ncol = min(len(contenders), 6)
    fig.legend(handles=handles, loc="lower center", ncol=ncol, fontsize=8, frameon=False)
    fig.suptitle(_machine_line(doc), fontsize=8)
    # Room at the bottom for the legend's rows (about a third of an inch each).
    fig.tight_layout(rect=(0, 0.35 * -(-len(contenders) // ncol) / fig.get_figheight(), 1, 1))
    return _save(fig, path)


#: What each bar colour means (:func:`verdict`), as the plot's legend says it.
VERDICTS = {
    "faster": ("tab:green", "as fast as the peer or faster, no target missed"),
    "slower": ("tab:orange", "slower than the peer, no target missed"),
    "missed": ("tab:red", "target missed"),
}


def verdict(row: dict) -> str:
    """A key of :data:`VERDICTS`: ``"missed"`` above the row's target, else ``"faster"``
    at a ratio of at most 1 and ``"slower"`` above it (above 1 convpool is slower, whether
    or not a target allows it)."""
    if row.get("target") is not None and row["ratio"] > row["target"]:
        return "missed"
    return "faster" if row["ratio"] <= 1 else "slower"


def labels(rows: list[dict]) -> list[str]:
    """One label per row: its case, the kernel (or window) width where rows of that case
    differ in it, the image size and the peer."""
    widths = defaultdict(set)
    for r in rows:
        widths[r["case"]].add(r.get("kernel"))
    out = []
    for r in rows:
        k = r.get("kernel")
        width = f": {k}x{k}" if k is not None and len(widths[r["case"]]) > 1 else ""
        out.append(f"{r['case']}{width} ({r['size']}) vs {r['peer']}")
    return out


def ratios(doc: dict, path: str | Path) -> Path | None:
    """One bar per row: convpool / the row's peer (below 1: convpool faster), target marked,
    coloured by :func:`verdict`."""
    rows = [r for r in doc["rows"] if r.get("peer")]
    if not rows:
        return None
    names = labels(rows)
    # Wide enough for the longest label at 7 points (about 0.06 inch a character).
    fig, ax = plt.subplots(figsize=(5 + 0.06 * max(map(len, names)), 0.28 * len(rows) + 1.8))
    y = range(len(rows))
    ax.barh(y, [r["ratio"] for r in rows], color=[VERDICTS[verdict(r)][0] for r in rows])
    for i, r in enumerate(rows):
        if r.get("target") is not None:
            ax.plot([r["target"]] * 2, [i - 0.4, i + 0.4], color="k", lw=1.5)
    ax.axvline(1.0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(list(y), names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("convpool time / peer time (below 1: convpool faster; black tick: target)")
    handles = [Patch(color=colour, label=text) for colour, text in VERDICTS.values()]
    ax.legend(handles=handles, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    fig.suptitle(_machine_line(doc), fontsize=8)
    fig.tight_layout()
    return _save(fig, path)


def _machine_line(doc: dict) -> str:
    m = doc.get("machine", {})
    return (
        f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores, convpool {m.get('convpool', '?')} "
        f"({m.get('convpool build', '?')} build), {doc.get('date', '')}"
    )


def _save(fig: plt.Figure, path: str | Path) -> Path:
    path = Path(path)
    fig.savefig(path, dpi=110, bbox_inches="tight")  # nothing cut off at the edges
    plt.close(fig)
    return path


def draw(result: str | Path, out: str | Path | None = None) -> list[Path]:
    """Every plot a results file supports, next to it (or with ``out`` as the stem)."""
    doc = load(result)
    stem = Path(out) if out else Path(result).with_suffix("")
    made = [time_vs_kernel(doc, f"{stem}.png"), ratios(doc, f"{stem}.ratios.png")]
    return [p for p in made if p is not None]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Draw the plots of bench results files, next to each file.")
    parser.add_argument("results", nargs="+", type=Path, help="results files, e.g. bench/results/conv.json")
    for arg in parser.parse_args().results:
        for p in draw(arg):
            print(p)
