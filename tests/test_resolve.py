"""Expected install plans, built from Facts records directly (no CLI, no host)."""

import pytest

from trtsetup.report.plan import render_plan_text
from trtsetup.plan.resolve import resolve_plan as plan
from trtsetup.errors import UsageError
from trtsetup.facts import (Facts, Gpu, JetsonInfo, NvidiaDriver, PythonEnv, SystemInfo, Tensorrt,
                            CudaToolkit)
from trtsetup.plan.model import STEP_IDS
from trtsetup.recipes import load_recipes

JETSON_INC = "/usr/include/aarch64-linux-gnu"
JETSON_LIB = "/usr/lib/aarch64-linux-gnu"


@pytest.fixture(scope="module")
def recipes():
    return load_recipes(overlays=[])


def jetson(l4t, jetpack, arch, module, python=None, trt=None, exact=True):
    return Facts(
        system=SystemInfo(arch="aarch64", distro_id="ubuntu"),
        jetson=JetsonInfo(l4t=l4t, jetpack=jetpack, jetpack_exact=exact, cuda_arch=arch, module=module),
        python=PythonEnv(executable="/usr/bin/python3", version=python) if python else PythonEnv(),
        tensorrt=Tensorrt(version=trt, include_dir=JETSON_INC if trt else None,
                          lib_dir=JETSON_LIB if trt else None) if trt else Tensorrt(),
    )


def x86(driver, trt=None, python="3.10.12", smi_cuda=None, packages=None, toolkit=None):
    return Facts(
        system=SystemInfo(arch="x86_64", distro_id="ubuntu"),
        nvidia=NvidiaDriver(driver_version=driver, cuda_driver_version=smi_cuda),
        gpus=(Gpu(index=0, name="NVIDIA A10", compute_capability="8.6", memory_mib=22731),),
        python=PythonEnv(executable="/usr/bin/python3", version=python),
        cuda=CudaToolkit(version=toolkit),
        tensorrt=Tensorrt(version=trt, include_dir="/usr/include/x86_64-linux-gnu" if trt else None,
                          lib_dir="/usr/lib/x86_64-linux-gnu" if trt else None, packages=packages or {}),
    )


def includes(got, expected):
    """The planned params carry at least these values (a plan carries more than a test names)."""
    return {k: got.get(k) for k in expected} == expected


def params(p):
    return {s.id: s.params for s in p.steps}


def test_every_plan_lists_every_step_in_order(recipes):
    p = plan(jetson("32.4.3", "4.4", "5.3", "Jetson Nano", "3.6.9", "7.1.3.0"), recipes)
    assert tuple(s.id for s in p.steps) == STEP_IDS
    assert all(s.reason for s in p.steps)


def test_nano_jetpack_4_4_gets_nvidia_torch_1_6_torchvision_0_7_and_torch2trt_v0_5(recipes):
    p = plan(jetson("32.4.3", "4.4", "5.3", "Jetson Nano (4GB)", "3.6.9", "7.1.3.0"), recipes)
    got = params(p)
    assert got["torch-install"] == {
        "source": "wheel", "url": "https://nvidia.box.com/shared/static/9eptse6jyly1ggt9axbja2yrmj6pbarc.whl",
        "path": None, "filename": "torch-1.6.0-cp36-cp36m-linux_aarch64.whl", "sha256": None,
        "version": "1.6.0", "no_deps": False, "expect_cuda": True}
    assert includes(got["torchvision-install"], {
        "source": "git", "version": "0.7.0", "git_url": "https://github.com/pytorch/vision",
        "tag": "v0.7.0", "no_deps": True})
    assert got["t2t-source"] == {"ref": "v0.5.0", "min_commit": None, "src": None,
                                 "git_url": "https://github.com/NVIDIA-AI-IOT/torch2trt"}
    assert includes(got["t2t-patch"], {"trt_include": JETSON_INC, "trt_lib": JETSON_LIB, "cuda_arch": ["5.3"],
                                "pre_py37": True})
    assert includes(got["t2t-build"], {"plugins": False, "cmake_plugins": False})
    assert includes(got["t2t-plugins"], {"enabled": False, "cuda_arch": ["5.3"]})
    assert got["apt-prerequisites"]["packages"][:4] == ["python3-pip", "libopenblas-base", "libopenmpi-dev", "libomp-dev"]
    assert "libjpeg-dev" in got["apt-prerequisites"]["packages"]
    assert p.target["jetpack"] == "4.4" and p.target["python_version"] == "3.6"
    assert not any(s.blocked for s in p.steps)
    assert "1.6.0" in p.step("torch-install").reason and "3.6" in p.step("torch-install").reason


