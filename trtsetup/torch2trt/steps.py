"""The torch2trt steps the executor runs, in this order (ids are stable):

``t2t-source``  fetch/unpack the source, resolve and record its commit
``t2t-patch``   patch the tree (dirs, CUDA archs, compat rules)
``t2t-build``   build the wheel with the target interpreter and install it
``t2t-plugins`` build/install the CMake plugin library (v0.4.0+; nothing to do when not planned)
``t2t-verify``  fresh-process import from a neutral dir + the library loads

Each is built from its planned spec (``plan/model.py`` lists the params) and reads nothing
else: the source tree the later steps work in is what ``t2t-source`` returned in this run
(``ctx.earlier["t2t-source"]``). What was installed is recorded in
``<state_dir>/torch2trt.json`` (schema ``trtsetup.t2t-install/1``), which ``is_satisfied``
compares with what is wanted and the doctor can read (``plugins_lib.path``/``loader``).
"""

import hashlib
import json
import os
from typing import Any, Dict, List, Optional, Tuple

from ..errors import ActionFailed
from ..hashing import sha256_file
from ..plan.step import Step
from . import build as t2t_build
from . import patch as t2t_patch
from . import source as t2t_source
from .options import patch_options
from .verify import verify_install

INSTALL_RECORD = "torch2trt.json"
INSTALL_SCHEMA = "trtsetup.t2t-install/1"

LOCATE_SCRIPT = ("import sys, importlib.util\n"
                 "if sys.path and sys.path[0] in ('', '.'):\n    del sys.path[0]\n"
                 "spec = importlib.util.find_spec('torch2trt')\n"
                 "print(spec.origin if spec is not None and spec.origin else '')\n")


def source_of(ctx):
    # type: (Any) -> Optional[Dict[str, Any]]
    """What ``t2t-source`` returned in this run (``src_dir``, ``commit``, ...), or None."""
    return (ctx.earlier or {}).get("t2t-source") if ctx is not None else None


def wanted_key(commit, patch_params, python, plugins):
    """What a build is recorded under: the same commit, patched the same way, for the same
    interpreter, with or without the legacy plugins."""
    return {"commit": commit, "patch": patch_options(patch_params or {}).key(), "python": python,
            "plugins": bool(plugins)}


def cache_key(commit, patch_params):
    digest = hashlib.sha256(patch_options(patch_params or {}).key().encode("utf-8")).hexdigest()[:8]
    return "{}-{}".format((commit or "nocommit")[:12], digest)


def default_plugins_prefix(is_root, home=None):
    # type: (Optional[bool], Optional[str]) -> Tuple[str, bool]
    """(prefix, system-wide) of the plugin library: /usr/local as root (then ldconfig), else
    ~/.local (then a preload hook). The from-bundle install places it the same way."""
    if is_root:
        return "/usr/local", True
    return os.path.join(home or os.path.expanduser("~"), ".local"), False


def make_plugins_lib_loadable(ctx, path, system, user_site):
    # type: (Any, str, bool, bool) -> Tuple[str, List[str]]
    """(loader, hook files): ``ldconfig`` for a system-wide library, else a preload hook in
    the target's site dir (user site when ``user_site``). The from-bundle install uses it too."""
    if system:
        result = ctx.run_logged(["ldconfig"], timeout=120)
        if result.returncode != 0:
            raise ActionFailed("ldconfig failed after installing {}".format(path),
                               fix="Run `ldconfig` as root.", log_path=ctx.log_path)
        return "ldconfig", []
    site = t2t_build.target_site_dir(ctx.run_logged, ctx.python, user_site)
    return "preload-hook", t2t_build.write_preload_hook(site, path)


def read_install_record(state_dir):
    # type: (str) -> Dict[str, Any]
    try:
        with open(os.path.join(state_dir, INSTALL_RECORD)) as handle:
            doc = json.load(handle)
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) and doc.get("schema") == INSTALL_SCHEMA else {}


