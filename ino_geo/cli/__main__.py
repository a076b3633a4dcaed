"""``python -m ino_geo.cli``: the ``ino-geo`` command line."""

from ino_geo.cli.main import main

if __name__ == "__main__":
    main()
