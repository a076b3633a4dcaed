"""Routing against the peers that need their own preprocessing: pandana (contraction hierarchies).

    python benchmarks/bench_peers.py            # results/peers.jsonl, then benchmarks/report.py
    python benchmarks/bench_peers.py --quick    # a smoke run (results in a temporary folder)

pandana answers "the cost from each node to its nearest facility" (``nearest_pois``) after a
contraction-hierarchy preprocessing of the graph; ``ino_geo.node_costs`` answers the same
question with one multi-source Dijkstra. The case is the jittered grid of
``bench_analysis.road_grid`` (directed arcs in minutes, the same graph for every contender),
smaller than the routing suite's because pandana's preprocessing takes tens of seconds: the
preprocessing time is recorded on its own row, the timed contenders are the queries on
prebuilt structures (pandana's hierarchy, ino_geo's network, scipy's csr matrix, igraph's graph).
pandana stores weights as 32-bit floats: its answers agree to ~0.02 min, recorded in
``answers``. Contenders not installed are left out (the ``bench`` extra installs them).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
from bench_analysis import ROUNDS, _igraph, emit, road_grid  # noqa: E402


def _pandana(net, fac: np.ndarray, horizon: float):
    """pandana's network of the same directed arcs (minutes) with the facilities as POIs, and
    the seconds its preprocessing took; None when pandana is not installed."""
    try:
        import pandana
    except ImportError:
        return None, None
    import pandas as pd

    g = net.csgraph("min").tocoo()
    x, y = pd.Series(net.nodes[:, 0]), pd.Series(net.nodes[:, 1])
    t0 = time.perf_counter()
    pn = pandana.Network(x, y, pd.Series(g.row), pd.Series(g.col), pd.DataFrame({"min": g.data}), twoway=False)
    pn.set_pois("facility", horizon, 1, x.iloc[fac], y.iloc[fac])
    return pn, time.perf_counter() - t0


def suite_peers(quick: bool):
    import shapely
    from scipy.sparse.csgraph import dijkstra

    import ino_geo
    from ino_geo.network.graph import build_network

    suite = harness.Suite("peers")
    n_side, n_fac = (40, 20) if quick else (120, 100)
    lines, _ = road_grid(n_side, 100.0, seed=4)
    net = build_network(lines)
    n = net.n_nodes
    fac = np.random.default_rng(5).choice(n, n_fac, replace=False)
    fs = ino_geo.snap(net, shapely.points(net.nodes[fac]), max_snap=1.0)
    base = net.csgraph("min")
    # node_costs runs from the facilities to the nodes; pandana's nearest_pois from each node
    # to the facilities: on the reversed arcs they answer the same question
    ref = dijkstra(base, directed=True, indices=fac, min_only=True)
    horizon = float(np.nanmax(ref[np.isfinite(ref)])) + 1.0
    ino_geo.node_costs(net, fs, unit="min")  # warm up (builds the network's cached arcs once)
    contenders = {"ino_geo.node_costs": lambda: ino_geo.node_costs(net, fs, unit="min"),
                  "scipy dijkstra min_only (prebuilt graph)": lambda: dijkstra(base, directed=True, indices=fac,
                                                                               min_only=True)}
    ig = _igraph(n, base)
    if ig is not None:
        contenders["igraph distances"] = lambda: np.min(ig.distances(source=fac.tolist(), weights="weight"), axis=0)
    rev = net.csgraph("min").T.tocsr()
    pn, prep_s = _pandana(_Reversed(net, rev), fac, horizon)
    if pn is not None:
        contenders["pandana nearest_pois (CH prebuilt)"] = lambda: pn.nearest_pois(horizon, "facility", num_pois=1)[1]

    def check(out):
        raw = out["scipy dijkstra min_only (prebuilt graph)"]
        fin = np.isfinite(raw)
        facts = {}
        for name, got in out.items():
            got = np.asarray(got, dtype=float).ravel()
            diff = float(np.abs(got[fin] - raw[fin]).max())
            facts[f"max_abs_diff_min {name}"] = round(diff, 6)
            if name.startswith(("ino_geo", "igraph")) and diff > 1e-6:
                raise AssertionError(f"{name} differs from scipy by {diff} min")
            if name.startswith("pandana") and diff > 0.1:
                raise AssertionError(f"pandana differs from scipy by {diff} min")
        return facts

    emit(suite.compare(f"node_costs: nearest of {n_fac:,} facilities, {n:,} nodes (peers)", contenders,
                       baseline="scipy dijkstra min_only (prebuilt graph)", rounds=ROUNDS, check=check,
                       goal="faster than every peer", params={"nodes": n, "facilities": n_fac}))
    if pn is not None:
        emit(suite.record("pandana: contraction-hierarchy preprocessing of the same graph (once)",
                          {"seconds": round(prep_s, 3), "nodes": n}))


class _Reversed:
    """The network's nodes with its arcs reversed (``csgraph`` only), for pandana."""

    def __init__(self, net, rev):
        self.nodes, self._rev = net.nodes, rev

    def csgraph(self, unit: str):
        return self._rev


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, results in a temporary folder")
    args = ap.parse_args(argv)
    if args.quick:
        harness.RESULTS_DIR = Path(tempfile.mkdtemp(prefix="ino-geo-bench-"))
    suite_peers(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
