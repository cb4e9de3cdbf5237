"""The real-builder tier: what trtsetup hands to TensorRT, built by a real TensorRT builder.

The builder is NVIDIA's TensorRT-RTX (pinned wheels, installed by `scripts/run-tests
--with-torch`), presented as ``tensorrt`` by tests/realtrt/tensorrt (see the bridges there). It
builds and serializes engines without a GPU; no engine can run here, so numbers still come from
the recording double (tests/test_wavelet_converter.py). Each test asserts that an engine was
serialized and that the network's output shapes equal PyTorch's.

Tests that need torch2trt's own code read its source tree from TRTSETUP_TORCH2TRT_SRC (a
checkout of NVIDIA-AI-IOT/torch2trt master 4e820ae; CI has no GitHub) and are skipped, with
that reason, without it.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (scripts/run-tests --with-torch installs it)")
try:
    import tensorrt_rtx_libs  # noqa: F401
    import tensorrt_rtx_bindings  # noqa: F401
except ImportError:
    pytest.skip("the TensorRT-RTX wheels are not installed: the real-builder tier runs in the "
                "`scripts/run-tests PYTHON --with-torch` leg (Python >= 3.9)", allow_module_level=True)

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
REALTRT = os.path.join(HERE, "realtrt")
DOUBLES = os.path.join(HERE, "doubles")
PATCHES = os.path.join(REPO, "trtsetup", "torch2trt", "converter_patches")
T2T_SRC = os.environ.get("TRTSETUP_TORCH2TRT_SRC")
needs_upstream = pytest.mark.skipif(
    not T2T_SRC, reason="TRTSETUP_TORCH2TRT_SRC is not set (a torch2trt master checkout; CI cannot reach GitHub)")


@pytest.fixture(scope="module")
def real():
    """``tensorrt`` = the TensorRT-RTX adapter, ``torch2trt`` = the registry double (enough for
    trtsetup.wavelets.converters); sys.modules restored afterwards."""
    names = ("tensorrt", "torch2trt", "torch2trt.torch2trt", "trt_network", "builder",
             "trtsetup.wavelets.converters")
    saved = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    sys.path.insert(0, REALTRT)
    sys.path.insert(1, DOUBLES)
    try:
        import tensorrt
        import builder
        import torch2trt  # noqa: F401
        registry = sys.modules["torch2trt.torch2trt"]  # the package rebinds the name to the function
        import importlib
        # import_module, not `from trtsetup.wavelets import converters`: the package attribute
        # may still be a copy imported against another tensorrt by an earlier test module
        converters = importlib.import_module("trtsetup.wavelets.converters")
        assert getattr(tensorrt, "IS_TENSORRT_RTX", False), tensorrt.__file__
        yield tensorrt, builder, registry, converters
    finally:
        sys.path.remove(REALTRT)
        sys.path.remove(DOUBLES)
        for n in names:
            sys.modules.pop(n, None)
        sys.modules.update(saved)
        import trtsetup.wavelets as package
        if "trtsetup.wavelets.converters" in saved:
            package.converters = saved["trtsetup.wavelets.converters"]
        elif hasattr(package, "converters"):
            del package.converters


def built(builder, network):
    engine, errors = builder.serialize(*network)
    assert engine, "the builder returned no engine: %s" % errors[:2]
    return engine


# -- the MWCNN DWT/IWT converters (trtsetup.wavelets.converters) ------------------------------

WAVELET_CASES = [  # (kind, input shape) - batches, channel counts, odd sizes, rank 3
    ("dwt", (1, 1, 2, 2)), ("dwt", (1, 3, 64, 64)), ("dwt", (4, 16, 32, 48)), ("dwt", (2, 64, 8, 6)),
    ("dwt", (16, 32, 16, 16)), ("dwt", (3, 16, 10)),  # rank 3: torch2trt's implicit-batch form
    ("iwt", (1, 4, 1, 1)), ("iwt", (1, 256, 32, 32)), ("iwt", (8, 64, 16, 12)), ("iwt", (2, 12, 5, 3)),
    ("iwt", (16, 128, 8, 8)), ("iwt", (8, 4, 6)),
]


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("kind, shape", WAVELET_CASES)
def test_dwt_iwt_converters_build_an_engine_with_pytorchs_output_shape(real, kind, shape, dtype):
    trt, builder, _, conv = real
    from trtsetup.wavelets.reference import dwt_init, iwt_init
    torch_dtype = getattr(torch, dtype)
    b, network = builder.new_network()
    x = network.add_input("x", builder.torch_to_trt_dtype(torch_dtype), shape)
    build = conv.build_dwt if kind == "dwt" else conv.build_iwt
    out = build(network, x, np.float16 if dtype == "float16" else np.float32)
    network.mark_output(out)
    assert out.dtype == builder.torch_to_trt_dtype(torch_dtype)
    built(builder, (b, network))
    sample = torch.zeros((1,) + shape if len(shape) == 3 else shape)
    expected = (dwt_init if kind == "dwt" else iwt_init)(sample).shape
    expected = tuple(expected[1:]) if len(shape) == 3 else tuple(expected)
    assert builder.output_shapes(network) == [expected]


# -- the recording double refuses what the real builder refused -------------------------------

def _mixed_types(trt, net, np_dtype):
    x = net.add_input("x", trt.float16, (1, 4, 4, 4))
    half = net.add_constant((1, 1, 1, 1), np.full((1, 1, 1, 1), 0.5, np_dtype)).get_output(0)
    return net.add_elementwise(x, half, trt.ElementWiseOperation.PROD).get_output(0)


def _concat_types(trt, net, np_dtype):
    x = net.add_input("x", trt.float32, (1, 4, 4, 4))
    y = net.add_input("y", trt.float16, (1, 4, 4, 4))
    layer = net.add_concatenation([x, y])
    layer.axis = 1
    return layer.get_output(0)


def _weight_count(trt, net, np_dtype):
    x = net.add_input("x", trt.float32, (1, 4, 4, 4))
    c = net.add_constant((1, 4, 1, 1), np.zeros((3,), np.float32)).get_output(0)
    return net.add_elementwise(x, c, trt.ElementWiseOperation.SUM).get_output(0)


def _slice_past_the_end(trt, net, np_dtype):
    x = net.add_input("x", trt.float32, (1, 4, 4, 4))
    return net.add_slice(x, (0, 0, 0, 0), (1, 4, 5, 4), (1, 1, 1, 1)).get_output(0)


def _rank_mismatch(trt, net, np_dtype):
    x = net.add_input("x", trt.float32, (1, 4, 4, 4))
    c = net.add_constant((1,), np.full((1,), 0.5, np.float32)).get_output(0)
    return net.add_elementwise(x, c, trt.ElementWiseOperation.PROD).get_output(0)


def _input_as_output(trt, net, np_dtype):
    return net.add_input("x", trt.float32, (1, 4, 4, 4))


REFUSED = [_mixed_types, _concat_types, _weight_count, _slice_past_the_end, _rank_mismatch,
           _input_as_output]


@pytest.mark.parametrize("make", REFUSED, ids=[f.__name__.strip("_") for f in REFUSED])
def test_the_double_refuses_what_the_real_builder_refuses(real, make):
    trt, builder, _, _ = real
    b, network = builder.new_network()
    try:
        network.mark_output(make(trt, network, np.float32))
        engine, errors = builder.serialize(b, network)
    except (TypeError, RuntimeError, ValueError) as exc:  # refused when the layer was added
        engine, errors = None, [str(exc)]
    assert engine is None and errors
    sys.path.insert(0, DOUBLES)
    try:
        import trt_network
    finally:
        sys.path.remove(DOUBLES)

    class FakeTrt(object):
        float32, float16 = "float32", "float16"
        ElementWiseOperation = trt_network.ElementWiseOperation

    fake = trt_network.RecordingNetwork()
    with pytest.raises(trt_network.NetworkError):
        fake.mark_output(make(FakeTrt, fake, np.float32))


# -- the torch2trt converter patches, their code run on the real builder -----------------------

class Ctx(object):
    """What torch2trt hands a converter: the network, the call's arguments and its result."""

    def __init__(self, network, args, kwargs, ret):
        self.network, self.method_args, self.method_kwargs, self.method_return = network, args, kwargs, ret