def write_install_record(state_dir, doc):
    os.makedirs(state_dir, exist_ok=True)
    doc = dict(doc, schema=INSTALL_SCHEMA)
    t2t_patch.atomic_write(os.path.join(state_dir, INSTALL_RECORD),
                           (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def _log(ctx, text):
    with open(ctx.log_path, "a") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")


def _need_source(ctx):
    source = source_of(ctx)
    if source is None:
        raise ActionFailed("torch2trt source not fetched (t2t-source did not run)",
                           fix="Run the whole plan; t2t-source comes first.")
    return source


class T2tSourceStep(Step):
    """params: ``{"ref", "min_commit", "src", "git_url"}``."""

    id = "t2t-source"

    def is_satisfied(self, ctx):
        return None  # cheap when cached: a tag or commit in the mirror needs no network

    def source_spec(self):
        p = self.params
        return t2t_source.parse_source_spec(p.get("src"), default_ref=p.get("ref"), upstream=p.get("git_url"))

    def run(self, ctx):
        source = t2t_source.fetch_source(self.source_spec(), ctx.cache_dir, ctx.run_logged,
                                         self.params.get("min_commit"))
        for note in source.notes:
            ctx.emit(note)
        return source.to_json()


class T2tPatchStep(Step):
    """params: ``{"trt_include", "trt_lib", "cuda_arch", "tensorrt_version", "pre_py37"}``."""

    id = "t2t-patch"

    def options(self):
        return patch_options(self.params)

    def is_satisfied(self, ctx):
        source = source_of(ctx)
        if source is None:
            return None
        plan = t2t_patch.plan_tree(source["src_dir"], self.options())
        if plan.needs_patching:
            return None
        return "the torch2trt tree is already patched ({})".format(", ".join(plan.in_effect) or "nothing to do")

    def run(self, ctx):
        source = _need_source(ctx)
        plan = t2t_patch.plan_tree(source["src_dir"], self.options())
        _log(ctx, t2t_patch.unified_diff(plan))
        notes = list(plan.notes)
        if self.params.get("pre_py37"):
            notes.append("Python < 3.7: torch2trt's examples/contrib/pre_py3.7/fix-getitem.patch is not "
                         "applied by trtsetup; converters using tensor __getitem__ may fail")
        for note in notes:
            ctx.emit(note)
        written = t2t_patch.apply_plan(plan)
        return {"patched": written, "in_effect": list(plan.in_effect), "notes": notes}


def _installed_origin(ctx):
    result = ctx.host.run([ctx.python, "-c", LOCATE_SCRIPT], timeout=60, cwd=ctx.cache_dir)
    return (result.stdout or "").strip() if result.returncode == 0 else ""


class T2tBuildStep(Step):
    """params: ``{"plugins", "legacy_plugin_shapes", "patch", "cuda_home", "max_jobs",
    "is_venv", "is_conda", "cmake_plugins"}``."""

    id = "t2t-build"

    def _wanted(self, ctx, source):
        return wanted_key(source.get("commit"), self.params.get("patch"), ctx.python, self.params.get("plugins"))

    def is_satisfied(self, ctx):
        source = source_of(ctx)
        if source is None or source.get("commit") is None:
            return None
        record = read_install_record(ctx.state_dir)
        if record.get("wanted") != self._wanted(ctx, source):
            return None
        origin = _installed_origin(ctx)
        if not origin or origin != record.get("installed_file"):
            return None
        return "torch2trt {} (patched the same way) is installed for {}".format(source["commit"][:12], ctx.python)

    def run(self, ctx):
        source = _need_source(ctx)
        p = self.params
        src_dir = source["src_dir"]
        shape = t2t_patch.detect_shape(src_dir)
        note = t2t_build.plugins_note(shape, bool(p.get("plugins")), p.get("legacy_plugin_shapes") or ())
        if note:
            ctx.emit(note)
        jobs = p.get("max_jobs") or 1
        env = t2t_build.build_env(p.get("cuda_home"), ctx.host.env.get("PATH"), jobs)
        wheel_dir = os.path.join(ctx.cache_dir, "wheels", cache_key(source.get("commit"), p.get("patch")))
        wheel = t2t_build.build_wheel(ctx.run_logged, ctx.python, src_dir, wheel_dir, env,
                                      bool(p.get("plugins")), ctx.log_path)
        t2t_build.install_wheel(ctx.run_logged, ctx.python, wheel.path, ctx.user, p.get("is_venv"),
                                p.get("is_conda"), ctx.log_path)
        record = read_install_record(ctx.state_dir)
        record.update({"wanted": self._wanted(ctx, source), "source": source,
                       "shape": shape, "wheel": wheel.path, "wheel_sha256": wheel.sha256,
                       "installed_file": _installed_origin(ctx), "plugins_ext": wheel.plugins})
        record.pop("plugins_lib", None)  # a new build: the library is rebuilt against it
        write_install_record(ctx.state_dir, record)
        return {"wheel": wheel.path, "wheel_sha256": wheel.sha256, "plugins_note": note}


class T2tPluginsStep(Step):
    """params: ``{"enabled", "cuda_arch", "plugins", "patch", "cuda_home", "nvcc", "max_jobs",
    "is_root", "is_venv", "is_conda", "cmake", "prefix"}``."""

    id = "t2t-plugins"

    def _prefix(self, ctx):
        if self.params.get("prefix"):
            return self.params["prefix"], False
        return default_plugins_prefix(self.params.get("is_root"), ctx.host.env.get("HOME"))

    def _wanted(self, ctx, source):
        return wanted_key(source.get("commit"), self.params.get("patch"), ctx.python, self.params.get("plugins"))

    def is_satisfied(self, ctx):
        if not self.params.get("enabled", True):
            return self.reason   # the plan says why there is nothing to build
        source = source_of(ctx)
        if source is None:
            return None
        if not os.path.exists(os.path.join(source["src_dir"], t2t_patch.CMAKELISTS)):
            return "this torch2trt has no CMake plugin library (added in v0.4.0)"
        lib = read_install_record(ctx.state_dir).get("plugins_lib") or {}
        if lib.get("wanted") != self._wanted(ctx, source) or not lib.get("path"):
            return None
        if not os.path.exists(lib["path"]) or sha256_file(lib["path"]) != lib.get("sha256"):
            return None
        return "{} is installed ({})".format(lib["path"], lib.get("loader"))

    def run(self, ctx):
        source = _need_source(ctx)
        p = self.params
        if not os.path.exists(os.path.join(source["src_dir"], t2t_patch.CMAKELISTS)):
            return {"skipped": "no CMakeLists.txt (torch2trt < v0.4.0)"}
        prefix, system = self._prefix(ctx)
        jobs = p.get("max_jobs") or 1
        key = cache_key(source.get("commit"), p.get("patch"))
        env = t2t_build.build_env(p.get("cuda_home"), ctx.host.env.get("PATH"), jobs)
        build_dir = os.path.join(ctx.cache_dir, "build", "plugins-" + key)
        path = t2t_build.build_plugins_lib(ctx.run_logged, source["src_dir"], build_dir, prefix, env, jobs,
                                           p.get("cmake") or "cmake", p.get("cuda_home"), p.get("nvcc"),
                                           ctx.log_path)
        kept = os.path.join(ctx.cache_dir, "plugins", key, t2t_build.PLUGINS_LIB)
        os.makedirs(os.path.dirname(kept), exist_ok=True)
        with open(path, "rb") as handle:
            t2t_patch.atomic_write(kept, handle.read())
        user_site = bool(ctx.user and not p.get("is_venv") and not p.get("is_conda"))
        loader, hook_files = make_plugins_lib_loadable(ctx, path, system, user_site)
        doc = {"wanted": self._wanted(ctx, source), "path": path, "prefix": prefix,
               "sha256": sha256_file(path), "loader": loader, "hook_files": hook_files, "kept": kept}
        record = read_install_record(ctx.state_dir)
        record["plugins_lib"] = doc
        write_install_record(ctx.state_dir, record)
        return doc


class T2tVerifyStep(Step):
    """params: ``{}`` (a test may set ``env``: extra environment for the check, e.g. the
    LD_LIBRARY_PATH of a tarball TensorRT)."""

    id = "t2t-verify"

    def __init__(self, spec):
        super(T2tVerifyStep, self).__init__(spec)
        self.env = self.params.get("env")

    def is_satisfied(self, ctx):
        return None  # a check: always run

    def run(self, ctx):
        lib = (read_install_record(ctx.state_dir).get("plugins_lib") or {}).get("path")
        source = source_of(ctx) or {}
        result = verify_install(ctx.run_logged, ctx.python, src_dir=source.get("src_dir"), plugins_lib=lib,
                                env=self.env, log_path=ctx.log_path)
        return {"file": result.file, "plugins_lib": lib,
                "reflection_pad_converter": result.reflection_pad_converter}
