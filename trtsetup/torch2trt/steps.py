"""The torch2trt steps the executor runs, in this order (ids are stable):

``t2t-source``  fetch/unpack the source, resolve and record its commit
``t2t-patch``   patch the tree (dirs, CUDA archs, compat rules)
``t2t-build``   build the wheel with the target interpreter and install it
``t2t-plugins`` build/install the CMake plugin library (v0.4.0+; a no-op without CMakeLists.txt)
``t2t-verify``  fresh-process import from a neutral dir + the library loads

They share one ``T2tJob`` (built by the resolver with ``T2tJob.from_facts``): the source step
fills ``job.source`` for the others. What was installed is recorded in
``<state_dir>/torch2trt.json`` (schema ``trtsetup.t2t-install/1``), which ``is_satisfied``
compares with what is wanted and the doctor can read (``plugins_lib.path``/``loader``).
"""

import hashlib
import json
import os
from typing import Any, Dict, List, Optional, Tuple

from ..errors import ActionFailed
from ..plan.step import Step
from . import build as t2t_build
from . import patch as t2t_patch
from . import source as t2t_source
from .verify import verify_install

INSTALL_RECORD = "torch2trt.json"
INSTALL_SCHEMA = "trtsetup.t2t-install/1"

LOCATE_SCRIPT = ("import sys, importlib.util\n"
                 "if sys.path and sys.path[0] in ('', '.'):\n    del sys.path[0]\n"
                 "spec = importlib.util.find_spec('torch2trt')\n"
                 "print(spec.origin if spec is not None and spec.origin else '')\n")


class T2tJob(object):
    """What the t2t-* steps of one plan want, and what they found on the way."""

    def __init__(self, spec, require_ancestor=None, patch_options=None, plugins=False,
                 cuda_home=None, nvcc=None, ram_mib=None, swap_mib=None, cpu_count=None,
                 is_venv=None, is_conda=None, is_root=None, cmake="cmake", plugins_prefix=None):
        self.spec = spec                        # source.SourceSpec
        self.require_ancestor = require_ancestor
        self.patch_options = patch_options or t2t_patch.PatchOptions()
        self.plugins = plugins                  # build the legacy --plugins extension
        self.cuda_home = cuda_home
        self.nvcc = nvcc
        self.jobs = t2t_build.max_jobs(ram_mib, swap_mib, cpu_count)
        self.is_venv = is_venv
        self.is_conda = is_conda
        self.is_root = is_root
        self.cmake = cmake
        self.plugins_prefix = plugins_prefix    # None: /usr/local as root, else ~/.local
        self.source = None                      # source.Source, set by t2t-source

    @classmethod
    def from_facts(cls, facts, ref, src=None, require_ancestor=None, trt_include=None, trt_lib=None,
                   cuda_arch=None, plugins=False, compat=True):
        """The resolver's constructor: recipes give ``ref`` (v0.3.0 / v0.5.0 / master) and
        ``require_ancestor`` ("4e820ae" for TensorRT 10); ``src`` is --torch2trt-src."""
        from ..commands.patch import resolve_options

        options, _ = resolve_options(None, trt_include, trt_lib, cuda_arch, facts, compat)
        system = facts.system
        python = facts.python
        return cls(t2t_source.parse_source_spec(src, default_ref=ref), require_ancestor, options,
                   plugins, facts.cuda.home, facts.cuda.nvcc_path, system.ram_mib, system.swap_mib,
                   system.cpu_count, python.is_venv, python.is_conda, system.is_root)

    def wanted_key(self, python):
        return {"commit": self.source.commit if self.source else None, "patch": self.patch_options.key(),
                "python": python, "plugins": bool(self.plugins)}

    def cache_key(self):
        digest = hashlib.sha256(self.patch_options.key().encode("utf-8")).hexdigest()[:8]
        return "{}-{}".format((self.source.commit or "nocommit")[:12], digest)


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


def _need_source(job):
    if job.source is None:
        raise ActionFailed("torch2trt source not fetched (t2t-source did not run)",
                           fix="Run the whole plan; t2t-source comes first.")
    return job.source


