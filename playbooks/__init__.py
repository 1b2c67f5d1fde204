"""Playbooks: the language, loader, pure engine, library and drills of Ping'an Command.

This package does no I/O except reading YAML files in :mod:`playbooks.loader` and
:func:`playbooks.drill.load_scenario`; it imports only msgspec and PyYAML and never the backend.

The backend's runner uses:

- :func:`playbooks.loader.load_library` → :class:`~playbooks.loader.Library`, whose
  ``select(kind, risk_grade, ...)`` / ``select_for(context)`` picks the playbook for an incident;
- :func:`playbooks.state.new_run`, then :func:`playbooks.engine.step` for every event, performing
  the effects it returns (:mod:`playbooks.events`);
- :func:`playbooks.state.encode_run` / :func:`~playbooks.state.decode_run` to store a run;
- :func:`playbooks.loader.check_files` and :mod:`playbooks.drill` for ``pingan playbooks``.

See ``docs/playbooks.md`` for the language reference and the engine contract.
"""
