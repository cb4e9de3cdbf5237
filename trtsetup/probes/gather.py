"""Run every probe against one host and assemble ``Facts``.

Fast probes read files (and run ``nvidia-smi``/the interpreter's info script with short
timeouts); slow probes import torch and tensorrt in the target interpreter. Independent
probes run concurrently in threads — they wait on files and subprocesses, not on the CPU.
One probe raising is recorded in ``Facts.probe_errors`` and does not stop the others.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, Optional

from ..facts import (Container, CudaToolkit, Cudnn, Facts, NvidiaDriver, PythonEnv, SystemInfo,
                     Tensorrt, TensorrtPython, TorchRuntime)

SLOW_PROBE_TIMEOUT = 90.0


class _Runner(object):
    def __init__(self, pool):
        self.pool = pool
        self.errors = {}   # type: Dict[str, str]
        self.seconds = {}  # type: Dict[str, float]

    def submit(self, name, func, default, *args):
        def timed():
            started = time.monotonic()
            try:
                return func(*args)
            except Exception as exc:  # a probe bug must not hide every other fact
                self.errors[name] = "{}: {}".format(type(exc).__name__, exc)
                return default
            finally:
                self.seconds[name] = round(time.monotonic() - started, 4)
        return self.pool.submit(timed)

    def result(self, name, future, default, timeout=None):
        try:
            return future.result(timeout=timeout)
        except Exception as exc:  # timeout
            self.errors[name] = "did not finish in {:.0f} s ({})".format(timeout or 0, type(exc).__name__)
            return default


def gather_facts(host, recipes, python=None, fast=False, build_dir=None, slow_timeout=SLOW_PROBE_TIMEOUT):
    # type: (Any, Any, Optional[str], bool, Optional[str], float) -> Facts
    from . import container, cuda, cudnn, gpu, jetson, python_env, system, tensorrt

    pool = ThreadPoolExecutor(max_workers=6)
    run = _Runner(pool)
    try:
        f_system = run.submit("system", system.read_system, SystemInfo(), host, build_dir)
        f_jetson = run.submit("jetson", jetson.read_jetson, None, host, recipes)
        f_nvidia = run.submit("gpu", gpu.read_nvidia, (NvidiaDriver(), ()), host)
        f_cuda = run.submit("cuda", cuda.read_cuda, CudaToolkit(), host)
        f_python = run.submit("python", python_env.read_python, PythonEnv(), host, python)

        sysinfo = run.result("system", f_system, SystemInfo())
        f_container = run.submit("container", container.read_container, Container(), host, sysinfo.arch)
        cuda_facts = run.result("cuda", f_cuda, CudaToolkit())
        f_cudnn = run.submit("cudnn", cudnn.read_cudnn, Cudnn(), host, cuda_facts)
        py = run.result("python", f_python, PythonEnv())

        f_torch = f_trt_py = None
        if not fast and py.executable and py.error is None and host.can_run:
            f_torch = run.submit("torch", python_env.read_torch_runtime, TorchRuntime(), host, py.executable, slow_timeout)
            f_trt_py = run.submit("tensorrt-python", tensorrt.read_tensorrt_python, TensorrtPython(),
                                  host, py.executable, slow_timeout)
        f_trt = run.submit("tensorrt", tensorrt.read_tensorrt, Tensorrt(), host, sysinfo.arch, py.site_dirs)

        jetson_facts = run.result("jetson", f_jetson, None)
        driver, gpus = run.result("gpu", f_nvidia, (NvidiaDriver(), ()))
        trt = run.result("tensorrt", f_trt, Tensorrt())
        container_facts = run.result("container", f_container, Container())
        cudnn_facts = run.result("cudnn", f_cudnn, Cudnn())
        if f_torch is not None:
            torch_rt = run.result("torch", f_torch, TorchRuntime(), timeout=slow_timeout + 5)
            py = _replace(py, torch=torch_rt)
        if f_trt_py is not None:
            trt_py = run.result("tensorrt-python", f_trt_py, TensorrtPython(), timeout=slow_timeout + 5)
            trt = _replace(trt, python=trt_py)
    finally:
        pool.shutdown(wait=False)

    return Facts(system=sysinfo, jetson=jetson_facts, nvidia=driver, gpus=tuple(gpus), cuda=cuda_facts,
                 cudnn=cudnn_facts, tensorrt=trt, container=container_facts, python=py,
                 host=host.description, probe_errors=dict(run.errors), probe_seconds=dict(run.seconds))


def _replace(record, **changes):
    import dataclasses
    return dataclasses.replace(record, **changes)
