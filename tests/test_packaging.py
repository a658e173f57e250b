"""The package as a user gets it, and where its version comes from.

The slow part builds the sdist and, from it, the wheel (``python -m build``,
into a temporary folder), makes a clean virtual environment (no system site
packages), installs the wheel alone, without extras, under the core lock
(``requirements/lock-core.txt`` as constraints, pip's cache as usual), and
checks, from a folder outside the repository, that ``chainsim --version``
reports the version from git, that the browser app's and the cluster's
packages are absent, that every installed distribution is pinned by the lock,
and that ``chainsim run`` works. Building and installing need the package
index; where pip cannot reach it these tests are skipped with the reason.

The fast part checks ``chainsim.version``: cheap to import, never raising,
and its order of sources.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCK_CORE = ROOT / "requirements" / "lock-core.txt"
VERSION_PY = ROOT / "chainsim" / "version.py"
BIN = "Scripts" if os.name == "nt" else "bin"

# What pip and build print when the index cannot be reached or does not answer.
NO_INDEX = ("No matching distribution found", "Could not find a version that satisfies",
            "Temporary failure in name resolution", "Name or service not known", "NewConnectionError",
            "Max retries exceeded", "Failed to establish a new connection", "Network is unreachable",
            "ConnectTimeoutError", "ReadTimeoutError", "ProxyError", "Could not fetch URL")
# Distributions a new virtual environment may bring itself.
VENV_OWN = {"pip", "setuptools", "wheel"}


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(cmd: list[str], *, what: str, cwd: Path, timeout: float = 900,
         index: bool = False) -> subprocess.CompletedProcess[str]:
    """Run cmd; fail with its output, or skip when it needs the index (index=True) and cannot reach it."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout)
    print(f"{what}: {time.perf_counter() - start:.1f} s")
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        if index:
            for marker in NO_INDEX:
                if marker in output:
                    line = next(ln for ln in output.splitlines() if marker in ln)
                    pytest.skip(f"{what}: the package index cannot be reached ({line.strip()[:200]})")
        pytest.fail(f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n{output[-6000:]}")
    return proc


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = line.split(";", 1)[0].strip()
        name, _, pinned = requirement.partition("==")
        assert pinned, f"{path.name}: {line!r} is not an exact pin"
        pins[_canonical(name)] = pinned.strip()
    return pins


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A clean virtual environment with the wheel installed under the core lock."""
    pytest.importorskip("build", reason="python -m build is not installed (pip install -e '.[dev]')")
    tmp = tmp_path_factory.mktemp("packaging")
    dist = tmp / "dist"
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
         what="build sdist and wheel", cwd=tmp, index=True)
    wheels = sorted(dist.glob("chainsim-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, got {[w.name for w in wheels]}"

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], what="create venv", cwd=tmp)
    python = venv / BIN / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", "-c", str(LOCK_CORE), str(wheels[0])],
         what="install wheel under the core lock", cwd=tmp, index=True)
    listed = _run([str(python), "-m", "pip", "list", "--format=json"], what="pip list", cwd=tmp)
    distributions = {_canonical(d["name"]): d["version"] for d in json.loads(listed.stdout)}
    work = tmp / "work"  # outside the repository: the wheel, not the source tree, answers
    work.mkdir()
    return {"python": python, "chainsim": venv / BIN / "chainsim", "wheel": wheels[0], "work": work,
            "distributions": distributions}


def test_core_install_is_pinned_by_the_lock(installed):
    pins = _lock_pins(LOCK_CORE)
    loose = {name: v for name, v in installed["distributions"].items()
             if name not in VENV_OWN | {"chainsim"} and pins.get(name) != v}
    assert not loose, f"installed but not pinned (or pinned at another version) in {LOCK_CORE.name}: {loose}"
    print(f"core install: {len(installed['distributions'])} distributions")


def test_version_comes_from_git(installed):
    proc = _run([str(installed["chainsim"]), "--version"], what="chainsim --version", cwd=installed["work"])
    printed = (proc.stdout + proc.stderr).split()[-1]
    assert not printed.startswith("0.0.0") and printed != "0.1.0", printed
    # the wheel's file name carries the version setuptools-scm gave it
    assert installed["wheel"].name.split("-")[1] == printed.replace("-", "_")


def test_core_install_has_no_app_cluster_or_ema_packages(installed):
    code = ("import chainsim, importlib.util\n"
            "for name in ('solara', 'dask', 'distributed', 'ipyvue', 'ema_workbench'):\n"
            "    assert importlib.util.find_spec(name) is None, name\n")
    _run([str(installed["python"]), "-c", code], what="import chainsim without extras", cwd=installed["work"])


def test_run_works_from_the_wheel(installed):
    out = installed["work"] / "out"
    _run([str(installed["chainsim"]), "run", "--replications", "2", "--workers", "1", "--regions", "Friesland",
          "--out", str(out), "--quiet"], what="chainsim run", cwd=installed["work"], timeout=600)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["replications"] == 2


def test_shipped_scenarios_work_from_the_wheel(installed):
    listed = _run([str(installed["chainsim"]), "scenarios"], what="chainsim scenarios", cwd=installed["work"])
    assert "lever_joint_targets" in listed.stdout and "netherlands_2012" in listed.stdout
    out = installed["work"] / "by_name"
    _run([str(installed["chainsim"]), "run", "lever_joint_targets", "--replications", "1", "--workers", "1",
          "--regions", "Twente", "--out", str(out), "--quiet"], what="chainsim run NAME", cwd=installed["work"],
         timeout=600)
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["scenario"] == "lever_joint_targets"
    mine = installed["work"] / "mine.toml"
    mine.write_text('extends = "netherlands_2012.toml"\ndescription = "x"\nsources = ["y"]\n'
                    'regions = ["Zeeland"]\n', encoding="utf-8")
    _run([str(installed["chainsim"]), "validate", str(mine)], what="extends a shipped scenario",
         cwd=installed["work"])


# --- chainsim.version ---------------------------------------------------------------------------

def _fresh_version_module():
    """chainsim/version.py loaded anew (nothing cached), without importing the chainsim package."""
    spec = importlib.util.spec_from_file_location(f"_chainsim_version_{uuid.uuid4().hex}", VERSION_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_version_module_imports_nothing_heavy():
    code = ("import importlib.util, sys\n"
            f"spec = importlib.util.spec_from_file_location('v', {str(VERSION_PY)!r})\n"
            "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
            "heavy = {'setuptools_scm', 'importlib.metadata', 'subprocess', 'chainsim'} & set(sys.modules)\n"
            "assert not heavy, heavy\n")
    proc = subprocess.run([sys.executable, "-S", "-I", "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_version_is_a_pep440_version_and_cached():
    from packaging.version import Version

    module = _fresh_version_module()
    found = module.version()
    Version(found)
    assert module.__version__ == found and module.version() is found


def test_version_falls_back_in_order(tmp_path, monkeypatch):
    module = _fresh_version_module()
    monkeypatch.setattr(module, "_from_scm", lambda: None)
    monkeypatch.setattr(module, "_from_metadata", lambda: "1.2.3")
    assert module.version() == "1.2.3"

    module = _fresh_version_module()
    monkeypatch.setattr(module, "_from_scm", lambda: None)
    monkeypatch.setattr(module, "_from_metadata", lambda: None)
    monkeypatch.setattr(module, "_PACKAGE_DIR", str(tmp_path))
    (tmp_path / "_version.py").write_text("__version__ = version = '4.5.6'\n", encoding="utf-8")
    assert module.version() == "4.5.6"

    module = _fresh_version_module()
    monkeypatch.setattr(module, "_from_scm", lambda: None)
    monkeypatch.setattr(module, "_from_metadata", lambda: None)
    monkeypatch.setattr(module, "_PACKAGE_DIR", str(tmp_path / "nowhere"))
    assert module.version() == module.UNKNOWN == "0.0.0+unknown"


def test_version_never_raises(tmp_path, monkeypatch):
    module = _fresh_version_module()
    # a broken checkout: .git that is no repository
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    monkeypatch.setattr(module, "_PROJECT_ROOT", str(tmp_path))
    assert module._from_scm() is None
    # a setuptools_scm that fails however it is asked
    broken = type(sys)("setuptools_scm")
    broken.__spec__ = importlib.util.spec_from_loader("setuptools_scm", loader=None)

    def get_version(**_):
        raise RuntimeError("broken")

    broken.get_version = get_version
    monkeypatch.setitem(sys.modules, "setuptools_scm", broken)
    monkeypatch.setattr(module, "_PROJECT_ROOT", str(ROOT))
    assert module._from_scm() is None
    # an unreadable version file
    monkeypatch.setattr(module, "_PACKAGE_DIR", str(tmp_path))
    (tmp_path / "_version.py").write_text("this is not python\n", encoding="utf-8")
    assert module._from_version_file() is None
    assert isinstance(module.version(), str)
