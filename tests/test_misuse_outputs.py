"""Every command's outputs under misuse (issue 10): concurrent runs, signals, side files,
outputs that are inputs, multi-output failures, a full disk. Real subprocesses where the
kind needs them (``python3 -m ino_geo.cli`` with this checkout first on PYTHONPATH)."""

from __future__ import annotations

import json

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ino_geo.cli import cli
from ino_geo.data.transaction import STAGE_PREFIX

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "default"}


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ino_geo.cli", *args], cwd=cwd, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(STAGE_PREFIX) or ".tmp" in p.name
                  or p.name.endswith("-journal"))


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("ino-geo: error:")]


def test_two_builds_into_one_new_folder(mini_layers, tmp_path):
    procs = [_start(["-q", "--layers", str(mini_layers), "build", "-o", "pack", "--cdn"], tmp_path) for _ in range(2)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    codes = sorted(r[0] for r in results)
    assert codes == [0, 2], [r[2] for r in results]
    loser = next(r for r in results if r[0] == 2)
    assert len(_error_lines(loser[2])) == 1 and "exists" in loser[2] and "Traceback" not in loser[2]
    winner = json.loads(next(r for r in results if r[0] == 0)[1])
    written = {Path(f["path"] if isinstance(f, dict) else f).name for f in winner["files"]}
    assert {p.name for p in (tmp_path / "pack").iterdir()} == written  # the winner's folder intact
    assert _debris(tmp_path) == []


def test_two_exports_to_one_new_geopackage(mini_layers, tmp_path):
    procs = [_start(["-q", "--layers", str(mini_layers), "layers", "export", name, "-o", "out.gpkg"], tmp_path)
             for name in ("parks", "sites")]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert sorted(r[0] for r in results) == [0, 2], [r[2] for r in results]
    winner = next(r for r in results if r[0] == 0)
    import pyogrio

    layers = [name for name, _ in pyogrio.list_layers(tmp_path / "out.gpkg") if name != "layer_styles"]
    assert layers == list(json.loads(winner[1])["layers"])  # the winner's file, not replaced
    assert _debris(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_signal_during_build_leaves_no_debris(mini_layers, tmp_path, sig):
    p = _start(["--layers", str(mini_layers), "build", "-o", "pack", "--cdn"], tmp_path)
    deadline = time.time() + 120
    line = ""
    while time.time() < deadline:  # wait until the work has started (a staging folder exists)
        if any(q.name.startswith(STAGE_PREFIX) for q in tmp_path.iterdir()):
            break
        time.sleep(0.05)
    time.sleep(0.3)
    p.send_signal(sig)
    code = p.wait(timeout=120)
    _out, err = p.communicate()
    assert not (tmp_path / "pack").exists()
    if sig == signal.SIGTERM:
        assert code == 143, err
        assert _error_lines(err) == ["ino-geo: error: terminated"] and "Traceback" not in err
        assert _debris(tmp_path) == []
    # the next run sweeps what a killed run left, and succeeds
    q = _start(["-q", "--layers", str(mini_layers), "build", "-o", "pack2", "--cdn"], tmp_path)
    assert q.wait(timeout=600) == 0, q.communicate()[1]
    assert _debris(tmp_path) == []
    assert sorted(x.name for x in tmp_path.iterdir()) == ["mini", "pack2"]


def test_sigterm_during_export_leaves_nothing(mini_layers, tmp_path):
    p = _start(["--layers", str(mini_layers), "layers", "export", "parks", "sites", "-o", "out.gpkg"], tmp_path)
    deadline, staged = time.time() + 120, False
    while time.time() < deadline and p.poll() is None:  # until the file is being written
        if any(q.name.startswith(STAGE_PREFIX) and "probe" not in q.name for q in tmp_path.iterdir()):
            staged = True
            break
        time.sleep(0.01)
    if staged:
        p.send_signal(signal.SIGTERM)
    code = p.wait(timeout=120)
    err = p.communicate()[1]
    if code == 0:  # finished before the signal: a complete file
        assert (tmp_path / "out.gpkg").exists()
    else:
        assert code == 143 and not (tmp_path / "out.gpkg").exists() and "Traceback" not in err, err
    assert _debris(tmp_path) == []


def _run(args, layers=None):
    base = ["--layers", str(layers)] if layers else []
    if args and args[0] == "-q":
        base, args = ["-q", *base], args[1:]
    return CliRunner().invoke(cli, [*base, *args])


def test_shapefile_side_files_are_one_output(mini_layers, tmp_path):
    dbf = tmp_path / "out.dbf"
    dbf.write_bytes(b"precious")
    r = _run(["layers", "export", "parks", "-o", str(tmp_path / "out.shp")], mini_layers)
    assert r.exit_code == 2 and "out.dbf" in r.output and "--overwrite" in r.output
    assert dbf.read_bytes() == b"precious" and not (tmp_path / "out.shp").exists()


def test_shapefile_export_warnings_are_one_line_each(mini_layers, tmp_path):
    p = _start(["--layers", str(mini_layers), "layers", "export", "corridors", "-o", "c.shp"], tmp_path)
    assert p.wait(timeout=300) == 0
    err = p.communicate()[1]
    warn = [ln for ln in err.splitlines() if "warning" in ln.lower()]
    assert warn, err  # pyogrio launders long field names
    assert all(ln.startswith("ino-geo: warning: ") for ln in warn), err
    assert "UserWarning" not in err and "RuntimeWarning" not in err and ".py:" not in err


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "layer_file"])
def test_an_input_is_never_an_output(mini_layers, tmp_path, how):
    src = tmp_path / "sites.geojson"
    src.write_bytes((mini_layers / "sites.geojson").read_bytes())
    before = src.read_bytes()
    out = {"same": src, "symlink": tmp_path / "link.geojson", "hardlink": tmp_path / "hard.geojson",
           "layer_file": mini_layers / "sites.geojson"}[how]
    if how == "symlink":
        out.symlink_to(src)
    if how == "hardlink":
        os.link(src, out)
    r = _run(["proximity", "--from", str(src), "-o", str(out), "--overwrite"], mini_layers)
    assert r.exit_code == 2, r.output
    assert "inputs" in r.output and len(r.output.strip().splitlines()) == 1
    assert src.read_bytes() == before and (mini_layers / "sites.geojson").exists()


