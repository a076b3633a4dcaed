"""Web maps: declarative specs, styles, the Leaflet page and its self-contained export.

Maps take already computed results; they never run an analysis themselves (``webmap`` imports
only ``ino_geo.data`` and the core; ``ino_geo.mapdata`` runs the analyses a map draws).

- :mod:`~ino_geo.webmap.spec` - map specs (``maps/*.toml``), read with :mod:`~ino_geo.webmap.checker`
- :mod:`~ino_geo.webmap.results` - :class:`MapResults`, the results a map is given, and its texts
- :mod:`~ino_geo.webmap.frames` - the features of each spec layer (layers, rings, results; filters)
- :mod:`~ino_geo.webmap.styles` - colours (the catalogue's, or the spec's), classes, the legend
- :mod:`~ino_geo.webmap.page` - the folium page; its CSS/JS are package data in ``static/``
- :mod:`~ino_geo.webmap.export` - self-contained HTML, the embed snippet
- :mod:`~ino_geo.webmap.render` - :func:`render_map` and :func:`render_all`, chains of those steps
"""
