"""``python -m sitthi`` is the same as the ``sitthi`` command."""

from sitthi.cli.main import run

run()
