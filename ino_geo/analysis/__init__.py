"""Analyses: coverage, proximity (and room for accessibility and site selection).

Built on ``ino_geo.network`` and ``ino_geo.data``; free of click and folium. The public
functions are re-exported flat by ``ino_geo`` (``ino_geo.coverage`` is the function, the
module is ``ino_geo.analysis.coverage``).
"""
