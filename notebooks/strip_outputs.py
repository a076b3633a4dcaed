"""Keep the committed notebooks small: drop heavy outputs, optionally after running them.

Usage (from the repository root)::

    python notebooks/strip_outputs.py --execute     # run every notebook, then strip and save it
    python notebooks/strip_outputs.py               # only strip the outputs already saved
    python notebooks/strip_outputs.py --check       # exit 1 if a notebook still has a heavy output

Rules: the outputs of a cell tagged ``strip-output`` (interactive maps) are always dropped; any
other output larger than :data:`MAX_OUTPUT_BYTES` (:data:`MAX_IMAGE_BYTES` for a PNG/JPEG
image) is dropped too. A dropped output is replaced by a one-line note, so a reader of the
committed notebook knows that running the cell shows more.

``--execute`` runs each notebook with a Jupyter kernel (``python3``) in the ``notebooks/``
folder, exactly as ``tests/test_notebooks.py`` does. Exported files go to a temporary folder
(``INO_GEO_NOTEBOOK_OUTPUT``), never into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat

__all__ = [
    "MAX_OUTPUT_BYTES",
    "MAX_IMAGE_BYTES",
    "STRIP_TAG",
    "OUTPUT_ENV",
    "output_size",
    "is_heavy",
    "strip_notebook",
    "execute_notebook",
    "main",
]

MAX_OUTPUT_BYTES = 50_000
MAX_IMAGE_BYTES = 100_000
STRIP_TAG = "strip-output"
OUTPUT_ENV = "INO_GEO_NOTEBOOK_OUTPUT"
NOTEBOOK_DIR = Path(__file__).resolve().parent
IMAGE_MIMES = ("image/png", "image/jpeg")


def output_size(output: dict) -> int:
    """Bytes the output takes in the .ipynb file (its JSON form)."""
    return len(json.dumps(output, ensure_ascii=False).encode("utf-8"))


def is_heavy(output: dict) -> bool:
    """True if the output is over the limit: images over MAX_IMAGE_BYTES, anything else over MAX_OUTPUT_BYTES."""
    data = output.get("data", {})
    if any(m in data for m in IMAGE_MIMES):
        return output_size(output) > MAX_IMAGE_BYTES
    return output_size(output) > MAX_OUTPUT_BYTES


def _note(size: int, reason: str) -> dict:
    text = f"(output of {size / 1000:.0f} kB not stored in the repository: {reason}; run the cell to see it)"
    return nbformat.v4.new_output(
        "display_data", data={"text/plain": text}, metadata={"ino_geo": {"stripped": True}}
    )


def strip_notebook(nb) -> list[str]:
    """Drop heavy outputs of `nb` in place; return one message per dropped output."""
    messages = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tagged = STRIP_TAG in cell.get("metadata", {}).get("tags", [])
        kept = []
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("ino_geo", {}).get("stripped"):
                kept.append(output)
                continue
            size = output_size(output)
            if tagged or is_heavy(output):
                reason = f"cell tagged {STRIP_TAG}" if tagged else "too large"
                kept.append(_note(size, reason))
                messages.append(f"cell {index}: dropped {output.get('output_type')} of {size} bytes ({reason})")
            else:
                kept.append(output)
        cell.outputs = kept
    nb.metadata.pop("widgets", None)
    return messages


def execute_notebook(path: Path, output_dir: Path | None = None, timeout: int = 600):
    """Run the notebook at `path` (kernel python3, cwd its folder); return the executed notebook.

    Exports of the notebooks go to `output_dir` (default: a temporary folder, removed afterwards),
    passed to the kernel in the environment variable :data:`OUTPUT_ENV`.
    """
    from nbclient import NotebookClient

    if output_dir is None:
        with tempfile.TemporaryDirectory(prefix="ino_geo_nb_") as tmp:
            return execute_notebook(path, Path(tmp), timeout)
    nb = nbformat.read(path, as_version=4)
    old = os.environ.get(OUTPUT_ENV)
    os.environ[OUTPUT_ENV] = str(output_dir)
    try:
        client = NotebookClient(
            nb, kernel_name="python3", timeout=timeout, resources={"metadata": {"path": str(path.parent)}}
        )
        client.execute()
    finally:
        if old is None:
            os.environ.pop(OUTPUT_ENV, None)
        else:
            os.environ[OUTPUT_ENV] = old
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--execute", action="store_true", help="run each notebook before stripping it")
    parser.add_argument("--check", action="store_true", help="report heavy outputs, change nothing")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    status = 0
    for path in paths:
        if args.execute:
            print(f"{path.name}: executing", file=sys.stderr)
            nb = execute_notebook(path.resolve())
        else:
            nb = nbformat.read(path, as_version=4)
        messages = strip_notebook(nb)
        for message in messages:
            print(f"{path.name}: {message}", file=sys.stderr)
        if args.check:
            status |= bool(messages)
            continue
        nbformat.write(nb, path)
        print(f"{path.name}: {path.stat().st_size} bytes", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
