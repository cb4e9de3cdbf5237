"""The torch2trt patcher on trees shaped like every torch2trt version (tests/fixtures/torch2trt)."""

import json
import os
import shutil
import stat

import pytest

from trtsetup.commands.patch import patch
from trtsetup.errors import InputError, RefusedError, UsageError
from trtsetup.facts import Facts, Gpu, Tensorrt
from trtsetup.host.live import LiveHost
from trtsetup.torch2trt import patch as t2t_patch

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "torch2trt")
SHAPES = ["v0.2.0", "v0.3.0", "v0.4.0", "v0.5.0", "master"]
INC = "/opt/TensorRT-10.3.0.26/include"
LIB = "/opt/TensorRT-10.3.0.26/lib"

CORE = ["t2t-setup-trt-include-dir", "t2t-setup-trt-lib-dir", "t2t-build-py-trt-dirs"]
CMAKE = ["t2t-cmake-minimum-version", "t2t-cmake-cuda-architectures", "t2t-cmake-trt-dirs"]
EXPECTED_RULES = {
    "v0.2.0": CORE + ["t2t-compat-lazy-plugins-ext", "t2t-compat-intlist-compare", "t2t-compat-collections-abc"],
    "v0.3.0": CORE + ["t2t-compat-lazy-plugins-ext", "t2t-compat-intlist-compare", "t2t-compat-collections-abc"],
    "v0.4.0": CORE + CMAKE + ["t2t-compat-lazy-plugins-ext", "t2t-compat-torch-version-parse",
                              "t2t-compat-collections-abc"],
    "v0.5.0": CORE + CMAKE + ["t2t-compat-lazy-plugins-ext", "t2t-compat-torch-version-parse"],
    "master": CORE + CMAKE + ["t2t-compat-lazy-plugins-ext", "t2t-compat-torch-version-parse",
                              "t2t-compat-add-padding-nd"],
}


def tree(tmp_path, shape):
    dest = str(tmp_path / "torch2trt")
    shutil.copytree(os.path.join(FIXTURES, shape), dest)
    return dest


def snapshot(root):
    files = {}
    for base, dirs, names in os.walk(root):
        for name in names:
            full = os.path.join(base, name)
            with open(full, "rb") as handle:
                files[os.path.relpath(full, root)] = handle.read()
    return files


def read(root, rel):
    with open(os.path.join(root, rel)) as handle:
        return handle.read()


class TarballHost(LiveHost):
    """This machine, plus a TensorRT tarball at /opt/TensorRT-10.3.0.26 (its dirs exist)."""

    def is_dir(self, path):
        return path in (INC, LIB) or super(TarballHost, self).is_dir(path)


def run(root, **kwargs):
    kwargs.setdefault("trt_include", INC)
    kwargs.setdefault("trt_lib", LIB)
    kwargs.setdefault("cuda_arch", "8.7,9.0")
    return patch(TarballHost(), root, **kwargs)


@pytest.mark.parametrize("shape", SHAPES)
def test_patch_points_every_shape_at_the_given_tensorrt_and_gpu(tmp_path, shape):
    root = tree(tmp_path, shape)
    result = run(root)
    assert result.exit_code == 0 and result.changed
    assert result.shape == shape
    assert sorted(result.in_effect) == sorted(EXPECTED_RULES[shape])
    setup_py = read(root, "setup.py")
    assert 'def trt_inc_dir():\n    return "{}"'.format(INC) in setup_py
    assert 'def trt_lib_dir():\n    return "{}"'.format(LIB) in setup_py
    assert "aarch64-linux-gnu" not in setup_py
    build_py = read(root, "build.py")
    assert 'trt_inc_dir="{}",'.format(INC) in build_py and 'trt_lib_dir="{}"):'.format(LIB) in build_py
    if "t2t-cmake-cuda-architectures" in EXPECTED_RULES[shape]:
        cmake = read(root, "CMakeLists.txt")
        assert "set(CUDA_ARCHITECTURES 87 90)\n" in cmake
        assert cmake.startswith("cmake_minimum_required(VERSION 3.5)\n")
        assert 'include_directories("{}")\nlink_directories("{}")\n'.format(INC, LIB) in cmake
        assert cmake.index("link_directories") < cmake.index("add_library")
    else:
        assert not os.path.exists(os.path.join(root, "CMakeLists.txt"))
        assert any("no CMake plugin library" in n for n in result.notes)
    # the patched Python still compiles, and the compat edits are where they belong
    for item in result.files:
        if item.path.endswith(".py"):
            compile(read(root, item.path), item.path, "exec")
    assert "plugins_ext_module = lambda: CUDAExtension(" in setup_py
    assert "ext_modules.append(plugins_ext_module())" in setup_py
    assert "diff" in result.to_json() and result.diff.startswith("--- a/setup.py\n+++ b/setup.py\n")


