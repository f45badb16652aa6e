"""What every lesson script does: run ``minimq lesson N`` from a clone, with the flags it was
given, or say in one line how to install what is missing (the system Python has no rich)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a clone without installing


def run(number: int) -> int:
    try:
        import rich  # noqa: F401  (imported by the commands only when they run)

        from minimq.cli import main
    except ModuleNotFoundError as missing:
        from minimq.i18n import default_lang, t  # the catalog needs nothing but Python

        script = Path(sys.argv[0]).name
        print(t("ui.script_needs_install", default_lang(), module=missing.name, script=script), file=sys.stderr)
        return 2
    return main(["lesson", str(number), *sys.argv[1:]])
