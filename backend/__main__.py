"""``python -m backend`` is the ``pingan`` command."""

from backend.cli import main

main()
