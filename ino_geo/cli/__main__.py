"""``python3 -m ino_geo.cli``: the ``ino-geo`` command."""

from ino_geo.cli import main

main()