@pytest.mark.parametrize("shape", SHAPES)
def test_patch_twice_is_the_same_as_once(tmp_path, shape):
    root = tree(tmp_path, shape)
    first = run(root)
    after_once = snapshot(root)
    second = run(root)
    assert not second.changed and second.diff == ""
    assert all(f.status == "unchanged" for f in second.files)
    assert sorted(second.in_effect) == sorted(first.in_effect)
    assert snapshot(root) == after_once
    assert "already patched" in second.render_text()


@pytest.mark.parametrize("shape", SHAPES)
def test_check_exits_1_when_patching_is_needed_and_0_after(tmp_path, shape):
    root = tree(tmp_path, shape)
    before = snapshot(root)
    checked = run(root, check=True)
    assert checked.exit_code == 1 and not checked.changed
    assert snapshot(root) == before  # --check writes nothing, not even a backup
    assert {f.status for f in checked.files} <= {"would-patch", "unchanged"}
    assert "needs patching" in checked.render_text()
    run(root)
    assert run(root, check=True).exit_code == 0


@pytest.mark.parametrize("shape", SHAPES)
def test_revert_restores_the_original_bytes(tmp_path, shape):
    root = tree(tmp_path, shape)
    original = snapshot(root)
    run(root)
    run(root, trt_include="/usr/include/x86_64-linux-gnu", trt_lib="/usr/lib/x86_64-linux-gnu",
        cuda_arch="75")  # patched again with other values: the backup keeps the first bytes
    assert run(root, revert=True, check=True).exit_code == 1
    result = run(root, revert=True)
    assert result.changed and result.exit_code == 0
    assert snapshot(root) == original
    again = run(root, revert=True)
    assert not again.changed and "nothing to revert" in again.render_text()


def test_revert_refuses_a_file_edited_after_patching(tmp_path):
    root = tree(tmp_path, "v0.5.0")
    run(root)
    with open(os.path.join(root, "setup.py"), "a") as handle:
        handle.write("# my own edit\n")
    with pytest.raises(RefusedError) as err:
        run(root, revert=True)
    assert "setup.py changed since trtsetup patched it" in str(err.value)
    assert read(root, "setup.py").endswith("# my own edit\n")


@pytest.mark.parametrize("case, file_name, expected", [
    ("v0.0.0", "setup.py", "def trt_inc_dir():"),
    ("env-trt-dir", "setup.py", 'return "<dir>"'),
    ("cmake-no-arch", "CMakeLists.txt", "set(CUDA_ARCHITECTURES <list>)"),
])
def test_unknown_shape_is_refused_naming_file_and_pattern(tmp_path, case, file_name, expected):
    root = tree(tmp_path, os.path.join("unknown", case))
    before = snapshot(root)
    with pytest.raises(InputError) as err:
        run(root)
    message = str(err.value)
    assert os.path.join(root, file_name) in message and expected in message
    assert err.value.exit_code == 2
    assert snapshot(root) == before
    with pytest.raises(InputError):
        run(root, check=True)


def test_not_a_source_tree_is_refused(tmp_path):
    with pytest.raises(InputError) as err:
        patch(LiveHost(), str(tmp_path))
    assert "setup.py" in str(err.value)


def test_read_only_file_is_refused_and_nothing_is_written(tmp_path):
    root = tree(tmp_path, "master")
    cmake = os.path.join(root, "CMakeLists.txt")
    os.chmod(cmake, stat.S_IRUSR | stat.S_IRGRP)
    before = snapshot(root)
    with pytest.raises(RefusedError) as err:
        run(root)
    assert cmake in str(err.value) and "read-only" in str(err.value)
    assert "chmod" in err.value.fix
    assert snapshot(root) == before
    assert not os.path.exists(os.path.join(root, t2t_patch.BACKUP_DIR))


