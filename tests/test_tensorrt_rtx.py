"""The doctor recognises TensorRT-RTX (libtensorrt_rtx.so*, the tensorrt_rtx_bindings module) and
says plainly that torch2trt needs TensorRT itself, with the fix for the platform."""

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import SystemTree, run_cli
from tests.trees import x86 as trees
from trtsetup.checks.base import CheckContext
from trtsetup.checks.tensorrt import check_not_rtx
from trtsetup.facts import Facts, Tensorrt, TensorrtPython
from trtsetup.host.root import RootHost
from trtsetup.probes import tensorrt

RTX_TARBALL = "/opt/TensorRT-RTX-1.7.1.116"


def rtx_only_machine(tmp_path):
    """x86 with CUDA 13 and the TensorRT-RTX tarball (its NvInfer.h and libtensorrt_rtx), no TensorRT."""
    tree = trees.x86(SystemTree(tmp_path), cuda="13.0", trt=None)
    tree.write(RTX_TARBALL + "/include/NvInfer.h", "// TensorRT-RTX\n")
    tree.write(RTX_TARBALL + "/lib/libtensorrt_rtx.so.1.7.1", b"\x7fELF")
    tree.symlink(RTX_TARBALL + "/lib/libtensorrt_rtx.so.1", "libtensorrt_rtx.so.1.7.1")
    return tree


def test_the_probe_records_tensorrt_rtx_libraries_apart_from_tensorrt(tmp_path):
    tree = rtx_only_machine(tmp_path)
    trt = tensorrt.read_tensorrt(RootHost(tree.root), "x86_64")
    assert trt.lib_dir is None and trt.version is None
    assert trt.include_dir is None  # TensorRT-RTX's NvInfer.h is not taken for TensorRT's
    assert trt.rtx_libs == (RTX_TARBALL + "/lib/libtensorrt_rtx.so.1", RTX_TARBALL + "/lib/libtensorrt_rtx.so.1.7.1")


def test_the_doctor_says_torch2trt_needs_tensorrt_itself(tmp_path):
    tree = rtx_only_machine(tmp_path)
    result = run_cli(["doctor", "--json", "--root", tree.root])
    finding = {c["id"]: c for c in result.json()["checks"]}["trt-not-rtx"]
    assert finding["status"] == "fail"
    assert "torch2trt needs TensorRT itself" in finding["summary"]
    assert "tensorrt-cu13" in finding["fix"] and "libnvinfer-dev" in finding["fix"]
    assert result.exit_code == 1


def test_tensorrt_rtx_beside_tensorrt_is_fine(tmp_path):
    facts = Facts(tensorrt=Tensorrt(version="10.3.0.26", lib_dir="/usr/lib/x86_64-linux-gnu",
                                    python=TensorrtPython(importable=True, version="10.3.0", checked=True,
                                                          rtx="tensorrt_rtx_bindings 1.7.1.116")))
    finding = check_not_rtx(CheckContext(facts, None, {}))
    assert finding.status == "ok" and "torch2trt uses that" in finding.summary


def test_no_tensorrt_rtx_is_a_skip():
    assert check_not_rtx(CheckContext(Facts(), None, {})).status == "skip"


def test_the_target_python_reports_the_rtx_bindings_without_importing_them():
    try:
        import tensorrt_rtx_bindings  # noqa: F401  (only to know whether this venv has them)
    except ImportError:
        pytest.skip("TensorRT-RTX wheels not installed here (scripts/run-tests --with-torch, Python >= 3.9)")
    script = os.path.join(os.path.dirname(tensorrt.__file__), "scripts", "tensorrt_info.py")
    out = subprocess.run([sys.executable, script], stdout=subprocess.PIPE, timeout=60).stdout.decode()
    info = tensorrt.parse_tensorrt_info(out)
    assert info.rtx and info.rtx.startswith("tensorrt_rtx_bindings 1.7.1")
