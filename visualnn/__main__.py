"""``python -m visualnn`` runs the same entry point as the ``visualnn`` command."""

from visualnn.cli import main

raise SystemExit(main())
