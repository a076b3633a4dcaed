"""The output transaction (ino_geo.data.transaction): no-replace publish, all or nothing,
Shapefile side files, inputs never outputs, debris of dead processes swept, signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ino_geo._errors import DataError, UsageError
from ino_geo.data.transaction import STAGE_PREFIX, Outputs, publish_noreplace, sweep_stale


def _debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(STAGE_PREFIX))


def test_publish_all_outputs_together(tmp_path):
    with Outputs() as out:
        a = out.file(tmp_path / "a.csv")
        b = out.file(tmp_path / "b.geojson")
        a.write_text("1")
        b.write_text("2")
        assert not (tmp_path / "a.csv").exists()  # nothing visible before the end
    assert (tmp_path / "a.csv").read_text() == "1" and (tmp_path / "b.geojson").read_text() == "2"
    assert _debris(tmp_path) == []


def test_failure_publishes_nothing_and_leaves_no_debris(tmp_path):
    with pytest.raises(RuntimeError):
        with Outputs() as out:
            out.file(tmp_path / "a.csv").write_text("1")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_existing_output_refused_before_work_and_untouched(tmp_path):
    (tmp_path / "a.csv").write_text("old")
    with pytest.raises(UsageError, match="exists; pass --overwrite"):
        Outputs().file(tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text() == "old"


def test_second_output_existing_at_publish_undoes_the_first(tmp_path):
    """Both checked free at the start; b appears meanwhile (another run): a is not left."""
    with pytest.raises(UsageError, match="another run"):
        with Outputs() as out:
            out.file(tmp_path / "a.csv").write_text("mine")
            out.file(tmp_path / "b.csv").write_text("mine")
            (tmp_path / "b.csv").write_text("theirs")
    assert not (tmp_path / "a.csv").exists()
    assert (tmp_path / "b.csv").read_text() == "theirs"
    assert _debris(tmp_path) == []


def test_overwrite_is_all_or_nothing(tmp_path):
    (tmp_path / "a.csv").write_text("old a")
    (tmp_path / "sub").mkdir()
    with pytest.raises(DataError):
        with Outputs(overwrite=True) as out:
            out.file(tmp_path / "a.csv").write_text("new a")
            out.file(tmp_path / "b.csv")  # declared, never written: "nothing was written"
    assert (tmp_path / "a.csv").read_text() == "old a"
    assert _debris(tmp_path) == []


def test_shapefile_side_files_are_one_output(tmp_path):
    (tmp_path / "out.dbf").write_text("someone's table")
    with pytest.raises(UsageError, match=r"out\.dbf: exists \(part of the Shapefile out\.shp\)"):
        Outputs().file(tmp_path / "out.shp")
    assert (tmp_path / "out.dbf").read_text() == "someone's table"


def test_output_that_is_an_input_is_refused(tmp_path):
    src = tmp_path / "parks.geojson"
    src.write_text("{}")
    (tmp_path / "link.geojson").symlink_to(src)
    os.link(src, tmp_path / "hard.geojson")
    for alias in ("parks.geojson", "link.geojson", "hard.geojson", "./parks.geojson"):
        with pytest.raises(UsageError, match="inputs"):
            Outputs(overwrite=True, inputs=[src]).file(tmp_path / alias)
    assert src.read_text() == "{}"


def test_folder_published_whole_and_never_over_another(tmp_path):
    with Outputs() as out:
        d = out.folder(tmp_path / "pack")
        (d / "x.html").write_text("x")
    assert (tmp_path / "pack" / "x.html").read_text() == "x"
    with pytest.raises(UsageError, match="exists"):
        with Outputs() as out:
            (out.folder(tmp_path / "pack") / "x.html").write_text("y")
    assert (tmp_path / "pack" / "x.html").read_text() == "x"
    assert _debris(tmp_path) == []


def test_folder_replaced_whole_keeps_no_old_file_and_is_restored_on_failure(tmp_path):
    """A partitioned dataset is one output: replacing it leaves no part of the old one."""
    with Outputs() as out:
        d = out.folder(tmp_path / "ds", replace=True)
        for i in range(3):
            (d / f"part.{i}").write_text("old")
    with pytest.raises(UsageError, match="exists; pass --overwrite"):
        Outputs().folder(tmp_path / "ds", replace=True)
    with Outputs(overwrite=True) as out:
        (out.folder(tmp_path / "ds", replace=True) / "part.0").write_text("new")
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["part.0"]
    assert (tmp_path / "ds" / "part.0").read_text() == "new"
    # a later output of the same transaction fails: the old folder comes back whole
    (tmp_path / "f.txt").write_text("keep")
    with pytest.raises(DataError, match="nothing was written"):
        with Outputs(overwrite=True) as out:
            (out.folder(tmp_path / "ds", replace=True) / "part.9").write_text("newer")
            out.file(tmp_path / "g.txt")  # declared, never written
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["part.0"]
    assert _debris(tmp_path) == []


def test_publish_noreplace_refuses_existing(tmp_path):
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    with pytest.raises(FileExistsError):
        publish_noreplace(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "b").read_text() == "b"


def test_sweep_removes_only_dead_processes_staging(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale_file = tmp_path / f"{STAGE_PREFIX}{dead.pid}-abcd-out.gpkg"
    stale_journal = tmp_path / f"{STAGE_PREFIX}{dead.pid}-abcd-out.gpkg-journal"
    stale_dir = tmp_path / f"{STAGE_PREFIX}{dead.pid}-abcd-pack"
    live = tmp_path / f"{STAGE_PREFIX}{os.getpid()}-abcd-out.csv"
    for p in (stale_file, stale_journal, live):
        p.write_text("x")
    stale_dir.mkdir()
    (stale_dir / "m.html").write_text("x")
    removed = sweep_stale(tmp_path)
    assert sorted(p.name for p in removed) == sorted(p.name for p in (stale_file, stale_journal, stale_dir))
    assert live.exists()


_RACE = textwrap.dedent(
    """
    import sys, time
    from ino_geo.data.transaction import Outputs
    from ino_geo._errors import InoGeoError
    target, start, kind = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    try:
        with Outputs() as out:
            p = out.folder(target) if kind == "dir" else out.file(target)
            while time.time() < start:
                time.sleep(0.001)
            if kind == "dir":
                for i in range(13):
                    (p / f"f{i}.txt").write_text(str(i))
            else:
                p.write_text("x" * 100000)
    except InoGeoError as exc:
        print("error:", exc)
        sys.exit(exc.exit_code)
    """
)


@pytest.mark.parametrize("kind", ["dir", "file"])
def test_concurrent_runs_one_wins_the_other_fails_and_removes_nothing(tmp_path, kind):
    script = tmp_path / "race.py"
    script.write_text(_RACE)
    for round_ in range(4):
        target = tmp_path / f"out{round_}" if kind == "dir" else tmp_path / f"out{round_}.gpkg"
        start = time.time() + 1.5
        procs = [subprocess.Popen([sys.executable, str(script), str(target), str(start), kind],
                                  stdout=subprocess.PIPE, text=True, cwd=os.getcwd()) for _ in range(2)]
        codes = sorted(p.wait(timeout=60) for p in procs)
        assert codes == [0, 2], (codes, [p.stdout.read() for p in procs])
        if kind == "dir":
            assert len(list(target.iterdir())) == 13  # the winner's work is complete
    assert _debris(tmp_path) == []


def test_sigterm_removes_own_staging(tmp_path):
    script = tmp_path / "slow.py"
    script.write_text(textwrap.dedent(
        """
        import sys, time
        from ino_geo.data.transaction import Outputs, interrupted_as_keyboard
        interrupted_as_keyboard()
        with Outputs() as out:
            d = out.folder(sys.argv[1])
            (d / "partial.html").write_text("x")
            print("ready", flush=True)
            time.sleep(60)
        """
    ))
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "pack")], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slow.py"]


def test_sigkill_debris_swept_by_next_run(tmp_path):
    script = tmp_path / "slow.py"
    script.write_text(textwrap.dedent(
        """
        import sys, time
        from ino_geo.data.transaction import Outputs
        with Outputs() as out:
            (out.file(sys.argv[1])).write_text("partial")
            print("ready", flush=True)
            time.sleep(60)
        """
    ))
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "a.csv")], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.kill()
    proc.wait(timeout=30)
    assert len(_debris(tmp_path)) == 1
    with Outputs() as out:
        out.file(tmp_path / "a.csv").write_text("complete")
    assert _debris(tmp_path) == [] and (tmp_path / "a.csv").read_text() == "complete"
