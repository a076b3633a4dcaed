"""State shared by the commands of one ``ino-geo`` invocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CliState:
    """Global options, and the layers loaded once on first use."""

    layers_dir: str | None = None
    verbosity: int = 0
    debug: bool = False
    _layers: Any = field(default=None, repr=False)

    def layers(self):
        """The layers of ``--layers DIR`` (or the shipped Tomsk layers), loaded and validated once."""
        if self._layers is None:
            from ino_geo.data.layers import load_layers

            self._layers = load_layers(self.layers_dir)
        return self._layers

    def progress(self, message: str) -> None:
        """A progress line on stderr, unless ``-q``."""
        if self.verbosity >= 0:
            import click

            click.echo(f"ino-geo: {message}", err=True)