def test_x86_driver_535_with_tensorrt_8_6_uses_the_cu121_index(recipes):
    p = plan(x86("535.183.01", "8.6.1.6", packages={"libnvinfer8": "8.6.1.6-1+cuda12.0"}), recipes)
    got = params(p)
    assert got["torch-install"] == {
        "source": "index", "requirement": "torch==2.5.*", "index_url": "https://download.pytorch.org/whl/cu121",
        "extra_index_urls": [], "find_links": [], "no_index": False, "no_deps": False, "expect_cuda": True}
    assert got["torchvision-install"]["requirement"] == "torchvision==0.20.*"
    assert got["torchvision-install"]["index_url"] == "https://download.pytorch.org/whl/cu121"
    assert got["t2t-source"]["ref"] == "v0.5.0"
    assert includes(got["t2t-build"], {"plugins": False, "cmake_plugins": True})
    assert got["t2t-patch"]["cuda_arch"] == ["8.6"]
    assert p.target["index"] == "cu121" and p.target["driver_cuda"] == "12.2"
    assert "535.183.01" in p.step("torch-install").reason


def test_x86_prefers_nvidia_smi_cuda_version_over_the_driver_table(recipes):
    p = plan(x86("550.54.15", "10.3.0.26", smi_cuda="12.4"), recipes)
    assert params(p)["torch-install"]["index_url"].endswith("/cu124")
    assert params(p)["t2t-source"] == {"ref": "master", "min_commit": "4e820ae", "src": None,
                                       "git_url": "https://github.com/NVIDIA-AI-IOT/torch2trt"}


def test_x86_tensorrt_built_for_cuda_11_keeps_torch_on_cuda_11(recipes):
    p = plan(x86("535.183.01", "8.6.1.6", packages={"libnvinfer8": "8.6.1.6-1+cuda11.8"}), recipes)
    assert p.target["index"] == "cu118"
    assert params(p)["torch-install"]["requirement"] == "torch==2.7.*"


def test_x86_python_3_8_gets_the_newest_torch_that_supports_it(recipes):
    p = plan(x86("535.183.01", "8.6.1.6", python="3.8.10"), recipes)
    assert params(p)["torch-install"]["requirement"] == "torch==2.4.*"
    assert params(p)["torchvision-install"]["requirement"] == "torchvision==0.19.*"


def test_x86_without_tensorrt_still_plans_torch_but_blocks_torch2trt(recipes):
    p = plan(x86("570.133.20"), recipes)
    assert params(p)["torch-install"]["index_url"].endswith("/cu128")
    blocked = [s.id for s in p.steps if s.blocked]
    assert blocked == ["t2t-source", "t2t-patch", "t2t-build", "t2t-plugins", "t2t-verify", "selftest"]
    assert "TensorRT not found" in p.step("t2t-source").blocked
    assert any("blocked" in w for w in p.warnings)
    assert "BLOCKED: TensorRT not found" in render_plan_text(p)


def test_x86_without_a_driver_is_an_error_naming_index_url(recipes):
    facts = Facts(system=SystemInfo(arch="x86_64"), python=PythonEnv(version="3.10.12"))
    with pytest.raises(UsageError) as err:
        plan(facts, recipes)
    assert "--index-url" in err.value.fix


def test_x86_tensorrt_11_is_unsupported_and_said_clearly(recipes):
    p = plan(x86("580.65.06", "11.1.0.106"), recipes)
    assert p.step("t2t-source").blocked.startswith("torch2trt has no revision for TensorRT 11")
    assert p.step("t2t-source").params["ref"] is None
    p = plan(x86("580.65.06", "11.1.0.106"), recipes, {"torch2trt_ref": "master"})
    assert p.step("t2t-source").blocked is None and p.step("t2t-source").params["ref"] == "master"


def test_orin_jetpack_6_2_with_tensorrt_10_3_gets_torch2trt_master(recipes):
    p = plan(jetson("36.4.3", "6.2", "8.7", "Jetson Orin Nano", "3.10.12", "10.3.0.30"), recipes)
    got = params(p)
    assert got["t2t-source"] == {"ref": "master", "min_commit": "4e820ae", "src": None,
                                 "git_url": "https://github.com/NVIDIA-AI-IOT/torch2trt"}
    assert got["torch-install"]["url"] == ("https://developer.download.nvidia.com/compute/redist/jp/v61/pytorch/"
                                           "torch-2.5.0a0+872d972e41.nv24.08.17622132-cp310-cp310-linux_aarch64.whl")
    assert got["torch-install"]["version"] == "2.5.0a0+872d972e41.nv24.08.17622132"
    assert got["torchvision-install"]["tag"] == "v0.20.0"
    assert includes(got["t2t-build"], {"plugins": False, "cmake_plugins": True})
    assert includes(got["t2t-plugins"], {"enabled": True, "cuda_arch": ["8.7"]})
    assert got["apt-prerequisites"]["packages"][:2] == ["python3-pip", "libopenblas-dev"]
    assert any("cuSPARSELt" in w for w in p.warnings)


