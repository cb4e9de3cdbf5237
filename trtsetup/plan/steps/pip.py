"""``python -m pip`` of the target interpreter, and the torch-install step.

pip is always the target interpreter's own (``[python, "-m", "pip", "--no-input", ...]``),
never a bare ``pip`` from PATH. What is installed is read from ``*.dist-info``/``*.egg-info``
metadata on disk, found along the target's ``sys.path`` (which the interpreter tells us in one
small ``-c`` question), without importing anything. ``--user`` is only passed for a system
interpreter: inside a venv or conda environment the user site is invisible (F25).
"""

import os
import posixpath
import re
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from ...errors import ActionFailed
from ...facts import Package, PythonEnv
from ...hashing import sha256_file
from ...patterns import lazy
from ...probes.python_env import normalize_name, read_python
from ..step import Step
from . import download

PIP_TIMEOUT = 1800.0     # a big wheel over a slow link


def read_target(host, python):
    # type: (Any, str) -> PythonEnv
    """The target interpreter and the packages it sees (the doctor's probe, asked afresh:
    an earlier step may have changed it). Raises ActionFailed when it cannot be asked."""
    env = read_python(host, python)
    if env.error is not None:
        raise ActionFailed("cannot use the target interpreter: {}".format(env.error),
                           fix="Pass a working interpreter with `--python PATH`.")
    return env


def installed(env, name):
    # type: (PythonEnv, str) -> Optional[Package]
    """The distribution ``name`` as the target would import it (first on its sys.path)."""
    return env.packages.get(normalize_name(name))


def is_isolated(env):
    # type: (PythonEnv) -> bool
    """A venv or conda environment: ``--user`` would install where it cannot see (F25)."""
    return bool(env.is_venv or env.is_conda)


def python_tag(env):
    # type: (PythonEnv) -> str
    """``cp36`` for CPython 3.6 (the wheel tag of the interpreter)."""
    prefix = {"CPython": "cp", "PyPy": "pp"}.get(env.implementation or "", "py")
    parts = (env.version or "").split(".")
    return prefix + "".join(parts[:2])


def parse_version(text):
    # type: (Optional[str]) -> Optional[Version]
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


def same_version(installed, wanted):
    # type: (Optional[str], Optional[str]) -> bool
    have, want = parse_version(installed), parse_version(wanted)
    if have is None or want is None:
        return installed is not None and installed == wanted
    return have == want


def requirement_met(requirement, installed):
    # type: (str, Optional[str]) -> bool
    """Whether ``installed`` satisfies a PEP 508 requirement string (pre-releases allowed)."""
    if installed is None:
        return False
    try:
        req = Requirement(requirement)
    except InvalidRequirement:
        return False
    version = parse_version(installed)
    if version is None:
        return False
    return req.specifier.contains(version, prereleases=True) if req.specifier else True


_TORCH_CUDA = lazy(r"^cuda\s*(?::\s*[^=]+)?=\s*(?:'([^']*)'|\"([^\"]*)\"|None)\s*$", re.M)


def parse_torch_version_py(text):
    # type: (str) -> Optional[str]
    """``torch/version.py``'s ``cuda = '10.2'``: the CUDA version, or None (a CPU build)."""
    match = _TORCH_CUDA.search(text or "")
    if not match:
        return None
    return match.group(1) or match.group(2) or None


def torch_cuda_build(host, dist):
    # type: (Any, Package) -> Optional[str]
    text = host.read_text(posixpath.join(dist.location, "torch", "version.py"))
    return parse_torch_version_py(text) if text is not None else None


# -- running pip -------------------------------------------------------------------------------

def pip_argv(python, args):
    # type: (str, Sequence[str]) -> List[str]
    """The one pip command line: the target interpreter's pip, never a ``pip`` from PATH,
    never a prompt. The Host's child environment turns off pip's self-check, drops
    PYTHONPATH/PIP_TARGET/PIP_PREFIX/PIP_USER and sets UTF-8 output (``host/process.py``)."""
    return [python, "-m", "pip", "--no-input"] + list(args)


