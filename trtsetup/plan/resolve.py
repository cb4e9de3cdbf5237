"""Facts + recipes (+ command-line overrides) -> Plan. Pure: no I/O, no host, no clock.

``resolve_plan(facts, recipes, overrides)`` decides what ``trtsetup install`` would do and
says why, step by step (the step specs are documented in ``plan/model.py``).

Jetson: the JetPack comes from ``facts.jetson.jetpack`` (or ``--jetpack``); the target Python
is the probed interpreter's version, else the JetPack's default; the torch wheel is NVIDIA's
build for that JetPack and Python (``torch_wheels`` recipes); torchvision is the pairing for
that torch; the torch2trt revision follows the TensorRT major (probed, else the JetPack's).

x86 (and any non-Jetson machine): the PyTorch index is the highest ``cuXYZ`` whose CUDA is
no newer than the driver supports (nvidia-smi's "CUDA Version", else the driver version through
the minimum-driver table) and, when TensorRT's CUDA major is known, of that major; torch is
the newest minor on that index that supports the target Python.

TensorRT not found (or newer than any torch2trt): the plan still resolves torch and
torchvision -- they are useful on their own and the user may install TensorRT next -- but the
torch2trt steps and the self-test carry ``blocked`` with the reason and a warning says so.
That is what a user of ``plan`` expects to see: the whole picture, with the one missing piece
named, rather than an error that hides the rest. An unknown platform (no JetPack) or no usable
wheel is an error (``UsageError``) that lists what is known and names the flag to use.

Overrides (from the CLI): ``torch`` (VERSION | path to a .whl | URL), ``torchvision``,
``torch2trt_ref``, ``torch2trt_src``, ``jetpack``, ``python`` (interpreter path),
``index_url``, ``extra_index_url`` (list), ``find_links`` (list), ``no_index`` (bool).
"""

import re
from typing import Any, Dict, List, Optional, Tuple

from .. import knowledge, versions
from ..errors import UsageError
from ..patterns import lazy
from .model import Plan, StepSpec
from .torch2trt_plan import dedupe as _dedupe, finish_plan
from .x86 import X86Resolution

