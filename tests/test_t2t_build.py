"""End to end with real compilers: a stand-in shaped like torch2trt (same hard-coded
``trt_inc_dir()``/``trt_lib_dir()``, a C++ extension that includes NvInfer.h and links
-lnvinfer, a CMake library with ``set(CUDA_ARCHITECTURES 53 62 72 87)`` and
``cmake_minimum_required(VERSION 3.0.0)``) built against a TensorRT-shaped tree made here
(headers + a tiny libnvinfer.so compiled from C). No real TensorRT or torch is involved.

When a working nvcc is found the CMake stand-in compiles a real .cu file, so an nvcc >= 13
reproduces F17 (``Unsupported gpu architecture 'compute_53'``); otherwise it is C++ only.
"""

import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

from trtsetup.errors import ActionFailed
from trtsetup.host.live import LiveHost
from trtsetup.plan.build_jobs import max_jobs
from trtsetup.torch2trt import build, patch as t2t_patch
from trtsetup.torch2trt.verify import verify_install

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "torch2trt")
SENTINEL = 100399  # what our libnvinfer's getInferLibVersion() returns

pytestmark = pytest.mark.skipif(not (shutil.which("gcc") and shutil.which("g++") and shutil.which("cmake")),
                                reason="needs gcc, g++ and cmake")


def _nvcc():
    nvcc = shutil.which("nvcc")
    if not nvcc:
        return None, None
    try:
        out = subprocess.run([nvcc, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    for word in out.split():
        if word.startswith("V") and word[1:2].isdigit():
            return nvcc, int(word[1:].split(".")[0])
    return None, None


NVCC, NVCC_MAJOR = _nvcc()


class Logged(object):
    """The step's run_logged, in small: run on the live host and keep every output."""

    def __init__(self, log_path):
        self.log_path = log_path
        self.host = LiveHost()

    def __call__(self, argv, env=None, cwd=None, timeout=None):
        result = self.host.run(argv, timeout=timeout or 600, env=env, cwd=cwd)
        with open(self.log_path, "a") as handle:
            handle.write("$ {}\n{}{}".format(" ".join(argv), result.stdout, result.stderr))
        return result


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text)


@pytest.fixture(scope="module")
def trt(tmp_path_factory):
    """A TensorRT tarball layout: include/NvInfer.h, NvInferVersion.h; lib/libnvinfer.so(.10)."""
    root = str(tmp_path_factory.mktemp("TensorRT-10.3.99"))
    write(os.path.join(root, "include", "NvInferVersion.h"),
          "#pragma once\n#define NV_TENSORRT_MAJOR 10\n#define NV_TENSORRT_MINOR 3\n#define NV_TENSORRT_PATCH 99\n")
    write(os.path.join(root, "include", "NvInfer.h"),
          '#pragma once\n#include "NvInferVersion.h"\n#ifdef __cplusplus\nextern "C" {\n#endif\n'
          "int getInferLibVersion(void);\n#ifdef __cplusplus\n}\n#endif\n")
    source = os.path.join(root, "nvinfer.c")
    write(source, "int getInferLibVersion(void) { return %d; }\n" % SENTINEL)
    lib = os.path.join(root, "lib")
    os.makedirs(lib)
    subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,-soname,libnvinfer.so.10", "-o",
                    os.path.join(lib, "libnvinfer.so.10"), source], check=True)
    os.symlink("libnvinfer.so.10", os.path.join(lib, "libnvinfer.so"))
    return {"root": root, "include": os.path.join(root, "include"), "lib": lib}