def test_orin_jetpack_6_2_torch_2_5_0_comes_from_the_jetson_ai_lab_index(recipes):
    p = plan(jetson("36.4.3", "6.2", "8.7", "Jetson Orin Nano", "3.10.12", "10.3.0.30"), recipes, {"torch": "2.5.0"})
    got = params(p)
    assert got["torch-install"]["source"] == "index"
    assert got["torch-install"]["requirement"] == "torch==2.5.0"
    assert got["torch-install"]["index_url"] == "https://pypi.jetson-ai-lab.io/jp6/cu126"
    assert got["torchvision-install"]["requirement"] == "torchvision==0.20.0"
    assert got["torchvision-install"]["source"] == "index"


def test_tx2_jetpack_4_3_tensorrt_6_gets_torch_1_4_and_torch2trt_v0_3(recipes):
    p = plan(jetson("32.3.1", "4.3", "6.2", "Jetson TX2", "3.6.9", "6.0.1.10"), recipes)
    got = params(p)
    assert got["torch-install"]["url"] == "https://nvidia.box.com/shared/static/ncgzus5o23uck9i5oth2n8n06k340l6k.whl"
    assert got["torch-install"]["version"] == "1.4.0"
    assert got["torchvision-install"]["tag"] == "v0.5.0"
    assert got["t2t-source"]["ref"] == "v0.3.0"
    # torch 1.4 trips v0.3.0's USE_DEPRECATED_INTLIST string compare: no --plugins
    assert includes(got["t2t-build"], {"plugins": False, "cmake_plugins": False})
    assert got["t2t-patch"]["pre_py37"] is False


def test_xavier_jetpack_5_1_2_gets_torch_2_1_and_torch2trt_v0_5(recipes):
    p = plan(jetson("35.4.1", "5.1.2", "7.2", "Jetson AGX Xavier", "3.8.10", "8.5.2.2"), recipes)
    got = params(p)
    assert got["torch-install"]["filename"] == "torch-2.1.0a0+41361538.nv23.06-cp38-cp38-linux_aarch64.whl"
    assert got["torch-install"]["url"].startswith("https://developer.download.nvidia.com/compute/redist/jp/v512/")
    assert got["torchvision-install"]["tag"] == "v0.16.1"
    assert got["t2t-source"]["ref"] == "v0.5.0"
    assert got["t2t-build"]["cmake_plugins"] is True
    assert got["t2t-plugins"]["cuda_arch"] == ["7.2"]


def test_thor_jetpack_7_0_uses_the_cuda_13_index_and_torch2trt_master(recipes):
    p = plan(jetson("38.2.0", "7.0", "11.0", "Jetson AGX Thor", "3.12.3", "10.13.3.9"), recipes)
    got = params(p)
    assert got["torch-install"]["requirement"] == "torch==2.9.1"
    assert got["torch-install"]["index_url"] == "https://download.pytorch.org/whl/cu130"
    assert got["torchvision-install"]["requirement"] == "torchvision==0.24.1"
    assert got["t2t-source"]["ref"] == "master"


def test_unprobed_python_defaults_to_the_jetpacks_and_trt_to_the_jetpacks(recipes):
    p = plan(jetson("32.4.3", "4.4", "5.3", "Jetson Nano"), recipes)
    assert p.target["python_version"] == "3.6"
    assert "JetPack 4.4" in p.target["python_source"]
    assert p.target["tensorrt"] == "7.1.3.0"
    assert params(p)["t2t-source"]["ref"] == "v0.5.0"


def test_unknown_l4t_is_an_error_naming_jetpack_flag(recipes):
    facts = jetson("40.1.0", None, None, None, "3.12.3", exact=False)
    with pytest.raises(UsageError) as err:
        plan(facts, recipes)
    assert "40.1.0" in str(err.value)
    assert "--jetpack" in err.value.fix and "4.4" in err.value.fix and "7.0" in err.value.fix


def test_unknown_l4t_resolves_with_a_jetpack_override(recipes):
    facts = jetson("40.1.0", None, "11.0", None, "3.12.3", exact=False)
    p = plan(facts, recipes, {"jetpack": "7.0"})
    assert p.target["jetpack"] == "7.0"
    assert params(p)["torch-install"]["index_url"] == "https://download.pytorch.org/whl/cu130"


