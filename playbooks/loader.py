"""Load playbooks from YAML, check them, and pick the right one for an incident.

``parse_playbook`` / ``load_playbook`` turn one YAML document into a :class:`Playbook` or raise
:class:`PlaybookLoadError` naming the file, the path inside it (``steps[3].deadline``) and the
reason. ``check_files`` reports problems without raising (for ``pingan playbooks check``), and
``load_library`` loads a folder into a :class:`Library` whose ``select`` does trigger matching.

File reads happen here and only here; the engine never touches the file system.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from playbooks.conditions import specificity, triggers_match
from playbooks.durations import DURATION_PATTERN
from playbooks.errors import NoPlaybookError, PlaybookLoadError, Problem
from playbooks.schema import (
    ID_PATTERN,
    ITEM_REF_PATTERN,
    ROLES,
    Flag,
    IncidentContext,
    Playbook,
)
from playbooks.validate import check_playbook

T = TypeVar("T")

_AT = re.compile(r"^(?P<reason>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_FIELD = re.compile(r"^Object (?P<what>missing required|contains unknown) field `(?P<name>[^`]+)`$")
_PATTERNS = {
    DURATION_PATTERN: "expected a duration such as 90s, 5m, 1h30m, 24h or PT5M",
    ID_PATTERN: "expected an id of lower-case letters, digits and _ (starting with a letter)",
    ITEM_REF_PATTERN: "expected a checklist item reference like on_scene.scene_safe",
}
_STEP_TYPES = "alert, wait, escalate, checklist, branch, close"


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        keys.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(text: str, *, source: str) -> object:
    """Parse YAML text; raise :class:`PlaybookLoadError` with the line on a syntax error."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise PlaybookLoadError([Problem(file=source, path=where, reason=str(reason))]) from exc


def convert(data: object, type_: type[T], *, source: str) -> T:
    """Convert parsed YAML into ``type_``; map msgspec's ``$.a[1].b`` path into the error."""
    try:
        return msgspec.convert(data, type_)
    except msgspec.ValidationError as exc:
        path, reason = explain_validation_error(str(exc))
        raise PlaybookLoadError([Problem(file=source, path=path, reason=reason)]) from exc


def explain_validation_error(message: str) -> tuple[str, str]:
    """Turn a msgspec message (``... - at `$.steps[3].deadline```) into ``(path, reason)``."""
    found = _AT.match(message)
    assert found is not None  # the pattern matches any string
    reason = found["reason"]
    path = (found["path"] or "").lstrip(".")
    field = _FIELD.match(reason)
    if field is not None:
        path = f"{path}.{field['name']}" if path else field["name"]
        reason = (
            "required field is missing"
            if field["what"] == "missing required"
            else ("unknown field")
        )
    for pattern, friendly in _PATTERNS.items():
        if repr(pattern)[1:-1] in reason or pattern in reason:
            reason = friendly
    last = path.rsplit(".", 1)[-1]
    if reason.startswith("Invalid") and last == "type":
        reason = f"{reason.replace('Invalid value', 'unknown step type')} (use {_STEP_TYPES})"
    elif reason.startswith("Invalid enum value") and last == "role":
        reason = f"{reason.replace('Invalid enum value', 'unknown role')} (use {', '.join(ROLES)})"
    return path, reason


def parse_playbook(text: str, *, source: str = "<string>") -> Playbook:
    """Parse and check one playbook; raise :class:`PlaybookLoadError` on any problem."""
    playbook = convert(read_yaml(text, source=source), Playbook, source=source)
    findings = check_playbook(playbook)
    if findings:
        raise PlaybookLoadError([Problem(file=source, path=p, reason=r) for p, r in findings])
    return playbook


def load_playbook(path: str | Path) -> Playbook:
    """Read, parse and check the playbook in ``path``."""
    file = Path(path)
    return parse_playbook(file.read_text(encoding="utf-8"), source=str(file))


