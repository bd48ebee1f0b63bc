"""The codelab notebook (docs/codelab.ipynb) runs from top to bottom, and is stored clean.

The repository keeps it without outputs; the documentation build runs it again to show
its pictures. nbclient, ipykernel and matplotlib come with the ``test`` extra (not
``test-core``: platforms without their wheels skip this file).
"""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "codelab.ipynb"
pytestmark = pytest.mark.skipif(not NOTEBOOK.exists(), reason="docs/ is not here (a source distribution)")


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline: pictures as outputs
    nb = nbformat.read(NOTEBOOK, as_version=4)
    resources = {"metadata": {"path": str(tmp_path)}}  # the folder the kernel runs in
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources=resources)
    client.execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "x faster" in printed  # the codelab loop's cell ran to its comparison
    pictures = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(pictures) >= 4