class T2tSourceStep(Step):
    id = "t2t-source"
    summary = "fetch the torch2trt source and resolve its commit"

    def __init__(self, job, reason=""):
        self.job = job
        self.reason = reason

    def is_satisfied(self, ctx):
        return None  # cheap when cached: a tag or commit in the mirror needs no network

    def run(self, ctx):
        source = t2t_source.fetch_source(self.job.spec, ctx.cache_dir, ctx.run_logged,
                                         self.job.require_ancestor)
        self.job.source = source
        for note in source.notes:
            ctx.emit(note)
        return source.to_json()

    def describe(self):
        return {"source": {"kind": self.job.spec.kind, "location": self.job.spec.location,
                           "ref": self.job.spec.ref, "require_ancestor": self.job.require_ancestor}}


class T2tPatchStep(Step):
    id = "t2t-patch"
    summary = "patch torch2trt for this TensorRT, GPU, CMake and Python"

    def __init__(self, job, reason=""):
        self.job = job
        self.reason = reason

    def is_satisfied(self, ctx):
        if self.job.source is None:
            return None
        plan = t2t_patch.plan_tree(self.job.source.src_dir, self.job.patch_options)
        if plan.needs_patching:
            return None
        return "the torch2trt tree is already patched ({})".format(", ".join(plan.in_effect) or "nothing to do")

    def run(self, ctx):
        source = _need_source(self.job)
        plan = t2t_patch.plan_tree(source.src_dir, self.job.patch_options)
        _log(ctx, t2t_patch.unified_diff(plan))
        for note in plan.notes:
            ctx.emit(note)
        written = t2t_patch.apply_plan(plan)
        return {"patched": written, "in_effect": list(plan.in_effect), "notes": list(plan.notes)}

    def describe(self):
        opts = self.job.patch_options
        return {"patch": {"trt_include": opts.trt_include, "trt_lib": opts.trt_lib,
                          "cuda_arch": list(opts.cuda_arch), "compat": opts.compat}}


def _installed_origin(ctx):
    result = ctx.host.run([ctx.python, "-c", LOCATE_SCRIPT], timeout=60, cwd=ctx.cache_dir)
    return (result.stdout or "").strip() if result.returncode == 0 else ""


class T2tBuildStep(Step):
    id = "t2t-build"
    summary = "build the torch2trt wheel with the target interpreter and install it"

    def __init__(self, job, reason=""):
        self.job = job
        self.reason = reason

    def is_satisfied(self, ctx):
        if self.job.source is None or self.job.source.commit is None:
            return None
        record = read_install_record(ctx.state_dir)
        if record.get("wanted") != self.job.wanted_key(ctx.python):
            return None
        origin = _installed_origin(ctx)
        if not origin or origin != record.get("installed_file"):
            return None
        return "torch2trt {} (patched the same way) is installed for {}".format(
            self.job.source.commit[:12], ctx.python)

    def run(self, ctx):
        source = _need_source(self.job)
        shape = t2t_patch.detect_shape(source.src_dir)
        note = t2t_build.plugins_note(shape, self.job.plugins)
        if note:
            ctx.emit(note)
        env = t2t_build.build_env(self.job.cuda_home, ctx.host.env.get("PATH"), self.job.jobs)
        wheel_dir = os.path.join(ctx.cache_dir, "wheels", self.job.cache_key())
        wheel = t2t_build.build_wheel(ctx.run_logged, ctx.python, source.src_dir, wheel_dir, env,
                                      self.job.plugins, ctx.log_path)
        t2t_build.install_wheel(ctx.run_logged, ctx.python, wheel.path, ctx.user, self.job.is_venv,
                                self.job.is_conda, ctx.log_path)
        record = read_install_record(ctx.state_dir)
        record.update({"wanted": self.job.wanted_key(ctx.python), "source": source.to_json(),
                       "shape": shape, "wheel": wheel.path, "wheel_sha256": wheel.sha256,
                       "installed_file": _installed_origin(ctx), "plugins_ext": wheel.plugins})
        record.pop("plugins_lib", None)  # a new build: the library is rebuilt against it
        write_install_record(ctx.state_dir, record)
        return {"wheel": wheel.path, "wheel_sha256": wheel.sha256, "plugins_note": note}

    def describe(self):
        return {"build": {"plugins": self.job.plugins, "max_jobs": self.job.jobs,
                          "cuda_home": self.job.cuda_home}}


