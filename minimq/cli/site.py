"""``minimq site OUT_DIR [--lang en|zh|both]``: write the lesson site (``minimq.site``).

Owns: checking OUT_DIR before anything runs (a file, a missing parent, a folder that
cannot be written: one line in the chosen language, exit 2) and the closing line.
``--lang`` here chooses the pages' languages; the messages follow the command line's.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from minimq.i18n import LANGS, t


def _problem(out: Path) -> str | None:
    """Why ``out`` cannot take the site (a catalog key), or None."""
    if out.exists() and not out.is_dir():
        return "site.not_a_dir"
    parent = out if out.exists() else out.parent
    if not parent.is_dir():
        return "site.no_parent"
    if not os.access(parent, os.W_OK | os.X_OK):
        return "site.not_writable"
    return None


def run(args: argparse.Namespace, lang: str) -> int:
    from minimq.site.build import build_site

    langs = list(LANGS) if args.lang == "both" else [args.lang]
    messages = lang if args.lang == "both" else args.lang
    out = Path(args.out_dir)
    problem = _problem(out)
    if problem is not None:
        message = t("site.bad_out_dir", messages, path=out, problem=t(problem, messages))
        print(t("err.prefix", messages, message=message), file=sys.stderr)
        return 2
    written = build_site(out, langs, args.seed)
    print(t("site.written", messages, n=len(written), path=out / "index.html"))
    return 0