def test_torch_version_override_picks_nvidias_1_10_wheel(recipes):
    p = plan(jetson("32.4.3", "4.4", "5.3", "Jetson Nano", "3.6.9", "7.1.3.0"), recipes, {"torch": "1.10.0"})
    got = params(p)
    assert got["torch-install"]["url"] == "https://nvidia.box.com/shared/static/fjtbno0vpo676a25cgvuqc1wty0fkkg6.whl"
    assert got["torch-install"]["version"] == "1.10.0"
    assert got["torchvision-install"]["tag"] == "v0.11.1"
    assert "--torch 1.10.0" in p.step("torch-install").reason


def test_torch_version_override_without_a_wheel_lists_the_known_ones(recipes):
    with pytest.raises(UsageError) as err:
        plan(jetson("32.4.3", "4.4", "5.3", "Jetson Nano", "3.6.9", "7.1.3.0"), recipes, {"torch": "1.8.0"})
    assert "1.6.0" in err.value.fix and "1.10.0" in err.value.fix


def test_torch_wheel_path_override(recipes):
    p = plan(jetson("32.4.3", "4.4", "5.3", "Jetson Nano", "3.6.9", "7.1.3.0"), recipes,
             {"torch": "/srv/wheels/torch-1.8.0-cp36-cp36m-linux_aarch64.whl"})
    got = params(p)
    assert got["torch-install"] == {
        "source": "wheel", "url": None, "path": "/srv/wheels/torch-1.8.0-cp36-cp36m-linux_aarch64.whl",
        "filename": "torch-1.8.0-cp36-cp36m-linux_aarch64.whl", "sha256": None, "version": "1.8.0",
        "no_deps": False, "expect_cuda": True}
    assert got["torchvision-install"]["tag"] == "v0.9.0"


def test_torch_wheel_url_override(recipes):
    url = "https://example.com/wheels/torch-2.1.0-cp310-cp310-linux_aarch64.whl"
    p = plan(jetson("36.4.3", "6.2", "8.7", "Jetson Orin Nano", "3.10.12", "10.3.0.30"), recipes, {"torch": url})
    got = params(p)
    assert got["torch-install"]["url"] == url and got["torch-install"]["path"] is None
    assert got["torch-install"]["version"] == "2.1.0"
    assert got["torchvision-install"]["tag"] == "v0.16.1"


def test_python_without_an_nvidia_wheel_is_an_error_naming_python_flag(recipes):
    with pytest.raises(UsageError) as err:
        plan(jetson("32.4.3", "4.4", "5.3", "Jetson Nano", "3.8.0", "7.1.3.0"), recipes)
    assert "--python" in err.value.fix and "3.6" in err.value.fix


def test_offline_jetson_install_takes_wheels_from_find_links(recipes):
    p = plan(jetson("32.4.3", "4.4", "5.3", "Jetson Nano", "3.6.9", "7.1.3.0"), recipes,
             {"find_links": ["/media/usb/wheels"], "no_index": True})
    got = params(p)
    assert got["torch-install"]["requirement"] == "torch==1.6.0"
    assert got["torch-install"]["find_links"] == ["/media/usb/wheels"]
    assert got["torch-install"]["no_index"] is True and got["torch-install"]["index_url"] is None
    assert got["torchvision-install"]["requirement"] == "torchvision==0.7.0"


def test_torch2trt_overrides_reach_the_source_step(recipes):
    p = plan(jetson("36.4.3", "6.2", "8.7", "Jetson Orin Nano", "3.10.12", "10.3.0.30"), recipes,
             {"torch2trt_ref": "f466c71", "torch2trt_src": "/home/me/torch2trt", "torchvision": "0.20.1"})
    got = params(p)
    assert got["t2t-source"]["ref"] == "f466c71" and got["t2t-source"]["src"] == "/home/me/torch2trt"
    assert got["torchvision-install"]["tag"] == "v0.20.1"


def test_guessed_jetpack_is_warned_about(recipes):
    p = plan(jetson("32.7.9", "4.6.6", "5.3", "Jetson Nano", "3.6.9", "8.2.1.8", exact=False), recipes)
    assert any("guessed" in w for w in p.warnings)
    assert params(p)["torch-install"]["version"] == "1.10.0"


def test_plan_json_is_versioned_and_plain(recipes):
    import json
    doc = plan(jetson("32.4.3", "4.4", "5.3", "Jetson Nano", "3.6.9", "7.1.3.0"), recipes).to_json()
    assert doc["schema"] == "trtsetup.plan/1"
    assert [s["id"] for s in doc["steps"]] == list(STEP_IDS)
    assert json.loads(json.dumps(doc, sort_keys=True)) == doc


def test_x86_without_tensorrt_cuda_keeps_torch_on_the_toolkits_major(recipes):
    p = plan(x86("580.95.05", "10.13.3.9", toolkit="12.8.1"), recipes)
    assert p.target["index"] == "cu129"
    assert "toolkit" in p.step("torch-install").reason