def test_validate_fix_never_replaces_its_input(mini_layers, tmp_path):
    f = tmp_path / "parks.geojson"
    f.write_bytes((mini_layers / "parks.geojson").read_bytes())
    before = f.read_bytes()
    r = _run(["layers", "validate", str(f), "--fix", "-o", str(f), "--overwrite"], mini_layers)
    assert r.exit_code == 2 and "inputs" in r.output
    assert f.read_bytes() == before


def test_coverage_outputs_all_or_nothing(mini_layers, tmp_path, monkeypatch):
    """--gaps and -o: the second output failing to publish leaves the first one as it was."""
    from ino_geo.data import transaction

    gaps, out = tmp_path / "g.geojson", tmp_path / "o.csv"
    gaps.write_text("old gaps")
    out.write_text("old table")
    real = transaction.Outputs._publish_file

    def failing(self, src, dst):
        if dst.name == "o.csv":
            raise transaction.DataError(f"{dst}: cannot be written: No space left on device")
        return real(self, src, dst)

    monkeypatch.setattr(transaction.Outputs, "_publish_file", failing)
    r = _run(["coverage", "--distance", "500", "--gaps", str(gaps), "-o", str(out), "--overwrite"], mini_layers)
    assert r.exit_code == 1 and "No space left" in r.output
    assert gaps.read_text() == "old gaps" and out.read_text() == "old table"
    assert _debris(tmp_path) == []


def test_map_and_snippet_all_or_nothing(mini_layers, tmp_path, monkeypatch):
    from ino_geo.webmap import export

    m, s = tmp_path / "m.html", tmp_path / "s.html"
    m.write_text("old map")
    s.write_text("old snippet")

    def broken(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "embed_snippet", broken)
    r = _run(["map", "overview", "-o", str(m), "--embed-snippet", str(s), "--overwrite"], mini_layers)
    assert r.exit_code == 1, r.output
    assert m.read_text() == "old map" and s.read_text() == "old snippet"
    assert _debris(tmp_path) == []


def test_map_and_snippet_new_files_none_when_snippet_exists(mini_layers, tmp_path):
    s = tmp_path / "s.html"
    s.write_text("old snippet")
    r = _run(["map", "overview", "-o", str(tmp_path / "m.html"), "--embed-snippet", str(s)], mini_layers)
    assert r.exit_code == 2 and "s.html" in r.output
    assert not (tmp_path / "m.html").exists() and s.read_text() == "old snippet"


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    try:
        return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True).returncode == 0
    except OSError:
        return False


def test_disk_full_leaves_existing_outputs_byte_identical(mini_layers, tmp_path, monkeypatch):
    disk = tmp_path / "disk"
    mounted = _tmpfs(disk, "64k")
    try:
        old = {"o.gpkg": b"old gpkg", "g.geojson": b"old gaps"}
        for name, data in old.items():
            (disk / name).write_bytes(data)
        if not mounted:  # a patched write: the driver fails as on a full disk
            import pyogrio

            def full(*a, **k):
                raise OSError(28, "No space left on device")

            monkeypatch.setattr(pyogrio, "write_dataframe", full)
        big = disk / "filler"
        try:  # fill the disk to the last block
            with open(big, "wb") as fh:
                while True:
                    fh.write(b"x" * 4096)
                    fh.flush()
        except OSError:
            pass
        r = _run(["-q", "coverage", "--distance", "500", "--gaps", str(disk / "g.geojson"), "-o", str(disk / "o.gpkg"),
                  "--overwrite"], mini_layers)
        assert r.exit_code == 1, r.output
        assert len(r.output.strip().splitlines()) == 1 and "Traceback" not in r.output
        for name, data in old.items():
            assert (disk / name).read_bytes() == data
        assert _debris(disk) == []
    finally:
        if mounted:
            subprocess.run(["umount", str(disk)], capture_output=True)


@pytest.mark.parametrize("target", ["/dev/null", "link", "fifo"])
def test_an_output_is_never_a_device_or_pipe(mini_layers, tmp_path, target):
    if target == "fifo":
        target = tmp_path / "f.csv"
        os.mkfifo(target)
    elif target == "link":
        target = tmp_path / "null.csv"
        target.symlink_to("/dev/null")
    r = _run(["proximity", "-o", str(target), "--overwrite"], mini_layers)
    assert r.exit_code == 2 and "not a regular file" in r.output
    assert Path("/dev/null").is_char_device()


def test_an_output_through_a_symbolic_link_writes_the_linked_file(mini_layers, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    r = _run(["-q", "proximity", "-o", str(link), "--overwrite"], mini_layers)
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and "origin_id" in real.read_text()


def test_overwrite_replaces_and_publishes_no_replace_otherwise(mini_layers, tmp_path):
    out = tmp_path / "p.geojson"
    out.write_text("old")
    r = _run(["layers", "export", "parks", "-o", str(out)], mini_layers)
    assert r.exit_code == 2 and out.read_text() == "old"
    r = _run(["layers", "export", "parks", "-o", str(out), "--overwrite"], mini_layers)
    assert r.exit_code == 0 and out.read_text() != "old"
    assert _debris(tmp_path) == []