class T2tPluginsStep(Step):
    id = "t2t-plugins"
    summary = "build and install the torch2trt CMake plugin library (libtorch2trt_plugins.so)"

    def __init__(self, job, reason=""):
        self.job = job
        self.reason = reason

    def _prefix(self, ctx):
        if self.job.plugins_prefix:
            return self.job.plugins_prefix, False
        return default_plugins_prefix(self.job.is_root, ctx.host.env.get("HOME"))

    def is_satisfied(self, ctx):
        if self.job.source is None:
            return None
        if not os.path.exists(os.path.join(self.job.source.src_dir, t2t_patch.CMAKELISTS)):
            return "this torch2trt has no CMake plugin library (added in v0.4.0)"
        lib = read_install_record(ctx.state_dir).get("plugins_lib") or {}
        if lib.get("wanted") != self.job.wanted_key(ctx.python) or not lib.get("path"):
            return None
        if not os.path.exists(lib["path"]) or t2t_build.sha256_file(lib["path"]) != lib.get("sha256"):
            return None
        return "{} is installed ({})".format(lib["path"], lib.get("loader"))

    def run(self, ctx):
        source = _need_source(self.job)
        if not os.path.exists(os.path.join(source.src_dir, t2t_patch.CMAKELISTS)):
            return {"skipped": "no CMakeLists.txt (torch2trt < v0.4.0)"}
        prefix, system = self._prefix(ctx)
        env = t2t_build.build_env(self.job.cuda_home, ctx.host.env.get("PATH"), self.job.jobs)
        build_dir = os.path.join(ctx.cache_dir, "build", "plugins-" + self.job.cache_key())
        path = t2t_build.build_plugins_lib(ctx.run_logged, source.src_dir, build_dir, prefix, env,
                                           self.job.jobs, self.job.cmake, self.job.cuda_home,
                                           self.job.nvcc, ctx.log_path)
        kept = os.path.join(ctx.cache_dir, "plugins", self.job.cache_key(), t2t_build.PLUGINS_LIB)
        os.makedirs(os.path.dirname(kept), exist_ok=True)
        with open(path, "rb") as handle:
            t2t_patch.atomic_write(kept, handle.read())
        user_site = bool(ctx.user and not self.job.is_venv and not self.job.is_conda)
        loader, hook_files = make_plugins_lib_loadable(ctx, path, system, user_site)
        doc = {"wanted": self.job.wanted_key(ctx.python), "path": path, "prefix": prefix,
               "sha256": t2t_build.sha256_file(path), "loader": loader, "hook_files": hook_files,
               "kept": kept}
        record = read_install_record(ctx.state_dir)
        record["plugins_lib"] = doc
        write_install_record(ctx.state_dir, record)
        return doc

    def describe(self):
        return {"plugins_lib": {"prefix": self.job.plugins_prefix, "cuda_arch": list(self.job.patch_options.cuda_arch),
                                "nvcc": self.job.nvcc}}


class T2tVerifyStep(Step):
    id = "t2t-verify"
    summary = "import torch2trt in a fresh interpreter from a neutral directory; load the plugin library"

    def __init__(self, job, reason="", env=None):
        self.job = job
        self.reason = reason
        self.env = env  # extra environment for the check (tests: LD_LIBRARY_PATH of a tarball TRT)

    def is_satisfied(self, ctx):
        return None  # a check: always run

    def run(self, ctx):
        lib = (read_install_record(ctx.state_dir).get("plugins_lib") or {}).get("path")
        src_dir = self.job.source.src_dir if self.job.source else None
        result = verify_install(ctx.run_logged, ctx.python, src_dir=src_dir, plugins_lib=lib,
                                env=self.env, log_path=ctx.log_path)
        return {"file": result.file, "plugins_lib": lib,
                "reflection_pad_converter": result.reflection_pad_converter}


def t2t_steps(job, reason=""):
    """The five steps in order, sharing ``job`` (what the resolver appends to a plan)."""
    return [T2tSourceStep(job, reason), T2tPatchStep(job, reason), T2tBuildStep(job, reason),
            T2tPluginsStep(job, reason), T2tVerifyStep(job, reason)]