STANDIN_SETUP = '''import sys
from setuptools import setup, find_packages
from setuptools import Extension as CUDAExtension  # stand-in: torch's CUDAExtension needs torch

def trt_inc_dir():
    return "/usr/include/aarch64-linux-gnu"

def trt_lib_dir():
    return "/usr/lib/aarch64-linux-gnu"

ext_modules = []

plugins_ext_module = CUDAExtension(
        name='plugins',
        sources=[
            'torch2trt/plugins/plugins.cpp'
        ],
        include_dirs=[
            trt_inc_dir()
        ],
        library_dirs=[
            trt_lib_dir()
        ],
        libraries=[
            'nvinfer'
        ],
        language='c++',
    )
if '--plugins' in sys.argv:
    ext_modules.append(plugins_ext_module)
    sys.argv.remove('--plugins')

setup(
    name='torch2trt',
    version='0.3.0',
    packages=find_packages(),
    ext_package='torch2trt',
    ext_modules=ext_modules,
)
'''

STANDIN_EXTENSION = r'''#include <Python.h>
#include "NvInfer.h"

static PyObject* trt_version(PyObject* self, PyObject* args) { return PyLong_FromLong(getInferLibVersion()); }
static PyObject* compiled_major(PyObject* self, PyObject* args) { return PyLong_FromLong(NV_TENSORRT_MAJOR); }
static PyMethodDef methods[] = {
    {"trt_version", trt_version, METH_NOARGS, "getInferLibVersion() of the linked libnvinfer"},
    {"compiled_major", compiled_major, METH_NOARGS, "NV_TENSORRT_MAJOR of the included header"},
    {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "plugins", NULL, -1, methods};
PyMODINIT_FUNC PyInit_plugins(void) { return PyModule_Create(&module); }
'''

STANDIN_INIT = '''try:
    from .plugins import trt_version  # the legacy --plugins extension (v0.2.0/v0.3.0)
except ImportError:
    pass
try:
    import ctypes
    ctypes.CDLL('libtorch2trt_plugins.so')  # as torch2trt >= v0.4.0 does: bare name, errors ignored
    PLUGINS_LOADED = True
except OSError:
    PLUGINS_LOADED = False
'''


def standin_cmakelists(cuda):
    sources = "    plugins/src/example_plugin.cu\n" if cuda else ""
    cuda_lines = "find_package(CUDA REQUIRED)\n\nenable_language(CUDA)\n\n" if cuda else ""
    return ("cmake_minimum_required(VERSION 3.0.0)\nproject(torch2trt_plugins VERSION 0.1.0)\n\n"
            "# VARIABLES\nset(CUDA_ARCHITECTURES 53 62 72 87)\n\n# BUILD PLUGINS LIBRARY\n" + cuda_lines +
            'include_directories("${CUDA_INCLUDE_DIRS}")\n\nadd_library(torch2trt_plugins SHARED\n' + sources +
            "    plugins/src/reflection_pad_2d_plugin.cpp\n)\n"
            "set_property(TARGET torch2trt_plugins PROPERTY CUDA_ARCHITECTURES ${CUDA_ARCHITECTURES})\n\n"
            "target_link_libraries(\n    torch2trt_plugins\n    nvinfer\n    ${CUDA_LIBRARIES}\n)\n\n"
            "install (TARGETS torch2trt_plugins\n         LIBRARY DESTINATION lib)\n")


def standin(dest):
    write(os.path.join(dest, "setup.py"), STANDIN_SETUP)
    shutil.copy(os.path.join(FIXTURES, "v0.3.0", "build.py"), os.path.join(dest, "build.py"))
    write(os.path.join(dest, "torch2trt", "__init__.py"), STANDIN_INIT)
    write(os.path.join(dest, "torch2trt", "plugins", "plugins.cpp"), STANDIN_EXTENSION)
    write(os.path.join(dest, "CMakeLists.txt"), standin_cmakelists(NVCC is not None))
    write(os.path.join(dest, "plugins", "src", "reflection_pad_2d_plugin.cpp"),
          '#include "NvInfer.h"\nextern "C" int t2t_plugins_trt_version(void) { return getInferLibVersion(); }\n')
    write(os.path.join(dest, "plugins", "src", "example_plugin.cu"),
          '#include "NvInfer.h"\n__global__ void example_kernel(float* x) { x[threadIdx.x] *= NV_TENSORRT_MAJOR; }\n'
          'extern "C" int t2t_example_major(void) { return NV_TENSORRT_MAJOR; }\n')
    return dest


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return str(tmp_path_factory.mktemp("t2t-build"))


