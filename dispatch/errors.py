"""Errors raised by the dispatch package.

Every error derives from one root, and from the stdlib error whose meaning matches, so callers can
catch either::

    DispatchError                         root of everything raised by dispatch/
    ├── InvalidQueryError(ValueError)     bad arguments: k < 1, negative radius, ids that disagree
    ├── IndexConfigError(ValueError)      bad index settings: prefix with braces, resolutions
    ├── IndexUnavailableError(ConnectionError)  Redis did not answer; nothing was changed by us
    └── IndexScriptError(RuntimeError)    a Lua script replied with something it never should

`backend/` turns these into problem details (InvalidQueryError -> 400/422,
IndexUnavailableError -> 503); dispatch/ itself never speaks HTTP.
"""

from __future__ import annotations


class DispatchError(Exception):
    """Root of every error raised by dispatch/."""


class InvalidQueryError(DispatchError, ValueError):
    """An argument is out of its domain; the message names the argument and the id."""


class IndexConfigError(DispatchError, ValueError):
    """The position index was configured with values it cannot work with."""


class IndexUnavailableError(DispatchError, ConnectionError):
    """Redis could not be reached or timed out; retry later (live state refills from reports)."""


class IndexScriptError(DispatchError, RuntimeError):
    """A Lua script failed or replied in an unexpected shape (a bug, never user input)."""
