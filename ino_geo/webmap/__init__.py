"""Web maps: declarative specs, styles, the Leaflet page and its self-contained export.

Maps take already computed results; they never run an analysis themselves.
"""
