"""Run every probe against one host and assemble ``Facts``.

Fast probes read files (and run ``nvidia-smi``/the interpreter's info script with short
timeouts); slow probes import torch and tensorrt in the target interpreter. The probes that
wait on a process (the interpreter, nvidia-smi, torch, tensorrt) run on threads; those that
only read files run one after another on this thread meanwhile. (Given threads too, the file
probes only took turns at the interpreter lock, and a `doctor --fast` whose answers are all
remembered, which starts no process, got slower.) One probe raising is recorded in
``Facts.probe_errors`` and does not stop the others.
"""

import threading
import time
from typing import Any, Callable, Dict, Optional

from .. import __version__
from ..facts import from_json, to_json
from ..knowledge import max_cuda_for_driver
from ..facts import (Container, ContainerRuntime, CudaToolkit, Cudnn, Facts, NvidiaDriver, PythonEnv, SystemInfo,
                     Tensorrt, TensorrtPython, TorchRuntime)

SLOW_PROBE_TIMEOUT = 90.0


class _Job(object):
    """One probe on its own thread. Plain threads, not concurrent.futures: its import (with
    logging) costs more than `doctor --fast` can spend, and a probe that hangs past its
    timeout must not keep the process from exiting (daemon threads)."""

    def __init__(self, target):
        self.value = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(target,))
        self.thread.daemon = True
        self.thread.start()

    def _run(self, target):
        try:
            self.value = target()
        finally:
            self.done.set()


class _Runner(object):
    def __init__(self):
        self.errors = {}   # type: Dict[str, str]
        self.seconds = {}  # type: Dict[str, float]

    def call(self, name, func, default, *args):
        """``func(*args)`` on this thread, timed; ``default`` if it raises."""
        started = time.monotonic()
        try:
            return func(*args)
        except Exception as exc:  # a probe bug must not hide every other fact
            self.errors[name] = "{}: {}".format(type(exc).__name__, exc)
            return default
        finally:
            self.seconds[name] = round(time.monotonic() - started, 4)

    def submit(self, name, func, default, *args):
        """``call`` on a thread of its own, for a probe that waits on a process."""
        return _Job(lambda: self.call(name, func, default, *args))

    def result(self, name, job, default, timeout=None):
        if not job.done.wait(timeout):
            self.errors[name] = "did not finish in {:.0f} s (TimeoutError)".format(timeout or 0)
            return default
        return job.value


