"""The second half of a plan: apt prerequisites, the torch2trt steps, verify and the self-test.

``finish_plan(resolver, ...)`` is called by both platform resolvers (``plan/resolve.py``) once
torch and torchvision are chosen. Everything the torch2trt steps act on is decided here and
written into their params (``plan/model.py`` lists them): the revision and its source, the
TensorRT dirs and version, the CUDA architectures, the pre-3.7 flag, which plugins to build
(``torch2trt_revisions`` recipes), the build's CUDA home, nvcc and job count, and where the
interpreter installs (venv, conda, root). The steps read nothing else.
"""

from typing import Any, List, Optional

from .. import knowledge, versions
from .build_jobs import max_jobs
from .model import Plan, StepSpec

TORCH2TRT_GIT = "https://github.com/NVIDIA-AI-IOT/torch2trt"


def dedupe(items):
    """The items in order, each once."""
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _revision_choice(r, trt_version):
    """(ref, min_commit, entry, why, blocked) for the torch2trt source."""
    ref_ov = r.ov.get("torch2trt_ref")
    trt_major = versions.major(trt_version)
    table = r.recipes.get("torch2trt", {}) if r.recipes is not None else {}
    if ref_ov:
        entry = (table or {}).get(str(trt_major), {}) if trt_major is not None else {}
        return ref_ov, None, entry, "--torch2trt-ref {} given".format(ref_ov), None
    if trt_major is None:
        return "master", None, {}, "TensorRT not found", None
    choice = knowledge.torch2trt_for_tensorrt(trt_version, r.recipes)
    ref, min_commit = choice["ref"], choice["min_commit"]
    why = "TensorRT {} ({}) -> torch2trt {}{}".format(
        trt_version, r.target.get("tensorrt_source"), ref or "(none)",
        " at or after {}".format(min_commit) if min_commit else "")
    if choice["entry"].get("note"):
        why += ": " + choice["entry"]["note"]
    return ref, min_commit, choice["entry"], why, (None if choice["supported"] else choice["note"])


def finish_plan(r, generation, torch_step, vision_step, torch_version, python, trt_version, cuda_arch,
                default_include, default_lib):
    # type: (Any, str, StepSpec, StepSpec, Optional[str], Optional[str], Optional[str], List[str], Optional[str], Optional[str]) -> Plan
    facts = r.facts
    trt = facts.tensorrt
    src = r.ov.get("torch2trt_src")
    trt_major = versions.major(trt_version)
    ref, min_commit, entry, ref_why, blocked = _revision_choice(r, trt_version)
    if trt_major is None:
        blocked = ("TensorRT not found: install TensorRT for this CUDA (e.g. `{} -m pip install {}`, or "
                   "NVIDIA's deb/tar packages) and run `trtsetup plan` again.".format(
                       r.target.get("python_executable") or "python3", knowledge.tensorrt_pip_package(facts)))
    if blocked:
        r.warnings.append("torch2trt steps are blocked: " + blocked)
    if src:
        ref_why += "; building from --torch2trt-src {}".format(src)

    pre_py37 = (bool(entry.get("pre_py37_patch")) and python is not None
                and versions.key(python) < versions.key("3.7"))
    include = trt.include_dir or default_include
    lib = trt.lib_dir or default_lib
    if not cuda_arch:
        r.warnings.append("GPU compute capability unknown: the plugin library is built for "
                          "torch2trt's default architectures.")
    revision = knowledge.torch2trt_revision(ref, r.recipes)
    legacy_plugins = knowledge.torch_within(torch_version, revision["legacy_plugins"])
    min_trt = revision["cmake_plugins_min_tensorrt"]
    cmake_trt_ok = trt_major is not None and min_trt is not None and trt_major >= versions.major(min_trt)
    cmake_plugins = bool(revision["cmake_plugins"] and cmake_trt_ok and include is not None)
    plugins_why = _plugins_why(ref, torch_version, revision, legacy_plugins)
    cmake_why = _cmake_why(ref, trt_version, trt_major, include, cuda_arch, revision, cmake_trt_ok, min_trt,
                           cmake_plugins)

    system = facts.system
    jobs = max_jobs(system.ram_mib, system.swap_mib, system.cpu_count)
    patch = {"trt_include": include, "trt_lib": lib, "cuda_arch": list(cuda_arch),
             "tensorrt_version": trt_version, "pre_py37": pre_py37}
    where = {"is_venv": facts.python.is_venv, "is_conda": facts.python.is_conda}
    build = dict(where, plugins=legacy_plugins, cmake_plugins=cmake_plugins,
                 legacy_plugin_shapes=knowledge.legacy_plugin_shapes(r.recipes),
                 patch=patch, cuda_home=facts.cuda.home, max_jobs=jobs)
    plugins = dict(where, enabled=cmake_plugins, cuda_arch=list(cuda_arch), plugins=legacy_plugins,
                   patch=patch, cuda_home=facts.cuda.home, nvcc=facts.cuda.nvcc_path, max_jobs=jobs,
                   is_root=system.is_root, cmake="cmake", prefix=None)
    no_selftest = "--no-selftest" if r.ov.get("no_selftest") else None
    steps = [
        apt_step(r, generation, vision_step.params.get("source") == "git", cmake_plugins),
        torch_step,
        vision_step,
        StepSpec("t2t-source", "Get torch2trt {}{}".format(ref or "(no revision fits this TensorRT)", " from " + src if src else " from " + TORCH2TRT_GIT),
                 ref_why, {"ref": ref, "min_commit": min_commit, "src": src, "git_url": TORCH2TRT_GIT}, blocked),
        StepSpec("t2t-patch", "Point torch2trt's build at this machine's TensorRT and GPU",
                 "TensorRT headers {}, libraries {}, CUDA arch {}{}".format(
                     include or "not found", lib or "not found", ", ".join(cuda_arch) or "unknown",
                     "; Python {} < 3.7 needs torch2trt's fix-getitem patch".format(python) if pre_py37 else ""),
                 patch, blocked),
        StepSpec("t2t-build", "Build and install torch2trt{}".format(" with --plugins" if legacy_plugins else ""),
                 plugins_why, build, blocked),
        StepSpec("t2t-plugins", "Build the torch2trt plugin library" if cmake_plugins else "No plugin library to build",
                 cmake_why, plugins, blocked),
        StepSpec("t2t-verify", "Import torch2trt in a fresh interpreter from a neutral directory; load the plugin library",
                 "prove the installed torch2trt is the one {} imports".format(r.target.get("python_executable")),
                 {}, blocked),
        StepSpec("selftest", "Convert a small model with torch2trt and compare outputs",
                 "proves torch, torchvision, TensorRT and torch2trt work together in {}".format(
                     r.target.get("python_executable")), {}, blocked, no_selftest),
    ]
    return Plan(target=dict(r.target, torch=torch_version, torch2trt_ref=ref),
                steps=tuple(steps), warnings=tuple(dedupe(r.warnings)))


