"""Exceptions of ino_geo.

Every error that a user can cause is an :class:`InoGeoError`. The CLI turns it into a one-line
message on stderr and an exit code (1 data error, 2 usage error); the Python API lets it
propagate so that an analyst can catch it.
"""

from __future__ import annotations

__all__ = ["InoGeoError", "DataError", "UsageError", "ValidationError"]


class InoGeoError(Exception):
    """Base class of every error ino_geo raises on purpose."""

    exit_code = 1


class DataError(InoGeoError, ValueError):
    """Bad or unusable input data, or work that failed on it (exit code 1)."""

    exit_code = 1


class UsageError(InoGeoError, ValueError):
    """A wrong argument, option or path given by the user (exit code 2)."""

    exit_code = 2


class ValidationError(DataError):
    """A layer failed validation; ``problems`` lists every problem found.

    Parameters
    ----------
    problems : list of ino_geo.Problem
        Every problem found, in file/record order.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "no problems"
        more = len(self.problems) - 1
        msg = str(first) + (f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else "")
        super().__init__(msg)