@pytest.fixture(scope="module")
def target_python(work):
    """A venv to install into; it sees this interpreter's pip/setuptools/wheel through a .pth."""
    venv = os.path.join(work, "venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout.strip()
    write(os.path.join(site, "dev_tools.pth"), sysconfig.get_paths()["purelib"] + "\n")
    return {"python": python, "site": site}


def run_for(work, name):
    return Logged(os.path.join(work, name + ".log"))


def env_for_build():
    return build.build_env(None, os.environ.get("PATH"), max_jobs(4096, 0, 2))


def test_unpatched_standin_fails_with_f1_and_diagnosis_names_it(work, target_python):
    src = standin(os.path.join(work, "unpatched"))
    run = run_for(work, "unpatched")
    with pytest.raises(ActionFailed) as err:
        build.build_wheel(run, target_python["python"], src, os.path.join(work, "wheels-x"), env_for_build(),
                          plugins=True, log_path=run.log_path)
    assert "[F1]" in err.value.message and "NvInfer.h" in err.value.message
    assert "--trt-include" in err.value.fix and err.value.log_path == run.log_path
    assert "-I/usr/include/aarch64-linux-gnu" in open(run.log_path).read()


def test_unpatched_lib_dir_fails_with_f2(work, target_python, trt):
    src = standin(os.path.join(work, "half"))
    t2t_patch.apply_plan(t2t_patch.plan_tree(src, t2t_patch.PatchOptions(trt_include=trt["include"])))
    run = run_for(work, "half")
    with pytest.raises(ActionFailed) as err:
        build.build_wheel(run, target_python["python"], src, os.path.join(work, "wheels-x"), env_for_build(),
                          plugins=True, log_path=run.log_path)
    assert "[F2]" in err.value.message and "-lnvinfer" in err.value.message


@pytest.fixture(scope="module")
def patched(work, trt):
    src = standin(os.path.join(work, "patched"))
    options = t2t_patch.PatchOptions(trt_include=trt["include"], trt_lib=trt["lib"],
                                     cuda_arch=("90",) if NVCC else ("87",))
    plan = t2t_patch.plan_tree(src, options)
    assert "t2t-compat-lazy-plugins-ext" in plan.in_effect
    t2t_patch.apply_plan(plan)
    return src


def test_patched_standin_builds_against_the_patched_dirs_and_installs(work, target_python, trt, patched):
    run = run_for(work, "patched")
    wheel = build.build_wheel(run, target_python["python"], patched, os.path.join(work, "wheels"),
                              env_for_build(), plugins=True, log_path=run.log_path)
    log = open(run.log_path).read()
    assert "-I" + trt["include"] in log and "-L" + trt["lib"] in log
    assert "aarch64-linux-gnu" not in log
    assert os.path.basename(wheel.path).startswith("torch2trt-0.3.0-cp") and len(wheel.sha256) == 64
    build.install_wheel(run, target_python["python"], wheel.path, user=True, is_venv=True, is_conda=False,
                        log_path=run.log_path)
    assert "--user" not in open(run.log_path).read().split("pip install")[-1].splitlines()[0]
    env = {"LD_LIBRARY_PATH": trt["lib"]}
    result = verify_install(run, target_python["python"], src_dir=patched, env=env)
    assert result.file.startswith(target_python["site"])
    out = run([target_python["python"], "-c",
               "import torch2trt.plugins as p; print(p.trt_version(), p.compiled_major())"],
              env=env, cwd=work)
    assert out.stdout.split() == [str(SENTINEL), "10"]  # our header, our libnvinfer


def test_plain_build_makes_a_pure_wheel_without_cuda_or_tensorrt(work, target_python, patched):
    run = run_for(work, "plain")
    wheel = build.build_wheel(run, target_python["python"], patched, os.path.join(work, "wheels-plain"),
                              env_for_build(), plugins=False, log_path=run.log_path)
    assert wheel.path.endswith("-py3-none-any.whl")
    assert "--no-build-isolation" in open(run.log_path).read()


def test_verify_refuses_a_clone_shadowing_the_install(work, target_python):
    clone = os.path.join(work, "clone-parent")
    write(os.path.join(clone, "torch2trt", "__init__.py"), "")
    run = run_for(work, "shadow")
    with pytest.raises(ActionFailed) as err:
        verify_install(run, target_python["python"], src_dir=clone, env={"PYTHONPATH": clone})
    assert "resolved to the source tree" in err.value.message and "[F12]" in err.value.message


def test_verify_refuses_a_namespace_package_from_a_clone(work):
    clone = os.path.join(work, "bare-clone-parent")
    os.makedirs(os.path.join(clone, "torch2trt"), exist_ok=True)  # no __init__.py: a namespace package
    run = run_for(work, "namespace")
    with pytest.raises(ActionFailed) as err:  # this interpreter has no torch2trt installed
        verify_install(run, sys.executable, env={"PYTHONPATH": clone})
    assert "[F12]" in err.value.message and "without __init__.py" in err.value.message


def cmake_build(work, src, name, env=None):
    run = run_for(work, name)
    build_env = env_for_build()
    build_env.update(env or {})
    prefix = os.path.join(work, name + "-prefix")
    path = build.build_plugins_lib(run, src, os.path.join(work, name + "-build"), prefix, build_env, jobs=2,
                                   nvcc=NVCC, log_path=run.log_path)
    return run, path


@pytest.mark.skipif(not (NVCC and NVCC_MAJOR >= 13), reason="needs an nvcc >= 13 (drops compute_53)")
def test_cmake_tensorrt_dirs_patched_but_not_arch_fails_with_f17(work, trt):
    src = standin(os.path.join(work, "cmake-dirs-only"))
    t2t_patch.apply_plan(t2t_patch.plan_tree(src, t2t_patch.PatchOptions(trt_include=trt["include"],
                                                                         trt_lib=trt["lib"])))
    with pytest.raises(ActionFailed) as err:
        cmake_build(work, src, "cmake-dirs-only")
    assert "[F17]" in err.value.message and "compute_53" in err.value.message
    assert "--cuda-arch" in err.value.fix


def test_cmake_arch_patched_but_no_tensorrt_dirs_fails_with_f1(work):
    src = standin(os.path.join(work, "cmake-arch-only"))
    t2t_patch.apply_plan(t2t_patch.plan_tree(src, t2t_patch.PatchOptions(cuda_arch=("90",))))
    with pytest.raises(ActionFailed) as err:
        cmake_build(work, src, "cmake-arch-only")
    assert "[F1]" in err.value.message


def test_patched_cmake_library_builds_installs_and_loads(work, trt, patched, target_python):
    run, lib = cmake_build(work, patched, "cmake-patched")
    log = open(run.log_path).read()
    if NVCC:
        assert "compute_53" not in log
    flags = open(os.path.join(work, "cmake-patched-build", "CMakeFiles", "torch2trt_plugins.dir",
                              "flags.make")).read()
    assert "-I" + trt["include"] in flags or "-isystem " + trt["include"] in flags
    if NVCC:
        assert "arch=compute_90" in flags and "compute_53" not in flags
    assert lib == os.path.join(work, "cmake-patched-prefix", "lib", "libtorch2trt_plugins.so")
    env = {"LD_LIBRARY_PATH": trt["lib"]}
    # loads by path; by bare name it is not found: the F20 trap torch2trt silently falls into
    with pytest.raises(ActionFailed) as err:
        verify_install(run, target_python["python"], plugins_lib=lib, env=env)
    assert "[F20]" in err.value.message
    # with the preload hook in the interpreter's site dir, import torch2trt loads it
    hook = build.write_preload_hook(target_python["site"], lib)
    try:
        result = verify_install(run, target_python["python"], plugins_lib=lib, env=env)
        assert result.lib_by_name_error is None and result.lib_by_path_error is None
        loaded = run([target_python["python"], "-c", "import torch2trt; print(torch2trt.PLUGINS_LOADED)"],
                     env=env, cwd=work)
        assert loaded.stdout.strip() == "True"
    finally:
        for path in hook:
            os.unlink(path)


def test_steps_install_then_a_second_run_finds_everything_satisfied(work, trt, target_python):
    from trtsetup.plan.model import Plan, StepSpec
    from trtsetup.plan.step import ExecContext
    from trtsetup.step_kinds import build_steps
    from trtsetup.torch2trt import steps

    repo = standin(os.path.join(work, "steps-src"))
    git_env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t",
                   GIT_COMMITTER_EMAIL="t@e")
    for argv in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-q", "-m", "standin"]):
        subprocess.run(argv, cwd=repo, env=git_env, check=True)
    log = os.path.join(work, "steps.log")
    emitted = []

    def context(earlier):
        return ExecContext(host=LiveHost(), python=target_python["python"], user=False, dry_run=False,
                           state_dir=os.path.join(work, "state"), cache_dir=os.path.join(work, "cache"),
                           log_path=log, run_logged=Logged(log), emit=emitted.append, options={},
                           earlier=earlier)

    def planned():
        patch = {"trt_include": trt["include"], "trt_lib": trt["lib"],
                 "cuda_arch": ["9.0"] if NVCC else ["8.7"], "tensorrt_version": None, "pre_py37": False}
        where = {"is_venv": True, "is_conda": False, "cuda_home": None, "max_jobs": 2, "patch": patch}
        specs = (StepSpec("t2t-source", "", "", {"ref": None, "min_commit": None, "src": repo, "git_url": None}),
                 StepSpec("t2t-patch", "", "", patch),
                 StepSpec("t2t-build", "", "", dict(where, plugins=True, legacy_plugin_shapes=["v0.2.0", "v0.3.0"])),
                 StepSpec("t2t-plugins", "", "", dict(where, enabled=True, cuda_arch=patch["cuda_arch"], plugins=True,
                                                      nvcc=NVCC, is_root=False, cmake="cmake",
                                                      prefix=os.path.join(work, "steps-prefix"))),
                 StepSpec("t2t-verify", "", "", {"env": {"LD_LIBRARY_PATH": trt["lib"]}}))
        return build_steps(Plan({}, specs))

    def run_plan():
        done = {}
        earlier = {}
        for step in planned():
            ctx = context(earlier)
            reason = step.is_satisfied(ctx)
            done[step.id] = reason if reason is not None else step.run(ctx)
            if reason is None:
                earlier[step.id] = done[step.id]
        return done

    first = run_plan()
    assert first["t2t-build"]["wheel"].endswith(".whl")
    assert first["t2t-plugins"]["loader"] == "preload-hook"
    assert first["t2t-verify"]["file"].startswith(target_python["site"])
    record = steps.read_install_record(os.path.join(work, "state"))
    assert record["plugins_lib"]["path"] == first["t2t-plugins"]["path"]
    second = run_plan()
    for step_id in ("t2t-patch", "t2t-build", "t2t-plugins"):
        assert isinstance(second[step_id], str), (step_id, second[step_id])
    assert "already patched" in second["t2t-patch"] and "is installed" in second["t2t-plugins"]
    for path in first["t2t-plugins"]["hook_files"]:
        os.unlink(path)
