"""The x86 (any non-Jetson machine) half of the resolver: the PyTorch CUDA index and torch.

The index is the highest ``cuXYZ`` whose CUDA is no newer than the driver supports
(nvidia-smi's "CUDA Version", else the driver version through the minimum-driver table) and,
when TensorRT's CUDA major is known, of that major; torch is the newest minor on that index
that supports the target Python. ``--torch WHEEL`` needs no driver: the user chose the build.
A mixin of ``plan/resolve._Resolver`` (it uses the resolver's facts, recipes, overrides,
warnings and target).
"""

from typing import Optional, Tuple

from .. import knowledge, versions
from ..errors import UsageError
from ..patterns import lazy
from .model import StepSpec
from .torch2trt_plan import finish_plan

_CUDA_IN_DEB = lazy(r"\+cuda(\d+)\.\d+")
_TRT_PIP = lazy(r"^tensorrt[-_]cu(\d+)")
_minor = versions.minor
_major = versions.major
_vkey = versions.key


class X86Resolution(object):
    def x86(self):
        python, py_source = self._target_python(None, None)
        if python is None:
            self.warnings.append("Target Python not probed: torch is chosen without a Python "
                                 "constraint; pass --python to plan for a specific interpreter.")
        trt_version, trt_source = self._trt_version(None, None)
        cuda_arch = self._cuda_arch()
        cap, cap_source = self._driver_cuda()
        trt_cuda = self._trt_cuda_major()
        cuda_major, cuda_major_source = trt_cuda, "TensorRT's CUDA {}".format(trt_cuda)
        if trt_cuda is None and _major(self.facts.cuda.version) is not None:
            cuda_major = _major(self.facts.cuda.version)
            cuda_major_source = "the CUDA {} toolkit's major".format(self.facts.cuda.version)
        self.target.update({
            "kind": "x86", "arch": self.facts.system.arch, "jetpack": None, "l4t": None,
            "driver": self.facts.nvidia.driver_version, "driver_cuda": cap, "driver_cuda_source": cap_source,
            "cuda": self.facts.cuda.version, "tensorrt": trt_version, "tensorrt_major": _major(trt_version),
            "tensorrt_source": trt_source, "tensorrt_cuda_major": trt_cuda, "cuda_arch": cuda_arch,
        })
        self._set_python(python, py_source, "python3")
        if self.facts.system.arch and self.facts.system.arch not in ("x86_64", "amd64"):
            self.warnings.append("{} is not x86_64: PyTorch publishes CUDA wheels for aarch64 servers "
                                 "only on some indexes.".format(self.facts.system.arch))

        torch_ov = self.ov.get("torch")
        kind = self.torch_kind(torch_ov) if torch_ov else None
        if kind in ("url", "path"):
            # The user chose the wheel: no driver is needed to pick one. torchvision comes from
            # --index-url when given, else pip's default index.
            index_url, index_tag, torch_version, why = (
                None if self.ov.get("no_index") else self.ov.get("index_url"), None, None, "--torch given")
        else:
            index_url, index_tag, torch_version, why = self._x86_index(
                cap, cap_source, cuda_major, cuda_major_source, python, torch_ov if kind == "version" else None)
        self.target["index"] = index_tag
        self.target["index_url"] = index_url
        if kind in ("url", "path"):
            spec, torch_version = self._wheel_override(torch_ov, kind)
            torch_step = StepSpec("torch-install", "Install torch {} from {}".format(torch_version or "", spec["filename"]),
                                  "--torch {} given".format(torch_ov), spec)
        else:
            requirement = "torch=={}".format(torch_version) if torch_version else "torch"
            spec = self._index_spec(requirement, index_url)
            torch_step = StepSpec("torch-install", "Install {} from {}".format(
                requirement, spec["index_url"] or "the given wheel folders"), why, spec)
        vision_hint = {"version": None, "source": "index"}
        vision_step = self._torchvision_step(torch_version, vision_hint, self._index_spec("", index_url))
        self._check_toolkit(index_tag)
        return finish_plan(self, "x86", torch_step, vision_step, torch_version, python, trt_version,
                            cuda_arch, None, None)

    def _driver_cuda(self):
        # type: () -> Tuple[Optional[str], Optional[str]]
        nvidia = self.facts.nvidia
        if _minor(nvidia.cuda_driver_version):
            return _minor(nvidia.cuda_driver_version), "nvidia-smi reports CUDA {}".format(nvidia.cuda_driver_version)
        driver = nvidia.driver_version or nvidia.module_version
        if not driver:
            return None, None
        if not versions.is_pep440(driver):
            return None, None
        table = self._kind("x86_index", {})
        best = knowledge.max_cuda_for_driver(driver, self.recipes)
        if best is None:
            return None, "driver {} is older than every CUDA in the table".format(driver)
        return best, "driver {} supports up to CUDA {} (needs >= {})".format(driver, best, table[best]["min_driver"])

    def _trt_cuda_major(self):
        # type: () -> Optional[int]
        trt = self.facts.tensorrt
        for version in sorted((trt.packages or {}).values()):
            match = _CUDA_IN_DEB.search(version or "")
            if match:
                return int(match.group(1))
        names = list((trt.packages or {}).keys()) + list((self.facts.python.packages or {}).keys())
        for name in sorted(names):
            match = _TRT_PIP.match(name.lower())
            if match:
                return int(match.group(1))
        return None

    def _x86_index(self, cap, cap_source, trt_cuda, trt_cuda_source, python, torch_wanted):
        # type: (Optional[str], Optional[str], Optional[int], str, Optional[str], Optional[str]) -> Tuple[Optional[str], Optional[str], Optional[str], str]
        """(index_url, index tag, torch requirement version, reason)."""
        if torch_wanted:
            if not versions.is_pep440(torch_wanted):
                raise UsageError("--torch {}: not a version, a .whl path or a URL".format(torch_wanted),
                                 fix="e.g. --torch 2.5.1, --torch ./torch-2.5.1-cp310-cp310-linux_x86_64.whl")
        if self.ov.get("index_url"):
            version = torch_wanted
            if version is None:
                self.warnings.append("--index-url given without --torch: pip picks the newest torch there.")
            return self.ov.get("index_url"), None, version, "--index-url {} given".format(self.ov.get("index_url"))
        if self.ov.get("no_index"):
            return None, None, torch_wanted, "--no-index: torch from the --find-links folders"
        if cap is None:
            raise UsageError(
                "no NVIDIA driver found, so the CUDA build of torch cannot be chosen"
                + (" ({})".format(cap_source) if cap_source else ""),
                fix="Install the NVIDIA driver, or pass --index-url https://download.pytorch.org/whl/cuXYZ "
                    "for the CUDA your driver supports.")
        table = self._kind("x86_index", {})
        indexes = sorted(((c, e) for c, e in table.items() if e.get("index")),
                         key=lambda item: _vkey(item[0]), reverse=True)
        fitting = [(c, e) for c, e in indexes if _vkey(c) <= _vkey(cap)
                   and (trt_cuda is None or _major(c) == trt_cuda)]
        if not fitting:
            raise UsageError(
                "no PyTorch CUDA index fits a driver that supports CUDA {}{}".format(
                    cap, " within {}".format(trt_cuda_source) if trt_cuda else ""),
                fix="Upgrade the NVIDIA driver (see `trtsetup doctor`), or pass --index-url.")
        wanted_minor = _minor(torch_wanted) if torch_wanted else None
        for cuda, entry in fitting:
            minors = [m for m in entry["torch"] if self._python_ok(m, python)]
            if wanted_minor is not None:
                minors = [m for m in minors if m == wanted_minor]
            if not minors:
                continue
            newest = max(minors, key=_vkey)
            version = torch_wanted or "{}.*".format(newest)
            why = "{}; the highest PyTorch index for it is {} (CUDA {})".format(cap_source, entry["index"], cuda)
            if trt_cuda is not None:
                why += " within {}".format(trt_cuda_source)
            if torch_wanted:
                why += "; --torch {} asked for".format(torch_wanted)
            else:
                why += "; torch {} is the newest there{}".format(
                    newest, " for Python {}".format(python) if python else "")
            return entry["index_url"], entry["index"], version, why
        raise UsageError(
            "no PyTorch index for CUDA <= {} has torch {}for Python {}".format(
                cap, "{} ".format(torch_wanted) if torch_wanted else "", python or "?"),
            fix="Pick another --torch version or --python, or pass --index-url.")

    def _check_toolkit(self, index_tag):
        toolkit = _major(self.facts.cuda.version)
        if index_tag and toolkit is not None:
            index_major = int(index_tag[2:-1])
            if index_major != toolkit:
                self.warnings.append(
                    "The CUDA toolkit here is {} but torch comes from {} (CUDA {}): building torch2trt's "
                    "plugins needs a toolkit of torch's CUDA major.".format(self.facts.cuda.version, index_tag, index_major))
