"""chainsim's version, cheap to import.

``version()`` answers, and remembers, the first of:

1. in a git checkout of the project (the folder above this package holds
   ``.git``) and with setuptools-scm importable: the version of the working
   tree as it is now, e.g. ``0.1.dev27+g1a4d880.d20261201`` (``.dN`` marks
   uncommitted changes), so an editable install never reports a stale one;
2. the installed distribution's metadata (``importlib.metadata``);
3. ``chainsim/_version.py``, which setuptools-scm writes at build time;
4. ``"0.0.0+unknown"``.

It never raises. ``__version__`` is the same string, worked out on first
access (PEP 562), so importing this module runs neither git nor
setuptools-scm. Nothing is imported here beyond the standard library's
``functools`` and ``os``.
"""

from __future__ import annotations

import functools
import os

__all__ = ["UNKNOWN", "__version__", "version"]

UNKNOWN = "0.0.0+unknown"
DISTRIBUTION = "chainsim"

_PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))
_PROJECT_ROOT = os.path.dirname(_PACKAGE_DIR)


def _from_scm() -> str | None:
    """The working tree's version from setuptools-scm, or None."""
    # .git is a folder in a clone, a file in a worktree or submodule
    if not (os.path.exists(os.path.join(_PROJECT_ROOT, ".git"))
            and os.path.isfile(os.path.join(_PROJECT_ROOT, "pyproject.toml"))):
        return None
    try:
        import importlib.util

        if importlib.util.find_spec("setuptools_scm") is None:
            return None
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from setuptools_scm import get_version

            # the same scheme as the build (pyproject.toml sets only the
            # version file, which is not written here)
            found = get_version(root=_PROJECT_ROOT, search_parent_directories=False)
    except Exception:  # noqa: BLE001 - a version must never stop the program
        return None
    return found if isinstance(found, str) and found else None


def _from_metadata() -> str | None:
    """The installed distribution's version, or None."""
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as distribution_version

        try:
            found = distribution_version(DISTRIBUTION)
        except PackageNotFoundError:
            return None
    except Exception:  # noqa: BLE001
        return None
    return found or None


def _from_version_file() -> str | None:
    """The version setuptools-scm wrote to chainsim/_version.py at build time, or None."""
    path = os.path.join(_PACKAGE_DIR, "_version.py")
    try:
        if not os.path.isfile(path):
            return None
        with open(path, encoding="utf-8") as file:
            source = file.read()
        namespace: dict[str, object] = {}
        exec(compile(source, path, "exec"), namespace)  # noqa: S102 - our own generated file
        found = namespace.get("__version__", namespace.get("version"))
    except Exception:  # noqa: BLE001
        return None
    return found if isinstance(found, str) and found else None


@functools.cache
def version() -> str:
    """chainsim's version (see the module's docstring for where it comes from)."""
    for source in (_from_scm, _from_metadata, _from_version_file):
        found = source()
        if found:
            return found
    return UNKNOWN


def __getattr__(name: str) -> str:
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
