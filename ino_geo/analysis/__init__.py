"""Analyses: coverage, proximity, scenario comparison (and room for accessibility and site selection).

Built on ``ino_geo.network`` and ``ino_geo.data``; free of click and folium. Modules:

* ``_inputs``: input checks and preparation shared by coverage and proximity;
* ``shares``: the covered share of each polygon's area;
* ``coverage``: ``coverage`` (area and population within a threshold of each park type);
* ``nearest``: ``nearest_polygons`` (nearest polygons of many points);
* ``links``: ``link_lines`` (the straight links of proximity rows, EPSG:4326);
* ``proximity``: ``proximity`` (the nearest parks of each origin);
* ``compare``: ``compare_scenarios`` (coverage in the existing and planned scenarios).

The public functions are re-exported flat by ``ino_geo`` (``ino_geo.coverage`` is the
function, the module is ``ino_geo.analysis.coverage``).
"""
