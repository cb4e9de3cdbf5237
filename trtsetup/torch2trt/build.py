"""Build torch2trt into a wheel with the target interpreter, install it, and build/install the
CMake plugin library (v0.4.0+). Every command goes through ``run`` (the step's logged runner:
its output lands in the step log); a failure is diagnosed from that output and raised as
``ActionFailed(cause, fix, log_path)``.

Choices (facts: shared/facts/torch2trt-install.md):

* Never ``pip install .`` with build isolation (F16): ``python -m pip wheel
  --no-build-isolation --no-deps`` without plugins; ``python setup.py bdist_wheel --plugins``
  with them (setup.py reads ``--plugins`` from argv; pip cannot pass it portably).
* ``--plugins`` (the legacy ``torch2trt.plugins`` extension) is useful only on the revisions
  the ``torch2trt_revisions`` recipes say load it (v0.2.0/v0.3.0); later ones import
  ``torch2trt.torch_plugins`` instead, so it is dead weight: built only when planned, and said so.
* ``CUDA_HOME`` and ``PATH`` (``$CUDA_HOME/bin`` first) are set for nvcc; ``MAX_JOBS`` comes
  from memory (trtsetup.plan.build_jobs: one compiler per 1.5 GiB of RAM+swap; OOM kills are a top failure).
* Install: ``python -m pip install --no-deps --force-reinstall WHEEL``; ``--user`` only for a
  system interpreter (never in a venv or conda env, where it is invisible: F25).
* The plugin library goes to ``/usr/local/lib`` plus ``ldconfig`` as root; otherwise to
  ``~/.local/lib`` with a preload hook in the interpreter's site dir (torch2trt loads the
  library by bare name, which that dir is not on: F20), recorded for the doctor.
"""

import os
import shutil
import tempfile
from typing import Any, Callable, Dict, List, NamedTuple, Optional

from ..errors import ActionFailed
from ..hashing import sha256_file
from ..plan.steps.pip import pip_argv
from .diagnose import build_failure

BUILD_TIMEOUT = 3600.0
PIP_TIMEOUT = 900.0
PLUGINS_LIB = "libtorch2trt_plugins.so"
PRELOAD_MODULE = "trtsetup_t2t_plugins_preload"
PRELOAD_PTH = "trtsetup_t2t_plugins.pth"


def plugins_note(shape, wanted, loaded_by):
    # type: (Optional[str], bool, Any) -> Optional[str]
    """A note when the legacy --plugins extension is built for a revision that never loads it
    (``loaded_by``: the revisions that do, from the ``torch2trt_revisions`` recipes)."""
    if wanted and shape not in tuple(loaded_by):
        return ("--plugins on torch2trt {} builds torch2trt.plugins, which this version never "
                "loads (it imports torch2trt.torch_plugins): dead weight. Its plugins are the CMake "
                "library libtorch2trt_plugins.so.".format(shape or "(unknown version)"))
    return None


def build_env(cuda_home, base_path, jobs):
    # type: (Optional[str], Optional[str], int) -> Dict[str, str]
    env = {"MAX_JOBS": str(jobs)}
    path = base_path or "/usr/local/bin:/usr/bin:/bin"
    if cuda_home:
        env["CUDA_HOME"] = cuda_home
        env["CUDA_PATH"] = cuda_home
        path = os.path.join(cuda_home, "bin") + os.pathsep + path
    env["PATH"] = path
    return env


def wheel_argv(python, src_dir, out_dir, plugins):
    # type: (str, str, str, bool) -> List[str]
    if plugins:
        return [python, "setup.py", "bdist_wheel", "--plugins", "--dist-dir", out_dir]
    return pip_argv(python, ["wheel", "--no-build-isolation", "--no-deps", "--wheel-dir", out_dir, src_dir])


def install_argv(python, wheel, user, is_venv, is_conda):
    # type: (str, str, bool, Optional[bool], Optional[bool]) -> List[str]
    argv = pip_argv(python, ["install", "--no-deps", "--force-reinstall"])
    if user and not is_venv and not is_conda:
        argv.append("--user")
    return argv + [wheel]


def _output(result):
    return (result.stdout or "") + (result.stderr or "") + (
        "\n{}\n".format(result.error) if result.error else "")


def _check(result, what, log_path):
    if result.returncode != 0:
        raise build_failure(what, _output(result), log_path)
    return result


class BuiltWheel(NamedTuple):
    path: str
    sha256: str
    plugins: bool


def build_wheel(run, python, src_dir, wheel_dir, env, plugins, log_path=None, timeout=BUILD_TIMEOUT):
    # type: (Callable[..., Any], str, str, str, Dict[str, str], bool, Optional[str], float) -> BuiltWheel
    """Build one wheel from ``src_dir`` into ``wheel_dir`` (kept there for bundles)."""
    os.makedirs(wheel_dir, exist_ok=True)
    out = tempfile.mkdtemp(prefix=".wheel-", dir=wheel_dir)
    try:
        result = run(wheel_argv(python, src_dir, out, plugins), env=env, cwd=src_dir, timeout=timeout)
        _check(result, "building the torch2trt wheel", log_path)
        wheels = [n for n in os.listdir(out) if n.endswith(".whl")]
        if len(wheels) != 1:
            raise ActionFailed("building torch2trt left {} wheels in {}".format(len(wheels), out),
                               fix="Read the log{}.".format(" at " + log_path if log_path else ""),
                               log_path=log_path)
        final = os.path.join(wheel_dir, wheels[0])
        os.replace(os.path.join(out, wheels[0]), final)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return BuiltWheel(final, sha256_file(final), plugins)


