"""trtsetup.versions and trtsetup.knowledge: pure, never raising, one answer for everyone."""

import random
import string

import pytest

from helpers import SystemTree, run_cli
from trees import x86 as X
from trtsetup import knowledge, versions
from trtsetup.recipes import load_recipes


@pytest.fixture(scope="module")
def recipes():
    return load_recipes(overlays=[])


@pytest.mark.parametrize("text,minor,major", [
    ("3.6.9", "3.6", 3), ("2.1.0a0+41361538.nv23.06", "2.1", 2), ("2.0.0.nv23.05", "2.0", 2),
    ("8.6.2.3-1+cuda12.2", "8.6", 8), ("12", "12.0", 12), ("11.4.315", "11.4", 11),
    ("", None, None), (None, None, None), ("abc", None, None), ("vabc", None, None),
])
def test_version_helpers_on_real_version_text(text, minor, major):
    assert versions.minor(text) == minor
    assert versions.major(text) == major


def test_nvidia_builds_compare_as_numbers_not_strings():
    assert versions.parse("1.10.0") > versions.parse("1.9.0")
    assert versions.parse("2.0.0.nv23.05") == versions.parse("2.0.0")
    assert versions.key("garbage") < versions.key("0.1")


def test_pep440_is_what_pip_accepts():
    assert versions.is_pep440("0.16.1") and versions.is_pep440("2.5.0a0+872d972")
    assert not versions.is_pep440("abc") and not versions.is_pep440("2.0.0.nv23.05")


def _garbage(rng):
    alphabet = string.printable + "\u00e9\u2713\0"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))


def test_nothing_raises_on_garbage(recipes):
    rng = random.Random(8)
    samples = [_garbage(rng) for _ in range(300)] + [None, 3, b"32.4.3", [], "9" * 50, "1." * 30]
    for text in samples:
        versions.parse(text), versions.minor(text), versions.major(text), versions.is_pep440(text)
        knowledge.normalize_l4t(text)
        knowledge.resolve_jetpack(text, recipes)
        knowledge.jetpack_components(text, recipes)
        knowledge.max_cuda_for_driver(text, recipes)
        knowledge.min_driver_for_cuda(text, recipes)
        knowledge.torchvision_for_torch(text, recipes)
        knowledge.torch2trt_for_tensorrt(text, recipes)
        knowledge.torch2trt_revision(text, recipes)
        knowledge.torch_within(text, [">=1.5", "<1.10"])
    assert knowledge.resolve_jetpack("32.4.3", None)[0] is None


def test_driver_and_cuda_lookups(recipes):
    assert knowledge.max_cuda_for_driver("550.54.14", recipes) == "12.4"
    assert knowledge.min_driver_for_cuda("12.4.1", recipes) == "550.54.14"
    assert knowledge.max_cuda_for_driver("not-a-driver", recipes) is None


def test_legacy_plugins_are_a_recipes_rule(recipes):
    assert knowledge.legacy_plugin_shapes(recipes) == ["v0.2.0", "v0.3.0"]
    v030 = knowledge.torch2trt_revision("v0.3.0", recipes)
    assert knowledge.torch_within("1.9.0", v030["legacy_plugins"])
    assert not knowledge.torch_within("1.10.0", v030["legacy_plugins"])
    assert not knowledge.torch_within("1.4.0", v030["legacy_plugins"])
    master = knowledge.torch2trt_revision("master", recipes)
    assert master["cmake_plugins"] and master["legacy_plugins"] is None and not master["listed"]


@pytest.mark.parametrize("torch,bounds,inside", [
    ("1.9.0", [">=1.5", "<1.10"], True), ("1.10.0", [">=1.5", "<1.10"], False),
    ("1.5", [">= 1.5.0"], True),  # releases compare padded with zeros, as PEP 440 does
    ("1.9.0a0+gitabc", ["==1.9"], True),  # the pre-release and local parts are not the release
    ("2.0.0.nv23.05", ["!=2.0"], False), ("2.1.0", [">2.0", "<=2.1"], True),
    ("1.9.0", ["~=1.5"], False), ("1.9.0", [">=1.5", "garbage"], False), ("1.9.0", [], False),
    (None, [">=1.5"], False),
])
def test_torch_within_reads_the_recipes_bounds(torch, bounds, inside):
    assert knowledge.torch_within(torch, bounds) is inside




def test_tensorrt_pip_package_follows_the_cuda_major(tmp_path):
    """New-user report defect 14: the doctor said tensorrt-cu13, plan/install tensorrt-cu12."""
    class Cuda(object):
        def __init__(self, version):
            self.version = version

    class Nvidia(object):
        cuda_driver_version = "13.0"

    class Facts(object):
        def __init__(self, cuda):
            self.cuda = Cuda(cuda)
            self.nvidia = Nvidia()

    assert knowledge.tensorrt_pip_package(Facts("13.0.88")) == "tensorrt-cu13"
    assert knowledge.tensorrt_pip_package(Facts("12.6.85")) == "tensorrt-cu12"
    assert knowledge.tensorrt_pip_package(Facts(None)) == "tensorrt-cu13"


def test_plan_on_a_cuda_13_machine_names_tensorrt_cu13(tmp_path):
    tree = X.x86(SystemTree(tmp_path / "root"), driver="580.95.05", cuda="13.0", trt=None, cudnn=None)
    result = run_cli(["plan", "--json", "--root", tree.root])
    blocked = [s["blocked"] for s in result.json()["steps"] if s["blocked"]]
    assert blocked and all("tensorrt-cu13" in b and "cu12" not in b for b in blocked)
