"""Rebuild every shipped layer from its sources, in dependency order, and validate the result.

The one way to rebuild the layers (run from anywhere)::

    python3 layers/src/rebuild.py                 # rewrite the layers in layers/
    python3 layers/src/rebuild.py --out DIR       # write a layers folder into DIR instead

Steps, each a module of this folder sharing the helpers of ``common.py``:

1. ``river.py``            river.geojson, waterfront.geojson (the Tom: every later step avoids it)
2. ``corridors.py``        corridors.geojson (crossings of the Tom only at bridges)
3. ``build_areas.py``      boundaries.geojson (split along the river)
4. ``places.py``           places.geojson (each settlement inside its municipality of step 3)
5. ``build_population.py`` population.geojson (from the boundaries and corridors of steps 2-3)
6. ``build_points.py``     sites.geojson, parks.geojson (none in the river of step 1)
7. ``check_layers.py``     checks of the written layers against each other
8. ``ino_geo.validate_path``  the catalogue's rules (columns, types, allowed values, geometry,
   extent), with the package's own validator, on the folder with ``catalogue.toml``

Everything is built in a staging folder; only when every step and check passes are the
GeoJSON files (and, for another DIR, ``catalogue.toml``) moved into the output folder, so a
failed rebuild changes nothing. Exit status 0 on success, 1 if a step or check fails.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAYERS_DIR = HERE.parent
REPO = LAYERS_DIR.parent
for path in (REPO, HERE):  # this checkout's ino_geo, and the step modules by name
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import build_areas  # noqa: E402
import build_points  # noqa: E402
import build_population  # noqa: E402
import check_layers  # noqa: E402
import places  # noqa: E402
import corridors  # noqa: E402
import river  # noqa: E402

CATALOGUE = "catalogue.toml"
#: The layer files the steps write, by step, in the order they run.
STEPS = [
    ("river", river.main, ["river", "waterfront"]),
    ("corridors", corridors.main, ["corridors"]),
    ("boundaries", build_areas.main, ["boundaries"]),
    ("places", places.main, ["places"]),
    ("population", build_population.main, ["population"]),
    ("sites and parks", build_points.main, ["sites", "parks"]),
    ("cross-layer checks", check_layers.main, []),
]


def run_steps(stage: Path) -> str | None:
    """Run every step into `stage`; the name of the failed step and why, or None."""
    for name, step, _ in STEPS:
        print(f"== {name}", flush=True)
        try:
            code = step(stage)
        except SystemExit as exc:  # a step stopping with its own message
            return f"{name}: {exc.code}"
        except ValueError as exc:  # an invalid geometry after rounding
            return f"{name}: {exc}"
        if code:
            return f"{name}: its checks failed (see above)"
    return None


def validate(stage: Path) -> list[str]:
    """Every problem the package's own validator finds in the staged layers folder."""
    from ino_geo import validate_path

    reports = validate_path(stage)
    for r in reports:
        print(f"{r.layer}: {r.count} records, {len(r.problems)} problem(s)")
    return [str(p) for r in reports for p in r.problems]


def rebuild(out: Path = LAYERS_DIR) -> int:
    """Rebuild every layer into `out`; 0 on success, 1 (nothing written) on a failure."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".rebuild-", dir=out) as tmp:
        stage = Path(tmp)
        shutil.copy(LAYERS_DIR / CATALOGUE, stage / CATALOGUE)
        failed = run_steps(stage)
        if failed is None:
            print("== validation (ino_geo.validate_path)", flush=True)
            problems = validate(stage)
            if problems:
                print("\n".join(problems))
                failed = f"validation: {len(problems)} problem(s)"
        if failed is not None:
            print(f"rebuild: error: {failed}; nothing written to {out}", file=sys.stderr)
            return 1
        files = [f"{n}.geojson" for _, _, names in STEPS for n in names]
        if out != LAYERS_DIR.resolve():
            files.append(CATALOGUE)
        for f in files:
            (stage / f).replace(out / f)
    print(f"rebuild: wrote {len(files)} files to {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=LAYERS_DIR,
                        help=f"layers folder to write (default: {LAYERS_DIR})")
    return rebuild(parser.parse_args(argv).out)


if __name__ == "__main__":
    sys.exit(main())