def test_patch_keeps_file_mode_and_crlf_line_endings(tmp_path):
    root = tree(tmp_path, "v0.4.0")
    setup_py = os.path.join(root, "setup.py")
    with open(setup_py, "rb") as handle:
        data = handle.read().replace(b"\n", b"\r\n")
    with open(setup_py, "wb") as handle:
        handle.write(data)
    os.chmod(setup_py, 0o750)
    run(root)
    with open(setup_py, "rb") as handle:
        patched = handle.read()
    assert b'    return "/opt/TensorRT-10.3.0.26/include"\r\n' in patched
    assert b"\n" not in patched.replace(b"\r\n", b"")
    assert stat.S_IMODE(os.stat(setup_py).st_mode) == 0o750
    assert run(root, check=True).exit_code == 0


def test_unknown_dirs_and_arch_keep_the_values_and_say_so(tmp_path):
    root = tree(tmp_path, "master")
    result = patch(LiveHost(), root)
    text = result.render_text()
    assert "pass --trt-include" in text and "pass --cuda-arch" in text
    assert "set(CUDA_ARCHITECTURES 53 62 72 87)" in read(root, "CMakeLists.txt")
    assert 'return "/usr/include/aarch64-linux-gnu"' in read(root, "setup.py")
    assert read(root, "CMakeLists.txt").startswith("cmake_minimum_required(VERSION 3.5)\n")
    # defect 21: the tree is not ready to build here, so neither patch nor --check says 0
    assert result.exit_code == 1 and "NOT ready to build here" in text
    assert patch(LiveHost(), root, check=True).exit_code == 1


def test_dirs_and_arch_default_to_the_doctors_findings(tmp_path):
    root = tree(tmp_path, "v0.5.0")
    facts = Facts(tensorrt=Tensorrt(include_dir="/usr/include/x86_64-linux-gnu",
                                    lib_dir="/usr/lib/x86_64-linux-gnu"),
                  gpus=(Gpu(index=0, compute_capability="8.6"), Gpu(index=1, compute_capability="8.6")))
    result = patch(LiveHost(), root, facts=facts)
    assert 'return "/usr/include/x86_64-linux-gnu"' in read(root, "setup.py")
    assert "set(CUDA_ARCHITECTURES 86)" in read(root, "CMakeLists.txt")
    assert any("from the doctor" in n for n in result.notes)
    # an explicit argument wins over the doctor
    patch(LiveHost(), root, cuda_arch="90", facts=facts)
    assert "set(CUDA_ARCHITECTURES 90)" in read(root, "CMakeLists.txt")


def test_compat_off_touches_only_the_core_lines(tmp_path):
    root = tree(tmp_path, "master")
    result = run(root, compat=False)
    assert sorted(result.in_effect) == sorted(CORE + CMAKE)
    assert "plugins_ext_module = CUDAExtension(" in read(root, "setup.py")
    assert "add_padding(" in read(root, "torch2trt/converters/native_converters.py")


def test_json_document_has_schema_and_serialises(tmp_path):
    root = tree(tmp_path, "v0.3.0")
    doc = run(root, check=True).to_json()
    assert doc["schema"] == "trtsetup.patch/1"
    assert doc["exit_code"] == 1 and doc["mode"] == "check" and doc["shape"] == "v0.3.0"
    assert doc["options"] == {"trt_include": INC, "trt_lib": LIB, "cuda_arch": ["87", "90"], "compat": True,
                              "tensorrt_version": None}
    assert {f["path"]: f["status"] for f in doc["files"]}["setup.py"] == "would-patch"
    json.dumps(doc, sort_keys=True)


@pytest.mark.parametrize("text, expected", [
    ("8.7", ("87",)), ("87", ("87",)), ("7.2,8.7", ("72", "87")), ("5.3, 6.2;7.2", ("53", "62", "72")),
    ("sm_90a", ("90a",)), ("11.0", ("110",)), ("110", ("110",)), ("8.7,87", ("87",)),
])
def test_cuda_arch_list_accepts_dotted_and_plain_forms(text, expected):
    assert t2t_patch.cuda_arch_list(text) == expected


@pytest.mark.parametrize("text", ["", "8.7.1", "abc", "8", "1234", "8.7,x", "999", "99.9", "2.0", "20"])
def test_cuda_arch_list_refuses_garbage(text):
    with pytest.raises(UsageError):
        t2t_patch.cuda_arch_list(text)


def test_a_dir_that_cannot_be_written_into_a_string_literal_is_refused(tmp_path):
    root = tree(tmp_path, "v0.5.0")
    with pytest.raises(UsageError):
        run(root, trt_include='/opt/"quoted"/include')
