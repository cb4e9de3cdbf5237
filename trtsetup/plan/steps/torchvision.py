"""The torchvision-install step: a git tag built into a wheel, or a package from an index.

From git (Jetson: no torchvision wheels match NVIDIA's torch builds): clone the tag into a
temporary folder, build a wheel with the *target* interpreter (``pip wheel
--no-build-isolation``, so the build sees the installed torch; ``BUILD_VERSION`` set so the
version is ``0.7.0`` rather than ``0.7.0a0+sha``; ``MAX_JOBS`` from RAM+swap, about one
compiler per 1.5 GiB, so a Nano does not swap itself to death), keep the wheel in the cache
(for bundles, and so a failed install after a 40-minute build does not build again), and only
then install it. A failed build therefore leaves what was installed as it was.
"""

import os
import shutil
import tempfile
from typing import Any, Dict, List, Optional

from ...atomic import copy_atomic
from ..build_jobs import max_jobs
from ...errors import ActionFailed
from ...probes.system import parse_cpu_list, parse_meminfo
from ..step import Step
from . import pip
from ...hashing import sha256_file

GIT_TIMEOUT = 1800.0
BUILD_TIMEOUT = 4 * 3600.0      # torchvision on a Nano takes most of an hour
BUILD_TOOLS = ("setuptools", "wheel")


def read_max_jobs(host):
    # type: (Any) -> int
    memory = parse_meminfo(host.read_text("/proc/meminfo") or "") or {}
    cpus = parse_cpu_list(host.read_text("/sys/devices/system/cpu/online") or "")
    return max_jobs(memory.get("ram_mib"), memory.get("swap_mib"), cpus)


def release_matches(installed, wanted):
    # type: (Optional[str], Optional[str]) -> bool
    """``0.7.0`` is satisfied by ``0.7.0`` and by a build of the same tag that kept its
    development suffix (``0.7.0a0+78ed10c``, what a build without BUILD_VERSION reports)."""
    if pip.same_version(installed, wanted):
        return True
    have, want = pip.parse_version(installed), pip.parse_version(wanted)
    if have is None or want is None:
        return False
    pad = max(len(have.release), len(want.release))
    return (have.release + (0,) * (pad - len(have.release))
            == want.release + (0,) * (pad - len(want.release)))


def wheel_cache_dir(cache_dir, version, tag):
    # type: (str, str, str) -> str
    return os.path.join(cache_dir, "wheels", "torchvision", version, tag)


def cached_wheel(cache_dir, version, tag):
    # type: (str, str, str) -> Optional[str]
    directory = wheel_cache_dir(cache_dir, version, tag)
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".whl"))
    except OSError:
        return None
    return os.path.join(directory, names[-1]) if names else None


