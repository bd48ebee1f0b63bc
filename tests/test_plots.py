"""The benchmark plots (bench/plots.py, which the performance page draws with): every bar
has a label of its own, drawn in full, and a bar is green only where convpool is at least
as fast as the peer and misses no target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = sorted((BENCH / "results").glob("*.json"))

pytestmark = pytest.mark.skipif(not (BENCH / "plots.py").is_file(), reason="bench/ comes with a clone")
GREEN, ORANGE, RED = "tab:green", "tab:orange", "tab:red"


@pytest.fixture
def drawn(monkeypatch):
    """``draw(doc, plot="ratios")``: a plot's figure of a results document, laid out as saved."""
    pytest.importorskip("matplotlib")
    monkeypatch.syspath_prepend(str(BENCH))
    import matplotlib.pyplot as plt
    import plots

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig) or Path(path))

    def draw(doc: dict, plot: str = "ratios"):
        getattr(plots, plot)(doc, "unused.png")
        fig = figures[-1]
        fig.canvas.draw()
        return fig

    yield draw
    for fig in figures:
        plt.close(fig)


def row(case: str, ratio: float, target: float | None, kernel: int = 3, size: int = 2048,
        peer: str = "cv2.filter2D") -> dict:
    return {"group": "conv", "case": case, "family": case, "size": size, "kernel": kernel, "dtype": "uint8",
            "peer": peer, "target": target, "ratio": ratio, "ratios": {peer: ratio}, "times": {}}


def bars(fig) -> list[tuple[float, tuple[float, ...]]]:
    """(ratio, face colour) of each bar, top to bottom."""
    (ax,) = [a for a in fig.axes if a.get_yticklabels()]
    return [(p.get_width(), tuple(p.get_facecolor())) for p in ax.patches]


@pytest.mark.skipif(not RESULTS, reason="no committed results")
@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.name)
def test_committed_results_have_full_unique_labels(drawn, path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = [r for r in doc["rows"] if r.get("peer")]
    fig = drawn(doc)
    (ax,) = [a for a in fig.axes if a.get_yticklabels()]
    texts = [t.get_text() for t in ax.get_yticklabels()]
    assert len(texts) == len(rows) and len(set(texts)) == len(texts), "two bars share a label"
    for text, r in zip(texts, rows, strict=True):
        assert r["case"] in text and str(r["size"]) in text and r["peer"] in text, text
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    for artist in [*ax.get_yticklabels(), ax.xaxis.label, *fig.texts]:
        box = artist.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height, artist.get_text()


@pytest.mark.skipif(not RESULTS, reason="no committed results")
@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.name)
def test_committed_results_never_draw_a_slower_bar_green(drawn, path):
    import matplotlib.colors as mcolors

    fig = drawn(json.loads(path.read_text(encoding="utf-8")))
    for ratio, colour in bars(fig):
        if ratio > 1:
            assert colour != mcolors.to_rgba(GREEN), ratio


def test_bar_colours_say_faster_slower_or_missed(drawn):
    import matplotlib.colors as mcolors

    rows = [
        row("2x2 max pooling", 1.42, None, peer="np.copyto (floor)"),  # slower, no target
        row("3x3 avg_pool", 1.1, 1.5),  # slower, within its target
        row("3x3 integer", 0.65, 0.4),  # faster, target missed
        row("5x5 integer", 0.5, 1.0),
        row("7x7 float", 1.0, None),  # as fast: not slower
        row("call overhead", 2.45, 2.0, size=32),
    ]
    fig = drawn({"machine": {}, "rows": rows})
    expected = [ORANGE, ORANGE, RED, GREEN, GREEN, RED]
    assert bars(fig) == [(r["ratio"], mcolors.to_rgba(c)) for r, c in zip(rows, expected, strict=True)]


def test_rows_of_one_case_are_told_apart_by_their_width(drawn):
    case = "3x3 .. 9x9 random integer kernel, uint8"
    rows = [row(case, 0.4, 0.7, kernel=k, peer="pyvips conv") for k in (5, 7, 9)] + [row("9x9 box", 0.6, 1.0, kernel=9)]
    fig = drawn({"machine": {}, "rows": rows})
    (ax,) = [a for a in fig.axes if a.get_yticklabels()]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        f"{case}: 5x5 (2048) vs pyvips conv", f"{case}: 7x7 (2048) vs pyvips conv",
        f"{case}: 9x9 (2048) vs pyvips conv", "9x9 box (2048) vs cv2.filter2D",
    ]


@pytest.mark.skipif(not (BENCH / "results" / "conv.json").is_file(), reason="no committed conv.json")
def test_each_contender_has_one_colour_in_every_panel(drawn):
    fig = drawn(json.loads((BENCH / "results" / "conv.json").read_text(encoding="utf-8")), "time_vs_kernel")
    (legend,) = fig.legends
    colour = {t.get_text(): line.get_color() for t, line in zip(legend.get_texts(), legend.get_lines(), strict=True)}
    assert colour["convpool"] and len(set(colour.values())) == len(colour)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(panels) > 1
    for ax in panels:
        for line in ax.lines:
            assert line.get_color() == colour[line.get_label()], (ax.get_title(), line.get_label())
