"""The analysts' notebooks: each one runs with a real Jupyter kernel, the committed files stay small
and use only the public ``ino_geo`` namespace.

Execution: nbclient, kernel ``python3``, working directory ``notebooks/``, the repository root on
``PYTHONPATH`` (the kernel tests this checkout's ``ino_geo``), exports into ``tmp_path`` through
``INO_GEO_NOTEBOOK_OUTPUT``. Nothing may be written into ``notebooks/``.

To refresh the committed outputs after a change: ``python notebooks/strip_outputs.py --execute``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
REQUIRED = ["01_layers.ipynb", "02_coverage.ipynb", "03_proximity_network.ipynb", "04_web_maps.ipynb"]

MAX_NOTEBOOK_BYTES = 500_000
MAX_OUTPUT_BYTES = 100_000
PRIVATE = re.compile(r"\bfrom\s+ino_geo\.|\bimport\s+ino_geo\.|\bino_geo\._")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
OUTPUT_ENV = "INO_GEO_NOTEBOOK_OUTPUT"

pytestmark = pytest.mark.notebook

ids = [p.name for p in NOTEBOOKS]


def _output_bytes(output) -> int:
    return len(json.dumps(output, ensure_ascii=False).encode("utf-8"))


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def _strip_module():
    spec = importlib.util.spec_from_file_location("ino_geo_strip_outputs", NOTEBOOK_DIR / "strip_outputs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_four_notebooks_exist():
    missing = [name for name in REQUIRED if not (NOTEBOOK_DIR / name).is_file()]
    assert not missing, f"missing notebooks: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_committed_notebook_is_small(path):
    size = path.stat().st_size
    assert size < MAX_NOTEBOOK_BYTES, f"{path.name}: {size} bytes (limit {MAX_NOTEBOOK_BYTES}); run notebooks/strip_outputs.py"
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            n = _output_bytes(output)
            assert n < MAX_OUTPUT_BYTES, f"{path.name}: cell {index} has an output of {n} bytes (limit {MAX_OUTPUT_BYTES})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_uses_only_the_public_namespace(path):
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any(re.search(r"^import ino_geo$", src, re.M) for src in code), f"{path.name}: no `import ino_geo`"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            hit = PRIVATE.search(cell.source)
            assert hit is None, f"{path.name}: cell {index} uses a private import or name: {hit.group(0)!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_opens_with_a_question_and_closes_with_a_computed_answer(path):
    nb = nbformat.read(path, as_version=4)
    first, last = nb.cells[0], nb.cells[-1]
    assert first.cell_type == "markdown" and "?" in first.source, f"{path.name}: first cell must state the question"
    assert last.cell_type == "code" and "Markdown(" in last.source, (
        f"{path.name}: the last cell must build the answer from the results and display it as Markdown"
    )
    answers = [o for o in last.get("outputs", []) if "text/markdown" in o.get("data", {})]
    assert answers, f"{path.name}: the committed notebook has no answer output; run notebooks/strip_outputs.py --execute"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_runs(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    monkeypatch.setenv(OUTPUT_ENV, str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    before = _snapshot(NOTEBOOK_DIR)

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    failure = None
    try:
        client.execute()
    except CellExecutionError as exc:  # reported below, outside the handler: no chained kernel traceback
        failure = ANSI.sub("", str(exc))
    if failure is not None:
        failed = [
            (i, c, o) for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if o.get("output_type") == "error"
        ]
        if not failed:
            pytest.fail(f"{path.name}: {failure}", pytrace=False)
        index, cell, error = failed[0]
        tb = ANSI.sub("", "\n".join(error.get("traceback", [])[-6:]))
        pytest.fail(
            f"{path.name}: cell {index} failed with {error['ename']}: {error['evalue']}\n"
            f"--- cell source ---\n{cell.source}\n--- traceback (end) ---\n{tb}",
            pytrace=False,
        )

    answer = [o for o in nb.cells[-1].get("outputs", []) if "text/markdown" in o.get("data", {})]
    assert answer and "**Answer.**" in answer[0]["data"]["text/markdown"], f"{path.name}: no answer displayed"
    after = _snapshot(NOTEBOOK_DIR)
    assert after == before, f"{path.name}: running it changed notebooks/: {sorted(set(after.items()) ^ set(before.items()))}"


def test_strip_outputs_drops_tagged_and_heavy_outputs_only():
    strip = _strip_module()
    text = lambda n: nbformat.v4.new_output("display_data", data={"text/plain": "x" * n})  # noqa: E731
    image = lambda n: nbformat.v4.new_output("display_data", data={"image/png": "A" * n, "text/plain": "<Figure>"})  # noqa: E731
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("small", outputs=[text(100)]),
            nbformat.v4.new_code_cell("big text", outputs=[text(60_000)]),
            nbformat.v4.new_code_cell("image under 100 kB", outputs=[image(80_000)]),
            nbformat.v4.new_code_cell("image over 100 kB", outputs=[image(120_000)]),
            nbformat.v4.new_code_cell("tagged", outputs=[text(10)], metadata={"tags": [strip.STRIP_TAG]}),
            nbformat.v4.new_markdown_cell("text"),
        ]
    )
    messages = strip.strip_notebook(nb)
    assert len(messages) == 3
    kept = [c.outputs[0]["data"] for c in nb.cells[:5]]
    assert kept[0]["text/plain"] == "x" * 100
    assert "image/png" in kept[2]
    for dropped in (kept[1], kept[3], kept[4]):
        assert set(dropped) == {"text/plain"} and "not stored in the repository" in dropped["text/plain"]
    assert strip.strip_notebook(nb) == []  # idempotent: the notes themselves are kept
