"""``python3 -m ino_geo.cli``: the ``ino-geo`` command."""

from .main import main

if __name__ == "__main__":
    main()
