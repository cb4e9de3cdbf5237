"""trtsetup.wavelets.DWT/IWT: exact drop-ins for MWCNN's blocks, checkpoint compatible."""

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed here (scripts/run-tests --with-torch installs it)")
nn = torch.nn

from trtsetup.wavelets import DWT, IWT  # noqa: E402
from trtsetup.wavelets.reference import (  # noqa: E402
    ArticleIWT, OriginalDWT, OriginalIWT, dwt_init, iwt_init)

SHAPES = [(1, 1, 2, 2), (1, 3, 4, 6), (2, 5, 8, 8), (3, 7, 6, 10), (4, 16, 12, 2), (1, 64, 32, 32),
          (8, 2, 2, 16)]


def max_diff(a, b):
    return float((a - b).abs().max())


@pytest.mark.parametrize("shape", SHAPES)
def test_dwt_equals_original_within_1e6(shape):
    torch.manual_seed(sum(shape))
    x = torch.randn(*shape)
    out = DWT()(x)
    assert out.shape == (shape[0], 4 * shape[1], shape[2] // 2, shape[3] // 2)
    assert max_diff(out, dwt_init(x)) <= 1e-6


@pytest.mark.parametrize("shape", SHAPES)
def test_iwt_equals_original_and_article_within_1e6(shape):
    torch.manual_seed(sum(shape) + 1)
    b, c, h, w = shape
    x = torch.randn(b, 4 * c, h, w)
    expected = iwt_init(x)
    assert expected.shape == (b, c, 2 * h, 2 * w)
    assert max_diff(IWT()(x), expected) <= 1e-6
    assert max_diff(ArticleIWT(c)(x), expected) <= 1e-6


def test_random_shapes_batches_and_channels_agree_with_original():
    gen = torch.Generator().manual_seed(5)
    dwt, iwt = DWT(), IWT()
    for _ in range(25):
        b, c, h, w = [int(v) for v in torch.randint(1, 9, (4,), generator=gen)]
        x = torch.randn(b, c, 2 * h, 2 * w, generator=gen) * 3
        assert max_diff(dwt(x), dwt_init(x)) <= 1e-6 * 3
        y = torch.randn(b, 4 * c, h, w, generator=gen) * 3
        assert max_diff(iwt(y), iwt_init(y)) <= 1e-6 * 3


def test_iwt_inverts_dwt():
    x = torch.randn(2, 6, 10, 14)
    assert max_diff(IWT()(DWT()(x)), x) <= 1e-6


def test_non_contiguous_and_float64_inputs():
    x = torch.randn(2, 8, 6, 4).transpose(2, 3)  # 2x8x4x6, not contiguous
    assert max_diff(DWT()(x), dwt_init(x)) <= 1e-6
    y = torch.randn(1, 8, 3, 5, dtype=torch.float64)
    out = IWT()(y)
    assert out.dtype == torch.float64
    assert max_diff(out, iwt_init(y).double()) <= 1e-6  # the original always returns float32


def test_gradients_match_original():
    x = torch.randn(2, 3, 8, 8, requires_grad=True)
    x0 = x.detach().clone().requires_grad_(True)
    (IWT()(DWT()(x) * 1.5) ** 2).sum().backward()
    (iwt_init(dwt_init(x0) * 1.5) ** 2).sum().backward()
    assert max_diff(x.grad, x0.grad) <= 1e-5


@pytest.mark.parametrize("shape", [(1, 3, 5, 4), (1, 3, 4, 7), (2, 1, 1, 1)])
def test_dwt_rejects_odd_sizes_with_a_clear_error(shape):
    with pytest.raises(ValueError, match="even height and width"):
        DWT()(torch.randn(*shape))


def test_iwt_rejects_channels_not_divisible_by_4():
    with pytest.raises(ValueError, match="divisible by 4"):
        IWT()(torch.randn(1, 6, 4, 4))
    with pytest.raises(ValueError, match="divisible by 4"):
        IWT(in_channels=10)


def test_declared_channel_count_is_checked():
    DWT(in_channels=3)(torch.randn(1, 3, 4, 4))
    with pytest.raises(ValueError, match="built for 3 input channels, got 5"):
        DWT(in_channels=3)(torch.randn(1, 5, 4, 4))
    with pytest.raises(ValueError, match="4-D"):
        IWT()(torch.randn(4, 4, 4))


def test_filters_are_built_once_per_device_and_dtype():
    dwt = DWT()
    dwt(torch.randn(1, 2, 4, 4))
    first = dict(dwt._filters)
    dwt(torch.randn(3, 7, 8, 2))
    assert dwt._filters == first and len(first) == 1
    dwt(torch.randn(1, 2, 4, 4, dtype=torch.float64))
    assert len(dwt._filters) == 2


def test_blocks_add_no_state_dict_keys():
    assert DWT().state_dict() == {} and IWT(8).state_dict() == {}
    assert list(DWT().parameters()) == [] and list(IWT().buffers()) == []
    assert OriginalDWT().state_dict() == {} and OriginalIWT().state_dict() == {}


class TinyMWCNN(nn.Module):
    """The MWCNN pattern: conv -> DWT -> conv -> IWT -> conv, blocks as attributes."""

    def __init__(self, dwt, iwt):
        super(TinyMWCNN, self).__init__()
        self.head = nn.Conv2d(3, 8, 3, padding=1)
        self.DWT = dwt
        self.body = nn.Sequential(nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU())
        self.IWT = iwt
        self.tail = nn.Conv2d(8, 3, 3, padding=1)

    def forward(self, x):
        return self.tail(self.IWT(self.body(self.DWT(self.head(x))))) + x


def test_checkpoint_trained_with_original_blocks_loads_unchanged():
    torch.manual_seed(3)
    original = TinyMWCNN(OriginalDWT(), OriginalIWT())
    original.train()
    original(torch.randn(2, 3, 16, 16))  # moves the batch-norm statistics
    original.eval()
    checkpoint = original.state_dict()

    ours = TinyMWCNN(DWT(), IWT())
    result = ours.load_state_dict(checkpoint, strict=True)
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    assert sorted(ours.state_dict()) == sorted(checkpoint)
    ours.eval()
    x = torch.randn(1, 3, 16, 16)
    with torch.no_grad():
        assert max_diff(ours(x), original(x)) <= 1e-5


@pytest.mark.parametrize("shape", SHAPES[:4])
def test_conv_variants_equal_original(shape):
    from trtsetup.wavelets.blocks import ConvDWT, ConvIWT
    torch.manual_seed(sum(shape) + 2)
    x = torch.randn(*shape)
    assert max_diff(ConvDWT()(x), dwt_init(x)) <= 1e-6
    y = torch.randn(shape[0], 4 * shape[1], shape[2], shape[3])
    assert max_diff(ConvIWT()(y), iwt_init(y)) <= 1e-6
    assert isinstance(ConvDWT(), DWT) and isinstance(ConvIWT(), IWT)
    assert ConvDWT().state_dict() == {} and ConvIWT(8).state_dict() == {}


def test_batch_one_and_batched_paths_agree():
    x = torch.randn(3, 5, 6, 8)
    dwt, iwt = DWT(), IWT()
    batched = dwt(x)
    assert torch.equal(batched[1:2], dwt(x[1:2]))
    assert torch.equal(iwt(batched)[2:3], iwt(batched[2:3]))


def test_tf32_flags_are_restored():
    from trtsetup.wavelets.blocks import _ExactFloat32

    class FakeCuda(object):
        is_cuda = True
        dtype = torch.float32

    saved = (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32)
    try:
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cuda.matmul.allow_tf32 = True
        with _ExactFloat32(FakeCuda()):
            assert not torch.backends.cudnn.allow_tf32
            assert not torch.backends.cuda.matmul.allow_tf32
        assert torch.backends.cudnn.allow_tf32 and torch.backends.cuda.matmul.allow_tf32
        torch.backends.cuda.matmul.allow_tf32 = False
        with _ExactFloat32(FakeCuda()):
            pass
        assert not torch.backends.cuda.matmul.allow_tf32
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


@pytest.mark.parametrize("shape", [(1, 4, 2, 2), (2, 8, 5, 7), (3, 256, 16, 16)])
def test_elementwise_iwt_for_compilation_equals_original(shape):
    from trtsetup.wavelets.blocks import iwt_elementwise
    x = torch.randn(*shape)
    assert float((iwt_elementwise(x) - iwt_init(x)).abs().max()) <= 1e-6


def test_compiled_iwt_runs_eager_off_gpu_and_keeps_the_checks():
    from trtsetup.wavelets import CompiledIWT
    block = CompiledIWT()
    x = torch.randn(2, 16, 6, 6)
    assert float((block(x) - iwt_init(x)).abs().max()) <= 1e-6
    assert block._compiled is None  # nothing compiled for a CPU tensor
    with pytest.raises(ValueError):
        block(torch.randn(1, 6, 4, 4))
    assert dict(block.state_dict()) == {}
