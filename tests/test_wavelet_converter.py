"""The torch2trt converter for MWCNN's unmodified DWT/IWT, checked against a recording double of
the TensorRT network API that executes the recorded layers with torch (tests/doubles)."""

import os
import subprocess
import sys
import textwrap

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed here (scripts/run-tests --with-torch installs it)")

from trtsetup.wavelets.reference import dwt_init, iwt_init  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DOUBLES = os.path.join(HERE, "doubles")
REPO = os.path.dirname(HERE)
NATIVE = {"input", "slice", "elementwise", "concatenation", "constant", "shuffle"}


@pytest.fixture(scope="module")
def t2t():
    """Import the converter against the fake tensorrt/torch2trt; undo afterwards."""
    names = ("tensorrt", "torch2trt", "torch2trt.torch2trt", "trt_network",
             "trtsetup.wavelets.converters")
    saved = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    sys.path.insert(0, DOUBLES)
    try:
        import tensorrt
        import torch2trt
        from trtsetup.wavelets import converters
        yield tensorrt, torch2trt, converters
    finally:
        sys.path.remove(DOUBLES)
        for n in names:
            sys.modules.pop(n, None)
        sys.modules.update(saved)


def run_built(trt, build, x, rank3=False):
    net = trt.RecordingNetwork()
    shape = tuple(x.shape[1:]) if rank3 else tuple(x.shape)
    inp = net.add_input("x", "float32", shape)
    net.mark_output(build(net, inp))
    feed = x[0] if rank3 else x
    return net, net.execute({"x": feed})[0]


@pytest.mark.parametrize("shape", [(1, 1, 2, 2), (2, 3, 4, 6), (3, 16, 8, 10), (1, 64, 32, 32)])
def test_dwt_layers_compute_the_original_block(t2t, shape):
    trt, _, conv = t2t
    x = torch.randn(*shape)
    net, out = run_built(trt, conv.build_dwt, x)
    assert tuple(out.shape) == (shape[0], 4 * shape[1], shape[2] // 2, shape[3] // 2)
    assert float((out - dwt_init(x)).abs().max()) <= 1e-6
    assert set(net.kinds()) <= NATIVE


@pytest.mark.parametrize("shape", [(1, 4, 1, 1), (2, 12, 4, 6), (3, 16, 5, 3), (1, 256, 16, 16)])
def test_iwt_layers_compute_the_original_block(t2t, shape):
    trt, _, conv = t2t
    x = torch.randn(*shape)
    net, out = run_built(trt, conv.build_iwt, x)
    assert float((out - iwt_init(x)).abs().max()) <= 1e-6
    assert set(net.kinds()) <= NATIVE
    assert net.kinds().count("shuffle") == 2 and "concatenation" in net.kinds()


def test_implicit_batch_networks_are_handled(t2t):
    trt, _, conv = t2t
    x = torch.randn(1, 8, 6, 4)
    _, out = run_built(trt, conv.build_dwt, x, rank3=True)
    assert float((out - dwt_init(x)[0]).abs().max()) <= 1e-6
    _, out = run_built(trt, conv.build_iwt, x, rank3=True)
    assert float((out - iwt_init(x)[0]).abs().max()) <= 1e-6


def test_bad_shapes_are_rejected_when_building(t2t):
    trt, _, conv = t2t
    net = trt.RecordingNetwork()
    with pytest.raises(ValueError, match="even height and width"):
        conv.build_dwt(net, net.add_input("a", "float32", (1, 3, 5, 4)))
    with pytest.raises(ValueError, match="divisible by 4"):
        conv.build_iwt(net, net.add_input("b", "float32", (1, 6, 4, 4)))
    with pytest.raises(ValueError, match="static shapes"):
        conv.build_iwt(net, net.add_input("c", "float32", (-1, 8, 4, 4)))


MWCNN_COMMON = '''
import torch
import torch.nn as nn


def dwt_init(x):
    x01 = x[:, :, 0::2, :] / 2
    x02 = x[:, :, 1::2, :] / 2
    x1 = x01[:, :, :, 0::2]
    x2 = x02[:, :, :, 0::2]
    x3 = x01[:, :, :, 1::2]
    x4 = x02[:, :, :, 1::2]
    x_LL = x1 + x2 + x3 + x4
    x_HL = -x1 - x2 + x3 + x4
    x_LH = -x1 + x2 - x3 + x4
    x_HH = x1 - x2 - x3 + x4
    return torch.cat((x_LL, x_HL, x_LH, x_HH), 1)


def iwt_init(x):
    r = 2
    in_batch, in_channel, in_height, in_width = x.size()
    out_batch, out_channel, out_height, out_width = in_batch, int(in_channel / (r ** 2)), r * in_height, r * in_width
    x1 = x[:, 0:out_channel, :, :] / 2
    x2 = x[:, out_channel:out_channel * 2, :, :] / 2
    x3 = x[:, out_channel * 2:out_channel * 3, :, :] / 2
    x4 = x[:, out_channel * 3:out_channel * 4, :, :] / 2
    h = torch.zeros([out_batch, out_channel, out_height, out_width]).float().cuda()
    h[:, :, 0::2, 0::2] = x1 - x2 - x3 + x4
    h[:, :, 1::2, 0::2] = x1 - x2 + x3 - x4
    h[:, :, 0::2, 1::2] = x1 + x2 - x3 - x4
    h[:, :, 1::2, 1::2] = x1 + x2 + x3 + x4
    return h


class DWT(nn.Module):
    def __init__(self):
        super(DWT, self).__init__()
        self.requires_grad = False

    def forward(self, x):
        return dwt_init(x)


class IWT(nn.Module):
    def __init__(self):
        super(IWT, self).__init__()
        self.requires_grad = False

    def forward(self, x):
        return iwt_init(x)


class Other(nn.Module):
    def forward(self, x):
        return x
'''


@pytest.fixture
def user_module(tmp_path, t2t):
    """MWCNN's model/common.py, verbatim (iwt_init calls .cuda()), as an importable module."""
    (tmp_path / "mwcnn_common.py").write_text(MWCNN_COMMON)
    sys.path.insert(0, str(tmp_path))
    try:
        import mwcnn_common
        yield mwcnn_common
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("mwcnn_common", None)


def test_register_hooks_the_users_unmodified_classes_by_module_name(t2t, user_module):
    _, torch2trt, conv = t2t
    registry = sys.modules["torch2trt.torch2trt"].CONVERTERS
    hooked = conv.register("mwcnn_common")
    assert set(hooked) == {user_module.DWT.forward, user_module.IWT.forward}
    entry = registry[user_module.IWT.forward]
    assert entry["qual_name"] == "IWT.forward" and entry["module"] is user_module
    assert entry["converter"] is conv.convert_iwt
    assert registry[user_module.DWT.forward]["converter"] is conv.convert_dwt
    assert user_module.Other.forward not in registry


def test_converting_the_users_dwt_through_torch2trt_matches_it(t2t, user_module):
    _, torch2trt, conv = t2t
    conv.register(user_module.DWT)
    block = user_module.DWT()
    x = torch.randn(2, 3, 8, 8)
    trt_module = torch2trt.torch2trt(block, [x])
    fresh = torch.randn(2, 3, 8, 8)
    assert float((trt_module(fresh) - block(fresh)).abs().max()) <= 1e-6
    assert trt_module.engine["kind"] == "network"  # our layers ran, not a copy of the model


def test_original_blocks_convert_through_torch2trt_after_one_import(t2t):
    _, torch2trt, conv = t2t
    from trtsetup.wavelets.reference import OriginalIWT
    block = OriginalIWT()
    x = torch.randn(1, 16, 5, 7)
    trt_module = torch2trt.torch2trt(block, [x])
    assert trt_module.engine["kind"] == "network"
    fresh = torch.randn(1, 16, 5, 7)
    assert float((trt_module(fresh) - block(fresh)).abs().max()) <= 1e-6


def test_register_refuses_what_torch2trt_cannot_hook(t2t, user_module):
    _, _, conv = t2t

    def make():
        class LocalIWT(torch.nn.Module):
            def forward(self, x):
                return iwt_init(x)
        return LocalIWT

    with pytest.raises(ValueError, match="inside a function"):
        conv.register(make())
    with pytest.raises(ValueError, match="pass kind='dwt' or kind='iwt'"):
        conv.register(user_module.Other)


def test_wavelets_package_does_not_import_tensorrt_or_the_converter():
    code = textwrap.dedent("""
        import sys
        import trtsetup.wavelets, trtsetup.wavelets.reference
        import trtsetup.selftest, trtsetup.report.selftest, trtsetup.commands.selftest
        bad = [m for m in ("tensorrt", "torch2trt", "trtsetup.wavelets.converters") if m in sys.modules]
        print(",".join(bad))
    """)
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + DOUBLES)
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env,
                         universal_newlines=True, check=True).stdout
    assert out.strip() == ""