class TorchvisionInstall(Step):
    """params: ``{"source": "git", "version", "git_url", "tag"}`` or ``{"source": "index",
    "requirement", "index_url", "extra_index_urls", "find_links", "no_index"}``, plus
    ``{"no_deps": bool}``."""

    id = "torchvision-install"
    package = "torchvision"

    def _wanted(self):
        if self.params.get("source") == "git":
            return "torchvision=={}".format(self.params.get("version"))
        return self.params.get("requirement") or "torchvision"

    def _ok(self, dist):
        if dist is None:
            return False
        if self.params.get("source") == "git":
            return release_matches(dist.version, self.params.get("version"))
        return pip.requirement_met(self._wanted(), dist.version)

    def is_satisfied(self, ctx):
        dist = pip.installed(pip.read_target(ctx.host, ctx.python), self.package)
        return pip.satisfied_reason(dist, self._wanted()) if self._ok(dist) else None

    def run(self, ctx):
        env = pip.read_target(ctx.host, ctx.python)
        before = pip.installed(env, self.package)
        record = {"package": self.package, "source": self.params.get("source"),
                  "replaced": before.version if before else None}
        if self.params.get("source") == "git":
            record.update(self._build_and_install(ctx, env))
        else:
            requirement = self._wanted()
            ctx.emit("installing {}".format(requirement))
            pip.run_pip(ctx, ["install"] + pip.user_flags(env, ctx.user) + self._deps_flags()
                        + pip.index_args(self.params) + [requirement],
                        "pip install of {}".format(requirement))
            record.update({"requirement": requirement, "index_url": self.params.get("index_url"),
                           "find_links": self.params.get("find_links"),
                           "no_index": bool(self.params.get("no_index"))})
        after = pip.installed(pip.read_target(ctx.host, ctx.python), self.package)
        record["installed_version"] = after.version if after else None
        record["location"] = after.location if after else None
        return record

    # -- from git ------------------------------------------------------------------------------

    def _build_and_install(self, ctx, env):
        # type: (Any, Any) -> Dict[str, Any]
        version = self.params["version"]
        tag = self.params["tag"]
        git_url = self.params["git_url"]
        record = {"version": version, "tag": tag, "git_url": git_url}
        wheel = cached_wheel(ctx.cache_dir, version, pip.python_tag(env))
        if wheel is not None:
            ctx.emit("using the torchvision {} wheel built earlier: {}".format(version, wheel))
            record["commit"] = None
            record["built"] = False
        else:
            wheel, commit = self._build(ctx, env, version, tag, git_url)
            record["commit"] = commit
            record["built"] = True
        record["wheel"] = wheel
        record["wheel_sha256"] = sha256_file(wheel)
        ctx.emit("installing {}".format(os.path.basename(wheel)))
        pip.run_pip(ctx, ["install"] + pip.user_flags(env, ctx.user) + self._deps_flags()
                    + self._index_options(ctx) + [wheel],
                    "pip install of {}".format(os.path.basename(wheel)))
        return record

    def _deps_flags(self):
        # type: () -> List[str]
        """``no_deps``: pip must not replace NVIDIA's torch with one from PyPI to satisfy
        torchvision's ``torch`` requirement."""
        return ["--no-deps"] if self.params.get("no_deps") else []

    def _index_options(self, ctx):
        # type: (Any) -> List[str]
        """Where pip may fetch build tools and torchvision's own dependencies (pillow, numpy):
        the command line's index options."""
        return pip.index_args(self.params.get("build_index") or {})

    def _build(self, ctx, env, version, tag, git_url):
        self._ensure_build_tools(ctx, env)
        scratch = ctx.options.get("tmp_dir") or os.path.join(ctx.cache_dir, "tmp")
        os.makedirs(scratch, exist_ok=True)
        work = tempfile.mkdtemp(prefix="torchvision-{}-".format(version), dir=scratch)
        try:
            source = os.path.join(work, "vision")
            ctx.emit("cloning {} at {}".format(git_url, tag))
            clone = ctx.run_logged(["git", "clone", "--quiet", "--depth", "1", "--branch", tag,
                                    git_url, source],
                                   env={"GIT_TERMINAL_PROMPT": "0"}, timeout=GIT_TIMEOUT)
            if not clone.ok:
                raise ActionFailed(
                    "git clone of {} at {} failed: {}".format(
                        git_url, tag, (pip.pip_failure_lines(clone.stdout + clone.stderr, 2) or [clone.error])[-1]),
                    fix=("Check the network and that the tag {} exists. Offline: put a torchvision "
                         "wheel in a directory and re-run with `--find-links DIR --no-index`.").format(tag),
                    log_path=ctx.log_path)
            head = ctx.run_logged(["git", "-C", source, "rev-parse", "HEAD"], timeout=60)
            commit = head.stdout.strip().splitlines()[-1] if head.ok and head.stdout.strip() else None
            jobs = ctx.host.env.get("MAX_JOBS") or str(read_max_jobs(ctx.host))
            out = os.path.join(work, "dist")
            ctx.emit("building torchvision {} (MAX_JOBS={}; this can take most of an hour on a "
                     "Jetson; log: {})".format(version, jobs, ctx.log_path))
            build_env = {"BUILD_VERSION": version, "MAX_JOBS": jobs}
            args = ["wheel", "--no-deps", "-v", "-w", out]
            if self._pip_supports_no_build_isolation(env):
                args.append("--no-build-isolation")
            result = ctx.run_logged(pip.pip_argv(ctx.python, args + [source]), env=build_env,
                                    cwd=work, timeout=BUILD_TIMEOUT)
            built = sorted(n for n in os.listdir(out) if n.endswith(".whl")) if os.path.isdir(out) else []
            if not result.ok or not built:
                raise ActionFailed(
                    "building torchvision {} from {} failed: {}".format(
                        version, tag, "; ".join(pip.build_failure_lines(result.stdout + result.stderr))),
                    fix=("Nothing was installed or removed. Read the log for the compiler's error; "
                         "missing headers usually mean missing apt packages (libjpeg-dev, zlib1g-dev, "
                         "python3-dev)."),
                    log_path=ctx.log_path)
            keep = os.path.join(wheel_cache_dir(ctx.cache_dir, version, pip.python_tag(env)), built[-1])
            os.makedirs(os.path.dirname(keep), exist_ok=True)
            copy_atomic(os.path.join(out, built[-1]), keep)
            ctx.emit("built {} (kept in {})".format(built[-1], os.path.dirname(keep)))
            return keep, commit
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _pip_supports_no_build_isolation(self, env):
        """pip < 10 (Ubuntu 18.04's python3-pip is 9.0.1) has no build isolation to turn off."""
        dist = pip.installed(env, "pip")
        version = pip.parse_version(dist.version if dist else None)
        return version is None or version.release[0] >= 10

    def _ensure_build_tools(self, ctx, env):
        missing = [name for name in BUILD_TOOLS if pip.installed(env, name) is None]
        if not missing:
            return
        ctx.emit("installing build tools: {}".format(" ".join(missing)))
        pip.run_pip(ctx, ["install"] + pip.user_flags(env, ctx.user) + self._index_options(ctx) + missing,
                    "pip install of the build tools ({})".format(" ".join(missing)))