def _patch_namespace(trt, registry, extra=None):
    """The names native_converters.py gives the appended blocks (torch2trt's star import)."""
    namespace = {"tensorrt_converter": registry.tensorrt_converter, "get_arg": registry.get_arg,
                 "add_missing_trt_tensors": registry.add_missing_trt_tensors, "trt": trt,
                 "torch": torch, "np": np,
                 "torch_dtype_to_trt": lambda d: trt.float16 if d == torch.float16 else trt.float32}
    namespace.update(extra or {})
    return namespace


def _load_block(trt, registry, filename, extra=None):
    namespace = _patch_namespace(trt, registry, extra)
    with open(os.path.join(PATCHES, filename)) as handle:
        exec(compile(handle.read(), filename, "exec"), namespace)
    return namespace


def _convert(trt, builder, converter, fn, x, *args, **kwargs):
    b, network = builder.new_network()
    x._trt = network.add_input("x", builder.torch_to_trt_dtype(x.dtype), tuple(x.shape))
    ret = fn(x, *args, **kwargs)
    converter(Ctx(network, (x,) + args, kwargs, ret))
    del x._trt
    network.mark_output(ret._trt)
    built(builder, (b, network))
    assert builder.output_shapes(network) == [tuple(ret.shape)]


PAD_CASES = [  # (input shape, pad, mode, value)
    ((2, 3, 6, 7), (1, 2, 3, 0), "constant", 0.5), ((2, 3, 6, 7), (1, 2, 3, 0), "constant", None),
    ((2, 5, 8), (2, 2), "reflect", None), ((2, 3, 6, 7), (1, 2, 3, 1), "reflect", None),
    ((1, 3, 6, 7), (1, 1, 2, 2), "replicate", None), ((1, 3, 6, 7), (1, 0, 0, 2), "circular", None),
    ((1, 3, 4, 5, 6), (1, 1, 1, 1, 1, 1), "replicate", None), ((2, 3, 6, 7), (-1, 2, 0, -2), "constant", None),
]


