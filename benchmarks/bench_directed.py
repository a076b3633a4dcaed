"""Benchmark: routing on a directed network (one-way lines) against the same network two-way.

The jittered grid roads of ``bench_analysis.road_grid`` (about 102,000 nodes), once with every
line two-way and once with 30 % of the lines one-way (half of them ``-1``); 200 origins x
50,000 destinations with :func:`ino_geo.od_costs`, both directions, A/B alternated over 3
rounds (``harness.Suite``). The directed costs are checked against networkx ``DiGraph``
shortest paths for a few origins; pairs per second are recorded (goal: >= 1 million on a
>= 100k-node graph, issue 11).

Usage: ``python benchmarks/bench_directed.py [--quick]`` (quick: a 60 x 60 grid, untimed smoke).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_analysis import road_grid  # noqa: E402
from harness import Suite  # noqa: E402


def _inputs(n_side: int, n_orig: int, n_dest: int):
    import shapely

    from ino_geo.network.graph import build_network
    from ino_geo.network.snapping import snap

    lines, xy = road_grid(n_side, 100.0, seed=7)
    rng = np.random.default_rng(11)
    directed = lines.copy()
    directed["oneway"] = rng.choice(np.array([0, 1, -1]), len(lines), p=[0.7, 0.15, 0.15])
    nets = {"two-way": build_network(lines), "30% one-way": build_network(directed)}
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    o = shapely.points(rng.uniform(lo, hi, (n_orig, 2)))
    d = shapely.points(rng.uniform(lo, hi, (n_dest, 2)))
    snaps = {k: (snap(net, o, max_snap=200.0), snap(net, d, max_snap=200.0)) for k, net in nets.items()}
    return nets, snaps


def _check(nets, snaps, results: dict) -> dict:
    """Directed costs >= two-way costs everywhere; three origins equal to networkx DiGraph."""
    import networkx as nx

    from ino_geo.network.routing import od_costs

    two, one = results["two-way"], results["30% one-way"]
    fin = np.isfinite(one)
    assert np.all(one[fin] >= two[fin] - 1e-9)
    net = nets["30% one-way"]
    so, sd = snaps["30% one-way"]
    g = net.to_networkx("min")
    worst = 0.0
    # node-to-node: origins and destinations placed at nodes (no walking legs)
    from ino_geo.network.snapping import snap
    import shapely

    nodes = np.arange(0, net.n_nodes, max(1, net.n_nodes // 40))
    ps = snap(net, shapely.points(net.nodes[nodes]), max_snap=0.01)
    cost, _ = od_costs(net, ps, ps, unit="min")
    for i in range(3):
        ref = nx.single_source_dijkstra_path_length(g, int(nodes[i]))
        want = np.array([ref.get(int(n), np.inf) for n in nodes])
        ok = np.isfinite(want)
        assert np.array_equal(ok, np.isfinite(cost[i]))
        worst = max(worst, float(np.max(np.abs(cost[i][ok] - want[ok]))))
    assert worst < 1e-9
    return {"directed_ge_two_way": True, "networkx_max_abs_diff_min": worst,
            "finite_pairs_directed": int(fin.sum())}


def main(argv: list[str] | None = None) -> int:
    from ino_geo.network.routing import od_costs

    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    n_side, n_orig, n_dest = (60, 20, 2000) if quick else (320, 200, 50_000)
    nets, snaps = _inputs(n_side, n_orig, n_dest)
    suite = Suite("directed_quick" if quick else "directed")

    def run(name, direction):
        return lambda: od_costs(nets[name], *snaps[name], unit="min", direction=direction)[0]

    params = {"nodes": {k: n.n_nodes for k, n in nets.items()}, "origins": n_orig, "destinations": n_dest}
    for direction in ("to", "from"):
        row = suite.compare(
            f"od_costs {n_orig} x {n_dest}, direction {direction}",
            {"two-way": run("two-way", direction), "30% one-way": run("30% one-way", direction)},
            baseline="two-way", rounds=3, check=lambda res: _check(nets, snaps, res),
            goal=">= 1 million pairs/s on the directed graph", params=params)
        pps = {k: n_orig * n_dest / v["median_s"] for k, v in row["results"].items()}
        suite.record(f"pairs per second, direction {direction}", {k: round(v) for k, v in pps.items()},
                     goal=">= 1,000,000", params=params)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
