#!/usr/bin/env python3
"""Set up and run 공감 on a fresh machine with nothing but Python 3.11+.

    python3 dev.py run     create .venv, install, migrate, start (no token: the sandbox)
    python3 dev.py test    create .venv, install with test extras and Chromium, run every test
    python3 dev.py i18n    re-extract messages and update the ko/en catalogs

Extra arguments after `test` go to pytest (e.g. `python3 dev.py test -k deadlines`). The tests
run in 2 pytest-xdist workers: `TEST_WORKERS=4` (or `-n 4`) changes that, `TEST_WORKERS=0`
runs them in one process.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# pytest-xdist worker processes for `test`; TEST_WORKERS overrides it, 0 runs in one process.
DEFAULT_TEST_WORKERS = "2"


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test", "i18n", "setup"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py is what an older Python runs)
        print("공감 needs Python 3.11 or newer.", file=sys.stderr)
        return 2
    ensure_venv(extras="test" if command in ("test", "i18n") else None)
    if command == "run":
        return become([str(PYTHON), "-m", "bot", "run", *rest])
    if command == "test":
        ensure_chromium()
        return run([str(PYTHON), "-m", "pytest", *parallel_args(rest, os.environ), *rest])
    if command == "i18n":
        return update_catalogs()
    return 0


def become(args: list[str]) -> int:
    """Replace this process by the bot, so that a stop signal (Ctrl+C, SIGTERM from a
    supervisor) reaches the bot itself instead of leaving it running behind us."""
    os.chdir(ROOT)
    os.execv(args[0], args)
    return 1  # not reached: execv returns only by raising


def run(args: list[str]) -> int:
    return subprocess.call(args, cwd=ROOT)


def parallel_args(pytest_args: list[str], environ: Mapping[str, str]) -> list[str]:
    """pytest-xdist options: TEST_WORKERS processes (default 2, `0` runs in one process).

    Nothing is added when the arguments already choose (`-n`, `--numprocesses`,
    `-p no:xdist`), so `python3 dev.py test -n 0 -x` works as written.
    """
    if any(arg.startswith(("-n", "--numprocesses")) for arg in pytest_args):
        return []
    if "no:xdist" in pytest_args or "-pno:xdist" in pytest_args:
        return []
    return ["-n", environ.get("TEST_WORKERS") or DEFAULT_TEST_WORKERS]


def ensure_venv(extras: str | None) -> None:
    """Create .venv and (re)install the project when pyproject.toml or the extras change."""
    if not PYTHON.exists():
        print("· creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = f".[{extras}]" if extras else "."
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"· installing {spec} into .venv", flush=True)
    subprocess.check_call(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", spec],
        cwd=ROOT,
    )
    stamp.write_text(digest)


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium with Korean fonts; install what is missing."""
    missing = []
    if not os.environ.get("CHROMIUM_PATH") and not any(
        Path(p).exists() for p in CHROMIUM_CANDIDATES
    ):
        missing.append("chromium")
    if not has_korean_font():
        missing += ["fonts-noto-cjk", "fonts-noto-color-emoji"]
    if not missing:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print(f"· {', '.join(missing)} missing and not installable here: browser tests may skip",
              flush=True)
        return
    print(f"· installing {', '.join(missing)} for the browser tests (apt-get)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.call(["apt-get", "update", "-qq"], env=env)
    subprocess.call(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env
    )


def has_korean_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True).stdout
    return bool(listed.strip())


# Placeholders are checked by tests/test_i18n.py, so the catalogs skip Babel's automatic
# "python-brace-format" and "python-format" flags and its boilerplate header comment:
# line-based checkers read a flagged multi-line entry as untranslated (and a file opening on
# a blank line as one entry without a message), and translators gain nothing from either.
TIDY_CATALOGS = """
import io
import sys
from babel.messages.pofile import read_po, write_po
for path in sys.argv[1:]:
    with open(path, "rb") as po:
        catalog = read_po(po)
    catalog.header_comment = ""
    for message in catalog:
        message.flags.discard("python-brace-format")
        message.flags.discard("python-format")  # a literal % in a str.format message
    out = io.BytesIO()
    write_po(out, catalog, width=99)
    with open(path, "wb") as po:  # without the blank line the empty header comment leaves
        po.write(out.getvalue().lstrip(b"\\n"))
"""


def update_catalogs() -> int:
    pybabel = str(VENV / "bin" / "pybabel")
    steps = [
        [pybabel, "extract", "-F", "babel.cfg", "-k", "N_", "-k", "gettext",
         "-k", "ngettext:1,2", "--no-location", "--sort-output", "--project=gonggam",
         "-o", "locales/messages.pot", "."],
        [pybabel, "update", "-i", "locales/messages.pot", "-d", "locales", "-D", "messages",
         "--no-fuzzy-matching", "--ignore-obsolete"],
        [str(PYTHON), "-c", TIDY_CATALOGS, "locales/ko/LC_MESSAGES/messages.po",
         "locales/en/LC_MESSAGES/messages.po"],
    ]
    for step in steps:
        if run(step) != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