@pytest.mark.parametrize("shape, pad, mode, value", PAD_CASES)
def test_pad_every_mode_patch_builds(real, shape, pad, mode, value):
    trt, builder, registry, _ = real
    ns = _load_block(trt, registry, "pad_every_mode.py")
    import torch.nn.functional as F
    kwargs = {"mode": mode} if value is None else {"mode": mode, "value": value}
    _convert(trt, builder, ns["convert_pad_every_mode"], F.pad, torch.randn(*shape), pad, **kwargs)


@pytest.mark.parametrize("name, x", [("hardtanh", torch.randn(1, 8, 5, 5)), ("hardsigmoid", torch.randn(2, 8, 1, 1)),
                                     ("hardswish", torch.randn(1, 16, 7, 7)), ("hardswish", torch.randn(4, 10))])
def test_hard_activation_patch_builds(real, name, x):
    trt, builder, registry, _ = real
    ns = _load_block(trt, registry, "hard_activations.py")
    import torch.nn.functional as F
    args = (0.0, 6.0) if name == "hardtanh" else ()
    _convert(trt, builder, ns["convert_" + name], getattr(F, name), x, *args)


@pytest.mark.parametrize("cin, cout, k, stride, padding, output_padding, groups, dims", [
    (32, 16, 4, 2, 1, 0, 1, 2), (8, 8, 3, 2, 1, 1, 1, 2), (16, 8, 3, 2, 1, 1, 4, 2), (4, 6, 3, 1, 0, 0, 1, 1),
    (6, 4, 2, 2, 0, 0, 2, 3)])
def test_conv_transpose_patch_builds(real, cin, cout, k, stride, padding, output_padding, groups, dims):
    trt, builder, registry, _ = real
    ns = _load_block(trt, registry, "conv_transpose.py")
    import torch.nn as nn
    cls = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}[dims]
    layer = cls(cin, cout, k, stride, padding, output_padding, groups).eval()
    fn = getattr(torch.nn.functional, "conv_transpose%dd" % dims)
    x = torch.randn(*((2, cin) + (5,) * dims))
    with torch.no_grad():
        _convert(trt, builder, ns["convert_conv_transpose_nd"], fn, x, layer.weight, layer.bias, layer.stride,
                 layer.padding, layer.output_padding, layer.groups, layer.dilation)


