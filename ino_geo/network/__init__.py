"""Networks: the graph of a line layer, snapping, routing, isochrones and scenarios.

Imports point down only: to ``ino_geo.data`` and the core, never to ``analysis``, ``webmap``
or ``cli``.
"""
