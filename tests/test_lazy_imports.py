"""The core install (no extras) imports every module of the package, and no
module imports an extra at import time: extras are imported lazily, where they
are used. Run in a fresh interpreter, so that what other tests imported does
not count."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sklearn_activesynth

# What the extras of setup.cfg bring (top-level module names).
EXTRAS = ("torch", "skorch", "sdv", "rdt", "ctgan", "copulas", "openai", "xgboost",
          "imblearn", "dask", "distributed", "matplotlib", "sdmetrics", "pydantic")
# Modules that are all about an extra: importing them without it raises
# ImportError (``nn`` with an install hint). Nothing else may.
NEEDS_EXTRA = {
    "sklearn_activesynth.nn",
    "sklearn_activesynth.generators._torch_modules",
}

PACKAGE_DIR = Path(sklearn_activesynth.__file__).parent

SCRIPT = r"""
import importlib, importlib.abc, json, sys

extras, modules, block = json.loads(sys.argv[1])


class _NoExtras(importlib.abc.MetaPathFinder):
    # as if the extras were not installed
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in extras:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


if block:
    sys.meta_path.insert(0, _NoExtras())
failed = {}
for name in modules:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps({"failed": failed,
                  "loaded": sorted(m for m in extras if m in sys.modules)}))
"""


def _modules():
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _import_in_fresh_interpreter(modules, block):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(PACKAGE_DIR.parent)] + [p for p in [env.get("PYTHONPATH")] if p])
    out = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps([EXTRAS, modules, block])],
                         capture_output=True, text=True, env=env, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_module_list_is_complete():
    names = _modules()
    assert "sklearn_activesynth" in names and "sklearn_activesynth.benchmark._report" in names
    assert NEEDS_EXTRA <= set(names), NEEDS_EXTRA - set(names)


@pytest.mark.parametrize("block", [True, False], ids=["extras-hidden", "as-installed"])
def test_every_module_imports_without_importing_an_extra(block):
    # extras-hidden: what `pip install sklearn-activesynth` gives, even where
    # the extras are installed; as-installed: no module imports an installed
    # extra eagerly either.
    modules = [m for m in _modules() if m not in NEEDS_EXTRA]
    res = _import_in_fresh_interpreter(modules, block)
    assert res["failed"] == {}, res["failed"]
    assert res["loaded"] == [], f"imported at import time: {res['loaded']}"


def test_modules_that_need_an_extra_say_how_to_install_it():
    res = _import_in_fresh_interpreter(["sklearn_activesynth.nn"], True)
    err = res["failed"]["sklearn_activesynth.nn"]
    assert err.startswith("ImportError") and "sklearn-activesynth[torch]" in err, err