@pytest.mark.parametrize("call, expected", [
    ((2,), {"kernel_size": 2, "stride": 2}), (([2, 2],), {"kernel_size": (2, 2), "stride": (2, 2)}),
    ((3, None, [1, 1]), {"kernel_size": 3, "stride": 3, "padding": (1, 1)}),
    ((3, []), {"kernel_size": 3, "stride": 3}), ((3, [2, 1]), {"kernel_size": 3, "stride": (2, 1)}),
])
def test_pool_patch_fills_pytorchs_defaults_before_upstreams_converter(real, call, expected):
    trt, builder, registry, _ = real
    seen = []

    def upstream(ctx):  # records the arguments upstream's converter would read
        seen.append({name: registry.get_arg(ctx, name, pos, None)
                     for name, pos in (("kernel_size", 1), ("stride", 2), ("padding", 3))})

    ns = _load_block(trt, registry, "pool_default_stride.py",
                     {"convert_max_pool_nd": upstream, "convert_avg_pool_nd": upstream})
    wrapped = ns["_trtsetup_pool_arguments"](upstream)
    ctx = Ctx(None, (torch.zeros(1, 1, 4, 4),) + call, {}, None)
    wrapped(ctx)
    assert {k: v for k, v in seen[0].items() if v is not None} == expected
    assert ctx.method_args[1:] == call  # restored for torch2trt


# -- with upstream torch2trt: the self-test models and every patch, converted end to end --------

RULE_MODELS = {  # converter rule -> matrix models upstream master fails on and the rule fixes
    "t2t-trt10-pool-default-stride": ["vgg_functional_pool", "avg_pool_default_stride"],
    "t2t-trt10-pad-every-mode": ["reflection_pad", "pad_every_mode"],
    "t2t-trt10-hard-activations": ["mobilenet_v2_block", "squeeze_excite_hardsigmoid", "mobilenet_v3"],
    "t2t-trt10-torch-softmax": ["transformer_block"],
    "t2t-trt10-conv-transpose": ["deconv_autoencoder"],
}


def _child(t2t_dir, *args):
    proc = subprocess.run([sys.executable, os.path.join(REALTRT, "convert_child.py"), "--t2t", t2t_dir]
                          + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900,
                          cwd=REPO)
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.startswith("{")]
    assert rows, proc.stderr.decode()[-3000:]
    return {row["model"]: row for row in rows}


@pytest.fixture(scope="module")
def patched_tree(tmp_path_factory):
    dest = str(tmp_path_factory.mktemp("t2t") / "torch2trt")
    shutil.copytree(T2T_SRC, dest, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info"))
    from helpers import run_cli
    result = run_cli(["patch", dest, "--tensorrt-version", "10.0", "--cuda-arch", "9.0",
                      "--trt-include", dest, "--trt-lib", dest])
    assert result.exit_code == 0, result
    return dest


@needs_upstream
def test_the_selftest_models_convert_on_patched_master(patched_tree):
    rows = _child(patched_tree, "--selftest")
    assert set(rows) == {"cnn", "mwcnn-dwt", "mwcnn-iwt", "reflection-pad"}  # pad: the F.pad patch, no plugin
    for name, row in rows.items():
        assert row["status"] == "engine", row
        assert row["network_shapes"] == row["torch_shapes"] and row["engine_bytes"] > 0


@needs_upstream
def test_every_converter_patch_is_what_makes_its_models_convert(patched_tree):
    from trtsetup.torch2trt.patch_converters import CONVERTER_RULES
    assert sorted(RULE_MODELS) == sorted(rule.id for rule in CONVERTER_RULES)
    models = [m for ms in RULE_MODELS.values() for m in ms]
    before = _child(T2T_SRC, "--matrix", *models)
    after = _child(patched_tree, "--matrix", *models)
    for rule_id, names in RULE_MODELS.items():
        for name in names:
            assert before[name]["status"] != "engine", (rule_id, before[name])
            assert after[name]["status"] == "engine", (rule_id, after[name])


@needs_upstream
def test_the_add_padding_nd_rule_alone_makes_f_pad_build(tmp_path):
    # Without a TensorRT version only the compatibility rules apply: add_padding -> add_padding_nd
    # (zero padding only, upstream's semantics) is what TensorRT 10 accepts.
    dest = str(tmp_path / "torch2trt")
    shutil.copytree(T2T_SRC, dest, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info"))
    from helpers import run_cli
    result = run_cli(["patch", dest, "--cuda-arch", "9.0", "--trt-include", dest, "--trt-lib", dest, "--json"])
    assert "t2t-compat-add-padding-nd" in result.json()["in_effect"]
    row = _child(dest, "--matrix", "reflection_pad")["reflection_pad"]
    assert row["status"] == "engine", row