def user_flags(env, user):
    # type: (PythonEnv, bool) -> List[str]
    """``--user`` for a system interpreter when asked; never for a venv or conda env (F25)."""
    return ["--user"] if user and not is_isolated(env) else []


def index_args(params):
    # type: (Dict[str, Any]) -> List[str]
    """pip options from index params: index_url, extra_index_urls, find_links, no_index."""
    args = []  # type: List[str]
    if params.get("index_url"):
        args += ["--index-url", params["index_url"]]
    for url in params.get("extra_index_urls") or ():
        args += ["--extra-index-url", url]
    links = params.get("find_links") or ()
    for link in ([links] if isinstance(links, str) else links):
        args += ["--find-links", link]
    if params.get("no_index"):
        args.append("--no-index")
    return args


def pip_failure_lines(output, limit=6):
    # type: (str, int) -> List[str]
    """The few lines of a failed pip run that say why (pipx's analyze_pip_output, in small)."""
    lines = [l.rstrip() for l in (output or "").splitlines() if l.strip()]
    errors = [l for l in lines if l.startswith("ERROR:") or l.lstrip().startswith("error:")]
    picked = errors or lines
    return picked[-limit:]


_PIP_NOISE = ("subprocess-exited-with-error", "metadata-generation-failed", "legacy-install-failure",
              "Failed building wheel", "Failed to build", "Could not build wheels",
              "Running setup.py", "Building wheel")


def build_failure_lines(output, limit=3):
    # type: (str, int) -> List[str]
    """The lines of a failed build that name the cause (a compiler's ``fatal error:``, a
    Python traceback's last line), not pip's own summary; the last lines if none match."""
    lines = [l.strip() for l in (output or "").splitlines() if l.strip()]
    causes = [l for l in lines
              if ("error:" in l or "Error:" in l or "Error " in l) and not any(n in l for n in _PIP_NOISE)
              and not l.startswith(("note:", "hint:", "\u00d7", "\u2570"))]
    return (causes or lines)[-limit:]


def pip_fix(output, default):
    # type: (str, str) -> str
    if "externally-managed-environment" in (output or ""):
        return ("This Python is managed by the system (PEP 668): create a virtual environment "
                "that sees the system packages (`python3 -m venv --system-site-packages ~/trt-env`) "
                "and re-run with `--python ~/trt-env/bin/python`.")
    if "Permission denied" in (output or ""):
        return "pip could not write to the target's site-packages: re-run with `--user`."
    if ("No matching distribution" in (output or "") or "Could not find a version" in (output or "")
            or "NewConnectionError" in (output or "")):
        return ("pip could not get the package. Check the network, or put the wheels in a "
                "directory and re-run with `--find-links DIR --no-index`.")
    return default


def run_pip(ctx, args, what):
    # type: (Any, Sequence[str], str) -> Any
    """Run ``python -m pip ARGS`` through the step's log; raise ActionFailed when it fails."""
    result = ctx.run_logged(pip_argv(ctx.python, args), timeout=PIP_TIMEOUT)
    if not result.ok:
        output = result.stdout + result.stderr
        detail = "; ".join(pip_failure_lines(output)) or (result.error or "")
        raise ActionFailed(
            "{} failed (exit {}): {}".format(what, result.returncode, detail),
            fix=pip_fix(output, "Read the log for pip's full output."),
            log_path=ctx.log_path)
    return result


def satisfied_reason(dist, requirement_text):
    # type: (Package, str) -> str
    return "{} {} is installed in {} (wanted {})".format(
        dist.name, dist.version, dist.location, requirement_text)


# -- the torch-install step ----------------------------------------------------------------------

class Check(NamedTuple):
    reason: Optional[str]           # why nothing needs doing, or None
    target: PythonEnv
    dist: Optional[Package]         # what is installed now
    wrong_build: bool               # the wanted version, but a CPU-only build

