"""The steps of a from-bundle plan: install the bundle's wheels offline, place its plugin
library. The self-test that follows is the install's own ``selftest`` step.

Both steps only use files already extracted and verified (``archive.unpack_verified``):
no network (``pip --no-index``), no compiler, and pip checks every wheel's hash again
(``--require-hashes``).
"""

import os
from typing import Any, Dict, List

from ..atomic import copy_atomic
from ..hashing import sha256_file
from ..plan.step import Step
from ..plan.steps import pip
from ..torch2trt.steps import (default_plugins_prefix, make_plugins_lib_loadable, read_install_record,
                               write_install_record)

REQUIREMENTS = "requirements.txt"


class BundleWheelsStep(Step):
    id = "bundle-wheels"
    summary = "install the bundle's wheels offline (pip --no-index --require-hashes)"

    def __init__(self, directory, wheels, reason=""):
        # type: (str, List[Dict[str, Any]], str) -> None
        self.directory = directory
        self.wheels = wheels   # manifest artifacts of kind "wheel"
        self.reason = reason

    def is_satisfied(self, ctx):
        env = pip.read_target(ctx.host, ctx.python)
        for wheel in self.wheels:
            dist = pip.installed(env, wheel["package"])
            if dist is None or not pip.same_version(dist.version, wheel["version"]):
                return None
        return "{} from the bundle {} installed".format(
            ", ".join("{} {}".format(w["package"], w["version"]) for w in self.wheels),
            "is" if len(self.wheels) == 1 else "are")

    def run(self, ctx):
        env = pip.read_target(ctx.host, ctx.python)
        requirements = os.path.join(self.directory, REQUIREMENTS)
        lines = ["{}=={} --hash=sha256:{}\n".format(w["package"], w["version"], w["sha256"]) for w in self.wheels]
        with open(requirements, "w") as handle:
            handle.writelines(lines)
        # --no-deps: the bundle pins the three packages it carries; their PyPI dependencies
        # (numpy, ...) are the device's own (docs/bundle.md).
        args = (["install"] + pip.user_flags(env, ctx.user) +
                ["--no-index", "--find-links", os.path.join(self.directory, "wheels"), "--no-deps",
                 "--only-binary", ":all:", "--require-hashes", "-r", requirements])
        pip.run_pip(ctx, args, "pip install of the bundle's wheels")
        return {"installed": [{"package": w["package"], "version": w["version"], "sha256": w["sha256"]}
                              for w in self.wheels]}

    def describe(self):
        return {"wheels": [w["path"] for w in self.wheels]}


class BundlePluginsStep(Step):
    """The plugin library goes where ``t2t-plugins`` puts it: ``/usr/local/lib`` as root
    (then ldconfig), else ``~/.local/lib`` with a preload hook in the target's site dir."""

    id = "bundle-plugins"
    summary = "place the bundle's torch2trt plugin library as install places it"

    def __init__(self, directory, library, is_root, reason=""):
        # type: (str, Dict[str, Any], bool, str) -> None
        self.directory = directory
        self.library = library  # the manifest artifact of kind "plugins-library"
        self.is_root = is_root
        self.reason = reason

    def _destination(self, ctx):
        prefix, system = default_plugins_prefix(self.is_root, ctx.host.env.get("HOME"))
        return os.path.join(prefix, "lib", os.path.basename(self.library["path"])), system

    def is_satisfied(self, ctx):
        dest, _ = self._destination(ctx)
        lib = read_install_record(ctx.state_dir).get("plugins_lib") or {}
        if lib.get("path") != dest or not os.path.isfile(dest):
            return None
        if sha256_file(dest) != self.library["sha256"]:
            return None
        return "{} is installed ({})".format(dest, lib.get("loader"))

    def run(self, ctx):
        dest, system = self._destination(ctx)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        copy_atomic(os.path.join(self.directory, self.library["path"]), dest)
        env = pip.read_target(ctx.host, ctx.python)
        loader, hook_files = make_plugins_lib_loadable(ctx, dest, system, bool(ctx.user and not pip.is_isolated(env)))
        doc = {"path": dest, "sha256": self.library["sha256"], "loader": loader,
               "hook_files": hook_files, "from_bundle": True}
        record = read_install_record(ctx.state_dir)
        record["plugins_lib"] = doc
        write_install_record(ctx.state_dir, record)
        return doc
