"""Networks: the graph of a line layer, snapping, routing, isochrones and scenarios.

Modules, each importing only those above it in this list (and ``ino_geo.data`` and the
core), never ``analysis``, ``webmap`` or ``cli``:

* ``_naming``: how error messages name a layer, a record, a geometry type;
* ``graph``: :class:`~ino_geo.network.graph.Network`, ``build_network``, cost units, one-way lines
  (``oneway_values``, directions ``to``/``from``), the CSR graph;
* ``snapping``: where places join the graph (``snap``), the river barrier no walk crosses;
* ``walking``: the direct walk between places that never crosses the river;
* ``routing``: ``od_costs``, ``node_costs``, ``nearest_costs`` (Dijkstra in scipy.sparse.csgraph);
* ``isochrones``: ``isochrone``, the area within a cost of the nearest place;
* ``scenarios``: ``select_corridors``, ``scenario_network``, ``prepare_network``.
"""