def _plugins_why(ref, torch_version, revision, legacy_plugins):
    if legacy_plugins:
        return "{} loads the --plugins extension (interpolate, group_norm) and torch {} builds it".format(
            ref, torch_version)
    if revision["legacy_plugins"]:
        return "the legacy --plugins extension does not build with torch {} on {} ({})".format(
            torch_version or "(unknown)", ref, revision["note"] or "torch2trt_revisions recipes")
    return "the legacy --plugins extension is never loaded by torch2trt {}".format(ref or "master")


def _cmake_why(ref, trt_version, trt_major, include, cuda_arch, revision, cmake_trt_ok, min_trt, cmake_plugins):
    if cmake_plugins:
        return "TensorRT {} headers in {}: build libtorch2trt_plugins.so for arch {}".format(
            trt_version, include, ", ".join(cuda_arch) or "default")
    if revision["cmake_plugins"] and trt_major is not None and not cmake_trt_ok:
        return "the CMake plugin library needs TensorRT >= {} (this is {})".format(min_trt, trt_version)
    if include is None:
        return "no TensorRT headers found (NvInfer.h): plugin converters stay disabled"
    return "revision {} has no CMake plugin library".format(ref)


def apt_step(r, generation, build_torchvision, cmake_plugins):
    # type: (Any, str, bool, bool) -> StepSpec
    skip = "--skip-apt" if r.ov.get("skip_apt") else None
    table = r.recipes.get("apt", {}) if r.recipes is not None else {}
    distro = (r.facts.system.distro_id or "").lower()
    if distro and distro not in ("ubuntu", "debian") and generation == "x86":
        r.warnings.append("{} is not Debian-family: install git and build tools with its own "
                          "package manager.".format(r.facts.system.distro_id))
        return StepSpec("apt-prerequisites", "No apt packages (not a Debian-family system)",
                        "distribution {}".format(r.facts.system.distro_id), {"packages": []}, skip=skip)
    entry = (table or {}).get(generation)
    if entry is None:
        r.warnings.append("No apt prerequisites known for {}.".format(
            "JetPack {}".format(generation) if generation != "x86" else "x86"))
        return StepSpec("apt-prerequisites", "No apt packages known", "no apt recipe for {}".format(generation),
                        {"packages": []}, skip=skip)
    groups = ["torch"] + (["torchvision_build"] if build_torchvision else []) + ["torch2trt_build"] \
        + (["torch2trt_plugins"] if cmake_plugins else [])
    packages = dedupe(p for g in groups for p in entry.get(g, []))
    label = "JetPack {}.x".format(generation) if generation != "x86" else "x86"
    return StepSpec("apt-prerequisites", "Install the missing apt packages among {}".format(len(packages)),
                    "{} needs them for: {}".format(label, ", ".join(g.replace("_", " ") for g in groups)),
                    {"packages": packages}, skip=skip)