TORCHVISION_GIT = "https://github.com/pytorch/vision"
JETSON_TRT_INCLUDE = "/usr/include/aarch64-linux-gnu"
JETSON_TRT_LIB = "/usr/lib/aarch64-linux-gnu"
_URL = lazy(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def resolve_plan(facts, recipes, overrides=None):
    # type: (Any, Any, Optional[Dict[str, Any]]) -> Plan
    """The ordered install plan for ``facts``; raises UsageError when it cannot be decided."""
    ov = _Overrides(overrides or {})
    if facts.jetson is not None or ov.get("jetpack"):
        return _Resolver(facts, recipes, ov).jetson()
    return _Resolver(facts, recipes, ov).x86()


class _Overrides(object):
    def __init__(self, raw):
        self.raw = dict(raw)

    def get(self, name):
        value = self.raw.get(name)
        if value in ("", [], ()):
            return None
        return value

    def list(self, name):
        value = self.raw.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        return list(value)


_minor = versions.minor
_vkey = versions.key


def _major(version):
    # type: (Optional[str]) -> Optional[int]
    return versions.major(version)


def _torch_kind(value):
    # type: (str) -> str
    """'url', 'path' or 'version' for a --torch value."""
    if _URL.match(value):
        return "url"
    if value.endswith(".whl") or "/" in value:
        return "path"
    return "version"


def _wheel_version(filename):
    # type: (str) -> Optional[str]
    parts = filename.split("-")
    if len(parts) >= 5 and filename.endswith(".whl"):
        return parts[1]
    return None


def _basename(path_or_url):
    tail = path_or_url.split("?", 1)[0].rstrip("/")
    return tail.rsplit("/", 1)[-1]


class _Resolver(X86Resolution):
    torch_kind = staticmethod(_torch_kind)   # the x86 half (plan/x86.py) reads --torch the same way

    def __init__(self, facts, recipes, ov):
        self.facts = facts
        self.recipes = recipes
        self.ov = ov
        self.warnings = []  # type: List[str]
        self.target = {}    # type: Dict[str, Any]

    # -- recipes ---------------------------------------------------------------------------

    def _kind(self, name, default):
        value = self.recipes.get(name) if self.recipes is not None else None
        return default if value is None else value

    def _torchvision_for(self, torch_version):
        # type: (str) -> Optional[Dict[str, Any]]
        return self._kind("torchvision", {}).get(_minor(torch_version) or "")

    def _python_ok(self, torch_minor, python):
        # type: (str, Optional[str]) -> bool
        if python is None:
            return True
        entry = self._kind("torchvision", {}).get(torch_minor)
        if not entry:
            return True
        low, high = entry["python"]
        return _vkey(low) <= _vkey(python) <= _vkey(high)

    # -- Jetson ----------------------------------------------------------------------------

    def jetson(self):
        jetson = self.facts.jetson
        probed_jp = jetson.jetpack if jetson is not None else None
        jetpack = self.ov.get("jetpack") or probed_jp
        wheels = self._kind("torch_wheels", [])
        known = _dedupe(jp for e in wheels for jp in e["jetpacks"])
        l4t = jetson.l4t if jetson is not None else None
        if not jetpack:
            raise UsageError(
                "cannot tell the JetPack: " + ("L4T {} is not in trtsetup's tables".format(l4t) if l4t else
                                               "no L4T release found on this Tegra board"),
                fix="Pass --jetpack VERSION for the JetPack this L4T belongs to. JetPacks with "
                    "known PyTorch wheels: {}.".format(", ".join(known)))
        if self.ov.get("jetpack") and probed_jp and probed_jp != self.ov.get("jetpack"):
            self.warnings.append("--jetpack {} overrides the probed JetPack {} (L4T {}).".format(
                jetpack, probed_jp, l4t))
        elif jetson is not None and jetson.jetpack_exact is False and not self.ov.get("jetpack"):
            self.warnings.append("JetPack {} was guessed from L4T {} (unknown minor); pass --jetpack "
                                 "if it is wrong.".format(jetpack, l4t))
        comps = knowledge.jetpack_components(jetpack, self.recipes) or {}
        if not comps and self.ov.get("jetpack"):
            raise UsageError("--jetpack {}: unknown JetPack".format(jetpack),
                             fix="Known JetPacks with PyTorch wheels: {}.".format(", ".join(known)))

        python, py_source = self._target_python(comps.get("python"), "JetPack {}'s default".format(jetpack))
        trt_version, trt_source = self._trt_version(comps.get("tensorrt"), "JetPack {} ships it".format(jetpack))
        cuda_arch = self._cuda_arch()
        self.target.update({
            "kind": "jetson", "arch": self.facts.system.arch or "aarch64",
            "jetpack": jetpack, "l4t": l4t,
            "module": jetson.module if jetson is not None else None,
            "cuda": self.facts.cuda.version or comps.get("cuda"),
            "tensorrt": trt_version, "tensorrt_major": _major(trt_version),
            "tensorrt_source": trt_source, "cuda_arch": cuda_arch,
        })
        self._set_python(python, py_source, "/usr/bin/python3")

        torch_spec, torch_version, vision_hint, reason, summary = self._jetson_torch(jetpack, python, wheels, known)
        torch_step = StepSpec("torch-install", summary, reason, torch_spec)
        vision_step = self._torchvision_step(torch_version, vision_hint, torch_spec)
        generation = re.match(r"^(\d+)", jetpack).group(1)
        return finish_plan(self, generation, torch_step, vision_step, torch_version, python, trt_version,
                            cuda_arch, JETSON_TRT_INCLUDE, JETSON_TRT_LIB)

    def _jetson_torch(self, jetpack, python, wheels, known):
        torch_ov = self.ov.get("torch")
        kind = _torch_kind(torch_ov) if torch_ov else None
        if kind in ("url", "path"):
            spec, version = self._wheel_override(torch_ov, kind)
            return (spec, version, None,
                    "--torch {} given; torchvision follows torch {}".format(torch_ov, version or "(version unknown)"),
                    "Install torch {} from {}".format(version or "", spec["filename"]))
        if self.ov.get("index_url") and not any(jetpack in e["jetpacks"] for e in wheels):
            requirement = "torch=={}".format(torch_ov) if torch_ov else "torch"
            spec = self._index_spec(requirement, self.ov.get("index_url"))
            return (spec, torch_ov, None, "--index-url {} given for JetPack {}".format(self.ov.get("index_url"), jetpack),
                    "Install {} from {}".format(requirement, self.ov.get("index_url")))
        candidates = [e for e in wheels if jetpack in e["jetpacks"]]
        if not candidates:
            raise UsageError(
                "no PyTorch wheel known for JetPack {}".format(jetpack),
                fix="Pass --torch WHEEL|URL (a torch wheel built for this JetPack) or --index-url, "
                    "or --jetpack for the JetPack this device really runs. JetPacks with known wheels: "
                    "{}.".format(", ".join(known)))
        by_python = [e for e in candidates if e["python"] == python]
        if not by_python:
            pythons = sorted(set(e["python"] for e in candidates))
            raise UsageError(
                "no NVIDIA PyTorch wheel for JetPack {} and Python {}".format(jetpack, python),
                fix="NVIDIA builds torch for Python {} on JetPack {}: pass --python with that "
                    "interpreter (e.g. /usr/bin/python3), or --torch WHEEL|URL.".format(
                        " / ".join(pythons), jetpack))
        if torch_ov:
            wanted = versions.parse(torch_ov) if versions.is_pep440(torch_ov) else None
            if wanted is None:
                raise UsageError("--torch {}: not a version, a .whl path or a URL".format(torch_ov),
                                 fix="e.g. --torch 1.10.0, --torch ./torch-1.10.0-cp36-cp36m-linux_aarch64.whl")
            chosen = ([e for e in by_python if e["torch"] == torch_ov]
                      or [e for e in by_python if versions.parse(e["torch"]).base_version == wanted.base_version])
            if not chosen:
                raise UsageError(
                    "no NVIDIA torch {} for JetPack {} and Python {}".format(torch_ov, jetpack, python),
                    fix="Known for this JetPack: {}; or pass --torch WHEEL|URL.".format(
                        ", ".join(e["torch"] for e in by_python)))
            entry = chosen[0]
            why = "--torch {} asked for; NVIDIA's build for JetPack {} and Python {} is {}".format(
                torch_ov, jetpack, python, entry["torch"])
        else:
            defaults = [e for e in by_python if jetpack in e.get("default_for", [])]
            entry = (defaults or by_python)[0]
            why = "JetPack {} with Python {}: NVIDIA's {} build for it is torch {}".format(
                jetpack, python, "default" if defaults else "first listed", entry["torch"])
        if entry.get("note"):
            why += " ({})".format(entry["note"])
        for text in entry.get("warnings", []):
            self.warnings.append(text)
        vision_hint = entry["torchvision"]
        if entry["kind"] == "index":
            requirement = "torch=={}".format(entry["torch"])
            spec = self._index_spec(requirement, self.ov.get("index_url") or entry["index_url"])
            summary = "Install {} from {}".format(requirement, spec["index_url"] or "the given wheel folders")
        elif self.ov.get("no_index"):
            # Offline: the same wheel, expected in the --find-links folders.
            requirement = "torch=={}".format(entry["torch"])
            spec = self._index_spec(requirement, None)
            summary = "Install {} ({}) from {}".format(requirement, entry["filename"], ", ".join(spec["find_links"]) or "local folders")
            why += "; offline: from --find-links"
        else:
            spec = {"source": "wheel", "url": entry["url"], "path": None, "filename": entry["filename"],
                    "sha256": entry.get("sha256"), "version": entry["torch"],
                    "no_deps": False, "expect_cuda": True}
            summary = "Install torch {} (NVIDIA wheel {})".format(entry["torch"], entry["filename"])
        return spec, entry["torch"], vision_hint, why, summary

    # -- shared ----------------------------------------------------------------------------

    def _target_python(self, default, default_source):
        version = _minor(self.facts.python.version)
        if version:
            return version, "probed {}".format(self.facts.python.executable or "interpreter")
        return default, default_source

    def _set_python(self, version, source, fallback_exe):
        exe = self.ov.get("python") or self.facts.python.executable or fallback_exe
        self.target.update({"python_version": version, "python_source": source, "python_executable": exe})
        if self.ov.get("python") and self.facts.python.executable and self.ov.get("python") != self.facts.python.executable:
            self.warnings.append("--python {}: the Python version {} comes from {}, which was probed.".format(
                self.ov.get("python"), version, self.facts.python.executable))

    def _trt_version(self, default, default_source):
        trt = self.facts.tensorrt
        if trt.version:
            return trt.version, "probed ({})".format(trt.layout or "files")
        if trt.python is not None and trt.python.version:
            return trt.python.version, "probed (python import)"
        return default, default_source

    def _cuda_arch(self):
        # type: () -> List[str]
        return knowledge.cuda_architectures(self.facts)

    def _index_spec(self, requirement, index_url):
        no_index = bool(self.ov.get("no_index"))
        return {"source": "index", "requirement": requirement,
                "index_url": None if no_index else index_url,
                "extra_index_urls": [] if no_index else self.ov.list("extra_index_url"),
                "find_links": self.ov.list("find_links"), "no_index": no_index,
                "no_deps": False, "expect_cuda": True}

    def _wheel_override(self, value, kind):
        filename = _basename(value)
        version = _wheel_version(filename)
        if version is None or not filename.startswith("torch-"):
            raise UsageError("--torch {}: {} is not a torch wheel file name (torch-VERSION-PYTAG-ABI-PLATFORM.whl)".format(
                value, filename), fix="Pass the wheel as pip names it, e.g. torch-2.5.1-cp310-cp310-linux_x86_64.whl, "
                                      "or --torch VERSION.")
        if kind == "url" and not value.startswith("https://"):
            self.warnings.append("--torch {} is not https: its content is checked only against the "
                                 "hash recorded on first use.".format(value))
        spec = {"source": "wheel", "url": value if kind == "url" else None,
                "path": value if kind == "path" else None, "filename": filename,
                "sha256": None, "version": version, "no_deps": False,
                # The user chose this wheel: a CPU build (+cpu) is what was asked for, not a
                # PyPI stand-in to replace on every run.
                "expect_cuda": "+cpu" not in version}
        return spec, version

    def _torchvision_step(self, torch_version, hint, torch_spec):
        vision_ov = self.ov.get("torchvision")
        from_index = hint is not None and hint.get("source") == "index" and torch_spec.get("source") == "index"
        table_entry = self._torchvision_for(torch_version) if torch_version else None
        if vision_ov and not versions.is_pep440(vision_ov):
            raise UsageError("--torchvision {}: not a version".format(vision_ov),
                             fix="Give a torchvision release like 0.20.1 (pip's version syntax, PEP 440).")
        if vision_ov:
            vision_ov = str(versions.parse(vision_ov))   # "v0.20" -> "0.20": the tag adds the v
            version, why = vision_ov, "--torchvision {} given".format(vision_ov)
        elif hint is not None and hint.get("version"):
            version, why = hint["version"], "paired with torch {} for this JetPack".format(torch_version)
        elif table_entry:
            version, why = table_entry["version"], "torch {} pairs with torchvision {} (pytorch/vision table)".format(
                _minor(torch_version), table_entry["version"])
        else:
            version, why = None, None
        if from_index:
            if version and hint.get("version") is None and not vision_ov:
                requirement = "torchvision=={}.*".format(_minor(version))
            elif version:
                requirement = "torchvision=={}".format(version)
            else:
                requirement = "torchvision"
                why = "torch version left to pip; torchvision from the same index"
            spec = dict(torch_spec, requirement=requirement)
            return StepSpec("torchvision-install", "Install {} from {}".format(
                requirement, spec["index_url"] or "the given wheel folders"), why, spec)
        if version is None:
            raise UsageError("cannot pair torchvision with torch {}".format(torch_version or "(unknown version)"),
                             fix="Pass --torchvision VERSION.")
        if self.ov.get("no_index"):
            spec = self._index_spec("torchvision=={}".format(version), None)
            spec["no_deps"] = True
            return StepSpec("torchvision-install", "Install torchvision {} from the --find-links folders".format(version),
                            why + "; offline: a wheel built earlier (trtsetup keeps them for bundles)", spec)
        spec = {"source": "git", "version": version, "git_url": TORCHVISION_GIT, "tag": "v" + version, "no_deps": True,
                # where pip may fetch the build tools and torchvision's own dependencies
                "build_index": {"index_url": self.ov.get("index_url"),
                                "extra_index_urls": self.ov.list("extra_index_url"),
                                "find_links": self.ov.list("find_links"), "no_index": bool(self.ov.get("no_index"))}}
        return StepSpec("torchvision-install", "Build torchvision {} from {} tag v{} into a wheel and install it".format(
            version, TORCHVISION_GIT, version), why + "; NVIDIA publishes no torchvision wheel for it", spec)
