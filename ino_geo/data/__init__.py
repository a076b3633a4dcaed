"""Data: the catalogue, reading and validating layers, repairing, exporting and writing tables.

The lowest layer of ino_geo above the core (errors, CRS, defaults): it imports nothing from
``network``, ``analysis``, ``webmap`` or ``cli``.
"""