def test_selftest_side_never_imports_torch():
    code = ("import sys, trtsetup.selftest, trtsetup.report.selftest, trtsetup.commands.selftest;"
            "print('torch' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=REPO)
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env,
                         universal_newlines=True, check=True).stdout
    assert out.strip() == "False"


def _torch_calls(module, x):
    """Names of the torch functions and Tensor methods ``module(x)`` calls."""
    from torch.overrides import TorchFunctionMode, resolve_name
    names = set()

    class Record(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            name = resolve_name(func)
            if name:
                names.add(name)
            return func(*args, **(kwargs or {}))

    with Record():
        module(x)
    return names


@pytest.mark.parametrize("block,shape", [("DWT", (1, 8, 6, 6)), ("DWT", (2, 8, 6, 6)),
                                         ("IWT", (1, 8, 3, 3)), ("IWT", (2, 8, 3, 3))])
def test_blocks_call_only_what_torch2trt_master_has_converters_for(block, shape):
    """DWT/IWT convert with torch2trt's built-in converters: every torch call they make has one."""
    if not hasattr(torch.overrides, "TorchFunctionMode"):
        pytest.skip("torch.overrides.TorchFunctionMode needs torch >= 1.13")
    import os
    import trtsetup.wavelets as wavelets
    path = os.path.join(os.path.dirname(__file__), "fixtures", "torch2trt", "master_converters.txt")
    with open(path) as handle:
        supported = {line.strip() for line in handle if line.strip() and not line.startswith("#")}
    module = getattr(wavelets, block)()
    module(torch.randn(*shape))  # builds the cached filter (constants, not network layers)
    calls = _torch_calls(module, torch.randn(*shape))
    # Attribute reads (x.shape, x.dtype, x.device, x.is_cuda) are not network layers.
    calls = {c for c in calls if not c.endswith((".shape", ".dtype", ".device", ".is_cuda", ".__get__", ".dim", ".size"))}
    assert calls and calls <= supported, sorted(calls - supported)