def install_wheel(run, python, wheel, user, is_venv, is_conda, log_path=None, timeout=PIP_TIMEOUT):
    result = run(install_argv(python, wheel, user, is_venv, is_conda), timeout=timeout)
    _check(result, "installing the torch2trt wheel", log_path)


# -- the CMake plugin library ----------------------------------------------------------------

class PluginsLib(NamedTuple):
    path: str          # the installed library
    sha256: str
    prefix: str
    loader: str        # "ldconfig" | "preload-hook" | "none"
    hook_files: List[str]
    built: str         # the library kept in the cache for bundles


def cmake_configure_argv(cmake, src_dir, prefix, cuda_home=None, nvcc=None):
    # type: (str, str, str, Optional[str], Optional[str]) -> List[str]
    """Configure from inside the build dir (``cmake SRC``): CMake 3.10 (JetPack 4) has no -S/-B."""
    argv = [cmake, src_dir, "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_INSTALL_PREFIX=" + prefix,
            "-DCMAKE_DISABLE_FIND_PACKAGE_Catch2=ON"]
    if cuda_home:
        argv.append("-DCUDA_TOOLKIT_ROOT_DIR=" + cuda_home)
    if nvcc:
        argv.append("-DCMAKE_CUDA_COMPILER=" + nvcc)
    return argv


def build_plugins_lib(run, src_dir, build_dir, prefix, env, jobs, cmake="cmake", cuda_home=None,
                      nvcc=None, log_path=None, timeout=BUILD_TIMEOUT):
    # type: (Callable[..., Any], str, str, str, Dict[str, str], int, str, Optional[str], Optional[str], Optional[str], float) -> str
    """Configure, build and install the library into ``prefix``; returns the installed path."""
    if os.path.isdir(build_dir):
        shutil.rmtree(build_dir)
    os.makedirs(build_dir)
    steps = [
        (cmake_configure_argv(cmake, src_dir, prefix, cuda_home, nvcc), "configuring the plugin library"),
        ([cmake, "--build", ".", "--", "-j{}".format(jobs)], "building the plugin library"),
        ([cmake, "--build", ".", "--target", "install"], "installing the plugin library"),
    ]
    for argv, what in steps:
        _check(run(argv, env=env, cwd=build_dir, timeout=timeout), what, log_path)
    installed = os.path.join(prefix, "lib", PLUGINS_LIB)
    if not os.path.exists(installed):
        raise ActionFailed("the plugin library was not installed at {}".format(installed),
                           fix="Read the log{}.".format(" at " + log_path if log_path else ""),
                           log_path=log_path)
    return installed


_PRELOAD_SOURCE = '''\
"""Written by trtsetup: load {lib} by absolute path when torch2trt is imported.

torch2trt loads it with ctypes.CDLL('{name}') (a bare name); {libdir} is not on the
loader path, so without this the ReflectionPad2d converter silently goes missing. Remove this
file and {pth} to undo.
"""
import sys

LIBRARY = {lib!r}


class _Preload(object):
    def find_spec(self, name, path=None, target=None):
        if name == "torch2trt":
            if self in sys.meta_path:
                sys.meta_path.remove(self)
            try:
                import ctypes
                ctypes.CDLL(LIBRARY)
            except OSError:
                pass
        return None

    def find_module(self, name, path=None):  # Python < 3.4 protocol, never used on 3.6+
        return None


if not any(type(f).__name__ == "_Preload" for f in sys.meta_path):
    sys.meta_path.insert(0, _Preload())
'''


def write_preload_hook(site_dir, library):
    # type: (str, str) -> List[str]
    """A .pth + module in ``site_dir`` that preloads ``library`` on ``import torch2trt``."""
    from .patch import atomic_write  # the one atomic writer in this package

    os.makedirs(site_dir, exist_ok=True)
    module = os.path.join(site_dir, PRELOAD_MODULE + ".py")
    pth = os.path.join(site_dir, PRELOAD_PTH)
    atomic_write(module, _PRELOAD_SOURCE.format(lib=library, name=PLUGINS_LIB,
                                                libdir=os.path.dirname(library),
                                                pth=PRELOAD_PTH).encode("utf-8"))
    atomic_write(pth, ("import " + PRELOAD_MODULE + "\n").encode("utf-8"))
    return [module, pth]


SITE_DIR_SCRIPT = ("import site, sys, sysconfig\n"
                   "print(site.getusersitepackages() if sys.argv[1] == 'user' else sysconfig.get_paths()['purelib'])\n")


def target_site_dir(run, python, user):
    # type: (Callable[..., Any], str, bool) -> str
    result = run([python, "-c", SITE_DIR_SCRIPT, "user" if user else "purelib"], timeout=60)
    if result.returncode != 0 or not (result.stdout or "").strip():
        raise ActionFailed("cannot ask {} for its site-packages dir".format(python),
                           fix="Check that the interpreter runs: {} -c 'import site'".format(python))
    return result.stdout.strip().splitlines()[-1]