def gather_facts(host, recipes, python=None, fast=False, build_dir=None, slow_timeout=SLOW_PROBE_TIMEOUT,
                 cache=None, nvidia_header=None, progress=None):
    # type: (Any, Any, Optional[str], bool, Optional[str], float, Any, Optional[bool]) -> Facts
    """``fast`` skips the slow probes (importing torch/tensorrt in the target interpreter) and,
    unless ``nvidia_header`` says otherwise, the plain ``nvidia-smi`` call for the driver's
    CUDA version (then derived from the driver version and the recipes).
    ``cache``: a ``probe_cache.ProbeCache`` remembering successful torch probes, the
    interpreter's answer about itself, nvidia-smi's GPU query and ``nvcc --version`` (each reused only with
    proof that nothing it depends on changed), or None.
    ``progress(label)`` is told which slow step the gathering waits on (None: none), for a
    spinner on a terminal."""
    progress = progress or (lambda label: None)
    if nvidia_header is None:
        nvidia_header = not fast
    from . import (container, container_runtime, cuda, cudnn, dpkg, gpu, jetson, python_env, system, tensorrt,
                   torch_fingerprint, torch_runtime)

    run = _Runner()
    try:
        f_python = run.submit("python", python_env.read_python, PythonEnv(), host, python, cache)
        f_nvidia = run.submit("gpu", gpu.read_nvidia, (NvidiaDriver(), ()), host, nvidia_header, cache)
        early_torch = None
        if not fast and host.can_run and (cache is None or not cache.holds("torch")):
            early_torch = _start_torch_early(run, host, python, slow_timeout)
        if cache is not None:  # several probes read dpkg's status: parse it once, or not at all
            run.call("dpkg", dpkg.remember_installed, None, host, cache)
        sysinfo = run.call("system", system.read_system, SystemInfo(), host, build_dir)
        jetson_facts = run.call("jetson", jetson.read_jetson, None, host, recipes)
        cuda_facts = run.call("cuda", cuda.read_cuda, CudaToolkit(), host, cache)
        runtime_facts = run.call("container-runtime", container_runtime.read_container_runtime,
                                 ContainerRuntime(), host, recipes)
        container_facts = run.call("container", container.read_container, Container(), host, sysinfo.arch)
        cudnn_facts = run.call("cudnn", cudnn.read_cudnn, Cudnn(), host, cuda_facts)
        # The torch probe takes seconds: unless it started early, start it as soon as the
        # interpreter has answered (and a remembered answer, if any, is found stale).
        progress("asking {} about itself".format(python or "python3"))
        py = run.result("python", f_python, PythonEnv())
        progress(None)

        f_torch = f_trt_py = None
        torch_key = cached = None
        if not fast and py.executable and py.error is None and host.can_run:
            if cache is not None:
                driver, gpus = run.result("gpu", f_nvidia, (NvidiaDriver(), ()))
                torch_key = torch_fingerprint.torch_probe_fingerprint(host, py, {
                    "driver": driver.driver_version, "smi_error": driver.smi_error,
                    "gpus": [(g.name, g.compute_capability) for g in gpus],
                    "l4t": jetson_facts.l4t if jetson_facts else None, "trtsetup": __version__})
                cached = cache.get("torch", torch_key) if torch_key else None
                if cached is not None and _files_changed(host, py):
                    cached = None  # a killed pip, a removed library: ask torch again
            if cached is None:
                vision = not torch_runtime.torchvision_paired_by_metadata(host, py)
                if early_torch is not None and (early_torch[1] or not vision):
                    f_torch = early_torch[0]
                else:  # none started, or the interpreter showed a torchvision its files did not
                    f_torch = run.submit("torch", torch_runtime.read_torch_runtime, TorchRuntime(), host,
                                         py.executable, slow_timeout, vision)
            f_trt_py = run.submit("tensorrt-python", tensorrt.read_tensorrt_python, TensorrtPython(),
                                  host, py.executable, slow_timeout)
        trt = run.call("tensorrt", tensorrt.read_tensorrt, Tensorrt(), host, sysinfo.arch, py.site_dirs)
        driver, gpus = run.result("gpu", f_nvidia, (NvidiaDriver(), ()))
        if driver.cuda_driver_version is None and driver.driver_version and jetson_facts is None:
            # A derived fact: the highest CUDA whose minimum driver this driver meets.
            derived = max_cuda_for_driver(driver.driver_version, recipes)
            if derived:
                driver = _replace(driver, cuda_driver_version=derived, cuda_driver_source="driver-table")
        if f_torch is not None:
            progress("importing torch in {}".format(py.executable))
            torch_rt = run.result("torch", f_torch, TorchRuntime(), timeout=slow_timeout + 5)
            if torch_key and torch_rt.imported and "torch" not in run.errors:
                cache.put("torch", torch_key, to_json(torch_rt))
            py = _replace(py, torch=torch_rt)
        elif cached is not None:
            py = _replace(py, torch=_replace(from_json(TorchRuntime, cached["value"]),
                                             cached_at=cached["stored_at"]))
        if f_trt_py is not None:
            progress("importing tensorrt in {}".format(py.executable))
            trt_py = run.result("tensorrt-python", f_trt_py, TensorrtPython(), timeout=slow_timeout + 5)
            trt = _replace(trt, python=trt_py)
    finally:
        progress(None)

    return Facts(system=sysinfo, jetson=jetson_facts, nvidia=driver, gpus=tuple(gpus), cuda=cuda_facts,
                 cudnn=cudnn_facts, tensorrt=trt, container=container_facts, container_runtime=runtime_facts,
                 python=py, host=host.description, probe_errors=dict(run.errors), probe_seconds=dict(run.seconds),
                 read_problems=_unique_problems(host.problems))


def _start_torch_early(run, host, python, slow_timeout):
    """The torch probe, started beside the interpreter's answer about itself when no
    remembered answer can be reused (the first doctor, ``--refresh``): importing torch is the
    cold doctor's critical path (issue 10). Whether torchvision is imported too is judged
    from the packages the interpreter's files show; gather checks that against the
    interpreter's own answer and probes again only if they disagree. (job, torchvision) or None."""
    from . import python_env, torch_runtime
    target = python_env.target_interpreter(host, python)
    if not target:
        return None
    files = python_env.read_python_files(host, target)
    if files.error is not None:
        return None
    vision = not torch_runtime.torchvision_paired_by_metadata(host, files)
    return run.submit("torch", torch_runtime.read_torch_runtime, TorchRuntime(), host, target, slow_timeout,
                      vision), vision


def _files_changed(host, py):
    from .torch_fingerprint import files_changed_since_install
    for name in ("torch", "torchvision"):
        if files_changed_since_install(host, py.packages.get(name)):
            return True
    return False


def _unique_problems(problems):
    """Each unreadable input once (several probes read dpkg's status), sorted by path: the order
    probes happen to finish in must not change what the report says first."""
    return tuple(sorted(set((path, why) for path, why in problems)))


def _replace(record, **changes):
    from ..record import replace
    return replace(record, **changes)
