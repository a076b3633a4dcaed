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

    def layer_files(self) -> list:
        """The files of the layers folder in use (the catalogue and every layer file it names)."""
        from ino_geo._errors import InoGeoError
        from ino_geo.data.catalogue import load_catalogue
        from ino_geo.data.shipped import default_layers_dir

        try:
            catalogue = load_catalogue(self.layers_dir or default_layers_dir())
        except InoGeoError:  # reported when the layers are loaded
            return []
        return [catalogue.path, *(catalogue.folder / spec.file for spec in catalogue)]

    def outputs(self, overwrite: bool, inputs=()):
        """The command's one output transaction (:class:`~ino_geo.data.transaction.Outputs`):
        every output written through ``ino_geo.data.io`` inside it is published at its end, all
        or nothing; the layers folder's files and `inputs` may not be outputs."""
        from ino_geo.data.transaction import Outputs

        return Outputs(overwrite=overwrite, inputs=[*self.layer_files(), *inputs], current=True)

    def progress(self, message: str) -> None:
        """A progress line on stderr, unless ``-q``."""
        if self.verbosity >= 0:
            import click

            click.echo(f"ino-geo: {message}", err=True)
