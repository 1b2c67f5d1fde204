"""Errors raised by the playbooks package.

Every error derives from :class:`PlaybookError`; where a stdlib error has the same meaning we
subclass it too, so callers may catch either. The backend turns these into HTTP problem details;
nothing in this package does.

::

    PlaybookError
    ├── PlaybookLoadError (ValueError)      a playbook or scenario file is malformed
    ├── NoPlaybookError (LookupError)       no playbook in the library matches an incident
    ├── EngineError (RuntimeError)          a run state the engine cannot continue from
    └── DrillError (ValueError)              a drill scenario does not fit its playbook
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """One thing wrong with a file: which file, where inside it, and why."""

    file: str
    path: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.reason}"


class PlaybookError(Exception):
    """Root of every error raised by ``playbooks``."""


class PlaybookLoadError(PlaybookError, ValueError):
    """A playbook (or drill scenario) file failed to parse or failed a semantic check.

    ``file``, ``path`` (e.g. ``steps[3].deadline``) and ``reason`` describe the first problem;
    ``problems`` holds all of them, in file order.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("PlaybookLoadError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0]
        self.file = first.file
        self.path = first.path
        self.reason = first.reason
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{first}{more}")


class NoPlaybookError(PlaybookError, LookupError):
    """No playbook in the library has triggers matching the incident."""


class EngineError(PlaybookError, RuntimeError):
    """The engine met a run state it cannot continue from (a bug or a corrupted state)."""


class DrillError(PlaybookError, ValueError):
    """A drill scenario refers to a playbook or step that does not exist."""