def playbook_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand ``paths``: files are kept, folders give their ``*.yaml`` / ``*.yml`` (sorted)."""
    found: list[Path] = []
    for item in map(Path, paths):
        if item.is_dir():
            found.extend(sorted(p for p in item.iterdir() if p.suffix in {".yaml", ".yml"}))
        else:
            found.append(item)
    return found


def check_files(paths: Iterable[str | Path]) -> list[Problem]:
    """Check playbook files (or folders of them) and return every problem; empty means clean.

    Besides each file on its own, two files giving the same id and version is a problem.
    """
    problems: list[Problem] = []
    seen: dict[tuple[str, int], str] = {}
    for file in playbook_files(paths):
        try:
            playbook = load_playbook(file)
        except PlaybookLoadError as exc:
            problems.extend(exc.problems)
            continue
        except OSError as exc:
            problems.append(Problem(file=str(file), path="", reason=f"cannot read: {exc}"))
            continue
        key = (playbook.id, playbook.version)
        if key in seen:
            problems.append(
                Problem(
                    file=str(file),
                    path="version",
                    reason=f"{playbook.id} version {playbook.version} is also in {seen[key]}",
                )
            )
        seen.setdefault(key, str(file))
    return problems


class Library:
    """The playbooks in force, with trigger matching.

    Several versions of one playbook may be loaded; ``select`` only considers the newest, and
    ``get`` finds any (runs already under way carry their own copy and never need it).
    """

    def __init__(self, playbooks: Sequence[Playbook]) -> None:
        self._all = tuple(sorted(playbooks, key=lambda p: (p.id, p.version)))
        newest: dict[str, Playbook] = {}
        for playbook in self._all:
            newest[playbook.id] = playbook
        self._current = tuple(newest.values())

    def __iter__(self) -> Iterator[Playbook]:
        return iter(self._current)

    def __len__(self) -> int:
        return len(self._current)

    def get(self, playbook_id: str, version: int | None = None) -> Playbook:
        """Return a playbook by id (newest version unless ``version`` is given)."""
        for playbook in reversed(self._all):
            if playbook.id == playbook_id and version in (None, playbook.version):
                return playbook
        wanted = playbook_id if version is None else f"{playbook_id} version {version}"
        raise NoPlaybookError(f"no playbook {wanted} in the library")

    def select(
        self,
        kind: str,
        risk_grade: int | None,
        *,
        violent: bool = False,
        has_care_team: bool = False,
        flags: Iterable[Flag] = (),
    ) -> Playbook:
        """Return the playbook for an incident; the most specific trigger wins.

        Ties between equally specific playbooks go to the smaller id, so the choice never
        depends on file order. Raise :class:`NoPlaybookError` when nothing matches.
        """
        context = IncidentContext(
            kind=kind,
            risk_grade=risk_grade,
            violent=violent,
            has_care_team=has_care_team,
            flags=tuple(flags),
        )
        return self.select_for(context)

    def select_for(self, context: IncidentContext) -> Playbook:
        """Like :meth:`select`, from an :class:`IncidentContext`."""
        matching = [p for p in self._current if triggers_match(p.triggers, context)]
        if not matching:
            raise NoPlaybookError(
                f"no playbook for kind {context.kind!r} at risk grade {context.risk_grade}"
            )
        best = max(specificity(p.triggers) for p in matching)
        return min((p for p in matching if specificity(p.triggers) == best), key=lambda p: p.id)


def load_library(directory: str | Path) -> Library:
    """Load every playbook in ``directory``; raise :class:`PlaybookLoadError` listing all problems."""
    problems = check_files([directory])
    if problems:
        raise PlaybookLoadError(problems)
    return Library([load_playbook(f) for f in playbook_files([directory])])


def library_dir() -> Path:
    """Return the folder of the playbooks shipped with this package."""
    return Path(__file__).parent / "library"