class TorchInstall(Step):
    """Install torch from a wheel URL (downloaded, verified, cached) or from a package index.

    params: ``{"source": "wheel", "url"|"path", "filename", "sha256"|None, "version"}`` or
    ``{"source": "index", "requirement", "index_url", "extra_index_urls", "find_links",
    "no_index"}``, plus ``{"no_deps": bool, "expect_cuda": bool}``.
    """

    id = "torch-install"
    package = "torch"

    def wanted(self):
        # type: () -> str
        if self.params.get("source") == "wheel":
            return "{}=={}".format(self.package, self.params.get("version"))
        return self.params.get("requirement") or self.package

    def _check(self, ctx):
        # type: (Any) -> Check
        target = read_target(ctx.host, ctx.python)
        dist = installed(target, self.package)
        if dist is None:
            return Check(None, target, None, False)
        if self.params.get("source") == "wheel":
            ok = same_version(dist.version, self.params.get("version"))
        else:
            ok = requirement_met(self.wanted(), dist.version)
        if not ok:
            return Check(None, target, dist, False)
        reason = satisfied_reason(dist, self.wanted())
        if self.params.get("expect_cuda") and self.package == "torch":
            cuda = torch_cuda_build(ctx.host, dist)
            if cuda is None:
                # Right version, wrong build (a CPU wheel from PyPI): pip would call it
                # satisfied, so it has to be replaced explicitly.
                return Check(None, target, dist, True)
            reason += ", built for CUDA {}".format(cuda)
        return Check(reason, target, dist, False)

    def is_satisfied(self, ctx):
        return self._check(ctx).reason

    def run(self, ctx):
        check = self._check(ctx)
        args = ["install"] + user_flags(check.target, ctx.user)
        if self.params.get("no_deps"):
            args.append("--no-deps")
        if check.wrong_build:
            ctx.emit("{} {} is a CPU-only build; replacing it".format(check.dist.name, check.dist.version))
            args += ["--force-reinstall"] + ([] if "--no-deps" in args else ["--no-deps"])
        record = {"package": self.package, "source": self.params.get("source"),
                  "replaced": check.dist.version if check.dist is not None else None}
        if self.params.get("source") == "wheel":
            wheel = self._wheel_file(ctx)
            name = os.path.basename(wheel.path)
            record.update({"version": self.params.get("version"), "url": wheel.url,
                           "filename": name, "sha256": wheel.sha256,
                           "hash_source": wheel.hash_source, "path": wheel.path})
            ctx.emit("installing {}".format(name))
            run_pip(ctx, args + [wheel.path], "pip install of {}".format(name))
        else:
            requirement = self.wanted()
            ctx.emit("installing {}".format(requirement))
            run_pip(ctx, args + index_args(self.params) + [requirement],
                    "pip install of {}".format(requirement))
            record.update({"requirement": requirement, "index_url": self.params.get("index_url"),
                           "find_links": self.params.get("find_links"),
                           "no_index": bool(self.params.get("no_index"))})
        after = installed(read_target(ctx.host, ctx.python), self.package)
        record["installed_version"] = after.version if after else None
        record["location"] = after.location if after else None
        return record

    def _wheel_file(self, ctx):
        # type: (Any) -> download.Downloaded
        """The wheel on disk: a local ``path`` (``--torch ./x.whl``) or the URL's cached copy."""
        url = self.params.get("url")
        local = self.params.get("path")
        if local is None and url and url.startswith("file://"):
            local = url[len("file://"):]
        if local is not None:
            local = os.path.abspath(local)
            if not os.path.isfile(local):
                raise ActionFailed("wheel {} does not exist".format(local),
                                   fix="Pass an existing wheel with `--torch PATH`.")
            digest = sha256_file(local)
            pinned = self.params.get("sha256")
            if pinned and pinned.lower() != digest:
                raise ActionFailed("sha256 mismatch for {}: expected {}, got {}".format(local, pinned, digest),
                                   fix="The wheel is not the one the recipe names; fetch it again.")
            return download.Downloaded(local, local, digest, "pinned" if pinned else "local", False, False)
        filename = self.params.get("filename") or posixpath.basename(url.split("?", 1)[0])
        ctx.emit("fetching {}".format(url))
        progress = ctx.options.get("progress_factory")
        return download.download(
            url, filename, ctx.cache_dir, os.path.join(ctx.state_dir, "hashes.json"),
            sha256=self.params.get("sha256"),
            progress=progress(filename) if progress else None, emit=ctx.emit)
