"""``python -m k49tut``: the same as the ``k49tut`` command."""

from k49tut.cli import main

raise SystemExit(main())
