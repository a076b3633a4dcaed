"""The bad-input catalogue of tests/test_bad_input.py, for ``accessibility`` and ``site-selection``:
broken layers folders and broken files give one line, the right exit code, and leave the
outputs as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_bad_input import (FILE_KINDS, LAYER_CASES, SENTINEL, _file, assert_error, broken_folder, invoke, listing,
                            no_crash)


def commands(out: Path) -> dict[str, tuple[list, Path]]:
    return {
        "accessibility": (["accessibility", "--park-type", "medical", "--distance", "2000", "-o", out / "a.csv",
                           "--overwrite"], out / "a.csv"),
        "accessibility --cells": (["accessibility", "--park-type", "medical", "--distance", "2000", "--cells",
                                   out / "cells.geojson", "--overwrite"], out / "cells.geojson"),
        "site-selection": (["site-selection", "--park-type", "medical", "--new", "1", "--distance", "500", "-o",
                            out / "s.geojson", "--overwrite"], out / "s.geojson"),
    }


@pytest.mark.parametrize("command", list(commands(Path("x"))))
@pytest.mark.parametrize("case", list(LAYER_CASES))
def test_broken_layers_folder(tmp_path, case, command):
    folder = broken_folder(tmp_path, case)
    out = tmp_path / "out"
    out.mkdir()
    args, existing = commands(out)[command]
    existing.write_bytes(SENTINEL)
    before = listing(out)
    r = invoke("--layers", folder, *args)
    assert_error(r, 1, *LAYER_CASES[case][2])
    assert listing(out) == before


FILE_COMMANDS = {
    "accessibility --population": ("population", lambda p, o: ["accessibility", "--park-type", "medical", "--distance",
                                                               "500", "--population", p, "-o", o / "a.csv"]),
    "site-selection --population": ("population", lambda p, o: ["site-selection", "--park-type", "medical", "--new",
                                                                "1", "--distance", "500", "--population", p,
                                                                "-o", o / "s.geojson"]),
    "site-selection --candidates": ("parks", lambda p, o: ["site-selection", "--park-type", "medical", "--new", "1",
                                                           "--distance", "500", "--candidates", p,
                                                           "-o", o / "s.geojson"]),
}


@pytest.mark.parametrize("kind", FILE_KINDS)
@pytest.mark.parametrize("command", list(FILE_COMMANDS))
def test_bad_file_option(tmp_path, mini_layers, command, kind):
    layer, build = FILE_COMMANDS[command]
    path, code, needles = _file(tmp_path, layer, kind)
    out = tmp_path / "out"
    out.mkdir()
    r = invoke("--layers", mini_layers, *build(path, out))
    if command.endswith("--candidates") and kind in ("mixed", "missing_column"):
        # candidates may mix points and polygons and need no column: a result or a data error
        no_crash(r)
        assert r.exit_code in (0, 1), r.stderr
        return
    assert_error(r, code, *needles)
    assert listing(out) == {}


@pytest.mark.parametrize("command", list(commands(Path("x"))))
def test_existing_output_without_overwrite(tmp_path, mini_layers, command):
    out = tmp_path / "out"
    out.mkdir()
    args, target = commands(out)[command]
    args = [a for a in args if a != "--overwrite"]
    target.write_bytes(SENTINEL)
    before = listing(out)
    r = invoke("--layers", mini_layers, *args)
    assert_error(r, 2, str(target), "--overwrite")
    assert listing(out) == before
