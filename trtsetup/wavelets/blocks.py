"""Efficient, exact Haar DWT/IWT blocks for MWCNN-style networks.

Drop-in replacements for MWCNN's ``DWT``/``IWT``: same constructor (no required argument),
same output (channel order LL|HL|LH|HH), no parameters and no state_dict keys, so a checkpoint
trained with the original blocks loads unchanged.

How: the four 2x2 phases of the image and the four bands LL|HL|LH|HH are related by one fixed
4x4 matrix with entries +-1/2 (``haar_matrix``). ``DWT`` gathers the phases with one copy into
(B, 4, C, H/2, W/2) and multiplies by the matrix (one batched GEMM with K=4), which writes the
output directly in MWCNN's band-major order; ``IWT`` multiplies the bands by the transpose and
interleaves the four phases with one copy. Two memory passes each; the matrix is built once per
(device, dtype) and cached. The previous single-kernel ``conv3d`` / ``conv_transpose3d`` forms
are kept as ``ConvDWT`` / ``ConvIWT`` (slow on GPUs: cuDNN has no good kernel for them).

Exactness: the filters are powers of two, so in float32 the result equals ``dwt_init`` /
``iwt_init`` up to summation order (a few ulp). On Ampere and newer GPUs cuDNN would run a
float32 convolution (and cuBLAS a matmul, if allowed) in TF32 (10-bit mantissa), which is far
from exact; these blocks switch TF32 off for their own GEMM/convolution (and restore the
settings) when the input is a CUDA float32 tensor.

torch2trt: importing ``trtsetup.wavelets.converters`` also
registers native-layer converters for these two classes (see that module).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

# Rows: LL, HL, LH, HH. Columns: kernel position (row p, column q) = (0,0), (0,1), (1,0), (1,1).
# a = x[0::2, 0::2] (p=0,q=0), b = x[1::2, 0::2] (p=1,q=0), c = x[0::2, 1::2] (p=0,q=1),
# d = x[1::2, 1::2] (p=1,q=1).  LL = a+b+c+d, HL = -a-b+c+d, LH = -a+b-c+d, HH = a-b-c+d.
# The same table, read per input channel k and output phase (r, s), is the inverse.
HAAR_SIGNS = (
    ((1, 1), (1, 1)),
    ((-1, 1), (-1, 1)),
    ((-1, -1), (1, 1)),
    ((1, -1), (-1, 1)),
)


def haar_filters(device=None, dtype=torch.float32):
    """The fixed (4, 1, 1, 2, 2) filter bank, entries +-0.5."""
    w = torch.tensor(HAAR_SIGNS, dtype=torch.float64) * 0.5
    return w.view(4, 1, 1, 2, 2).to(device=device, dtype=dtype)


def haar_matrix(device=None, dtype=torch.float32, transpose=False):
    """The fixed 4x4 Haar matrix, entries +-0.5: rows LL, HL, LH, HH; columns the 2x2 phase
    p = 2 * row parity + column parity, i.e. (0,0), (0,1), (1,0), (1,1).

    ``DWT`` applies it to the four phases; ``IWT`` applies its transpose (``transpose=True``;
    the matrix is orthogonal) to the four bands. Same signs as ``HAAR_SIGNS``.
    """
    w = torch.tensor(HAAR_SIGNS, dtype=torch.float64).view(4, 4) * 0.5
    if transpose:
        w = w.t()
    return w.contiguous().to(device=device, dtype=dtype)


def _haar_matrix_t(device=None, dtype=torch.float32):
    return haar_matrix(device, dtype, transpose=True)


class _ExactFloat32(object):
    """Turn TF32 off (cuDNN and cuBLAS) while our fixed +-0.5 weights run on CUDA float32 data.

    TF32 rounds the inputs to a 10-bit mantissa, which is far from exact. The previous settings
    are restored on exit.
    """

    def __init__(self, x):
        self.active = x.is_cuda and x.dtype == torch.float32
        self.saved = None

    def __enter__(self):
        if self.active:
            self.saved = (bool(getattr(torch.backends.cudnn, "allow_tf32", False)),
                          bool(getattr(torch.backends.cuda.matmul, "allow_tf32", False)))
            if self.saved[0]:
                torch.backends.cudnn.allow_tf32 = False
            if self.saved[1]:
                torch.backends.cuda.matmul.allow_tf32 = False
        return self

    def __exit__(self, *exc):
        if self.active and self.saved is not None:
            if self.saved[0]:
                torch.backends.cudnn.allow_tf32 = True
            if self.saved[1]:
                torch.backends.cuda.matmul.allow_tf32 = True
        return False


class _HaarBase(nn.Module):
    def __init__(self, in_channels=None):
        super(_HaarBase, self).__init__()
        self.requires_grad = False  # as MWCNN's blocks; they have no parameters anyway
        self.in_channels = None if in_channels is None else int(in_channels)
        # Not a buffer: nothing here may appear in state_dict. Keyed by (device, dtype).
        self._filters = {}

    _make_weight = staticmethod(haar_matrix)

    def _weight(self, x):
        key = (x.device, x.dtype)
        w = self._filters.get(key)
        if w is None:
            w = self._make_weight(x.device, x.dtype)
            self._filters[key] = w
        return w

    def _check(self, x, what):
        if x.dim() != 4:
            raise ValueError("%s expects a 4-D (batch, channel, height, width) tensor, got %d-D "
                             "shape %s" % (what, x.dim(), tuple(x.shape)))
        channels, height, width = int(x.shape[1]), int(x.shape[2]), int(x.shape[3])
        if self.in_channels is not None and channels != self.in_channels:
            raise ValueError("%s was built for %d input channels, got %d"
                             % (what, self.in_channels, channels))
        return channels, height, width

    def extra_repr(self):
        return "" if self.in_channels is None else "in_channels=%d" % self.in_channels


def _check_dwt_size(x, height, width):
    if height % 2 or width % 2:
        raise ValueError("DWT needs an even height and width, got %dx%d (shape %s); "
                         "pad or crop the input to a multiple of 2"
                         % (height, width, tuple(x.shape)))


def _check_iwt_channels(x, channels):
    if channels % 4:
        raise ValueError("IWT needs an input channel count divisible by 4 "
                         "(LL, HL, LH, HH quarters), got %d (shape %s)"
                         % (channels, tuple(x.shape)))


class DWT(_HaarBase):
    """Forward Haar transform, (B, C, H, W) -> (B, 4C, H/2, W/2); H and W must be even.

    ``DWT()`` works for any channel count; ``DWT(in_channels=C)`` also checks it.

    Two memory passes: one copy gathers the four 2x2 phases into (B, 4, C, H/2, W/2) (phase
    major), then one batched 4x4 matrix product (fixed +-1/2 entries, TF32 off) writes the
    output, already in MWCNN's band-major order LL|HL|LH|HH.
    """

    def forward(self, x):
        channels, height, width = self._check(x, "DWT")
        _check_dwt_size(x, height, width)
        batch, h2, w2 = int(x.shape[0]), height // 2, width // 2
        # (B, C, h, p, w, q) -> (B, p, q, C, h, w); a view for any strides, then one copy.
        phases = x.view(batch, channels, h2, 2, w2, 2).permute(0, 3, 5, 1, 2, 4)
        phases = phases.reshape(batch, 4, channels * h2 * w2)
        m = self._weight(x)
        with _ExactFloat32(x):
            # torch.matmul on equal ranks: torch2trt converts it (it has no torch.mm converter).
            y = torch.matmul(m.expand(batch, 4, 4), phases)
        return y.view(batch, 4 * channels, h2, w2)


class IWT(_HaarBase):
    """Inverse Haar transform, (B, 4C, H, W) -> (B, C, 2H, 2W); channels must divide by 4.

    ``IWT()`` works for any valid channel count; ``IWT(in_channels=4C)`` also checks it.

    Two memory passes: one batched 4x4 matrix product (fixed +-1/2 entries, TF32 off) turns the
    four bands into the four output phases (B, 4, C, H, W), then one copy interleaves them
    into (B, C, 2H, 2W).
    """

    def __init__(self, in_channels=None):
        if in_channels is not None and int(in_channels) % 4:
            raise ValueError("IWT needs an input channel count divisible by 4, got %d"
                             % int(in_channels))
        super(IWT, self).__init__(in_channels)

    _make_weight = staticmethod(_haar_matrix_t)

    def forward(self, x):
        channels, height, width = self._check(x, "IWT")
        _check_iwt_channels(x, channels)
        batch, out_channels = int(x.shape[0]), channels // 4
        bands = x.reshape(batch, 4, out_channels * height * width)
        m = self._weight(x)  # the transposed Haar matrix: rows are output phases
        with _ExactFloat32(x):
            y = torch.matmul(m.expand(batch, 4, 4), bands)
        # (B, p, q, C, H, W) -> (B, C, H, p, W, q) == (B, C, 2H, 2W)
        y = y.view(batch, 2, 2, out_channels, height, width).permute(0, 3, 4, 1, 5, 2)
        return y.reshape(batch, out_channels, 2 * height, 2 * width)


class ConvDWT(DWT):
    """The previous ``DWT``: one strided ``conv3d`` with a fixed (4, 1, 1, 2, 2) filter bank.

    Same output and interface as ``DWT``; kept for comparison (benchmarks) and for backends
    where a convolution is the cheaper form. Seen as (B, 1, C, H, W), the four output channels
    land in MWCNN's order (B, 4, C, H/2, W/2) == (B, 4C, H/2, W/2) without a copy.
    """

    _make_weight = staticmethod(haar_filters)

    def forward(self, x):
        channels, height, width = self._check(x, "DWT")
        _check_dwt_size(x, height, width)
        with _ExactFloat32(x):
            y = F.conv3d(x.unsqueeze(1), self._weight(x), stride=(1, 2, 2))
        return y.reshape(x.shape[0], 4 * channels, height // 2, width // 2)


class ConvIWT(IWT):
    """The previous ``IWT``: one ``conv_transpose3d`` on (B, 4, C, H, W), same filters as
    ``ConvDWT``. Same output and interface as ``IWT``; kept for comparison."""

    _make_weight = staticmethod(haar_filters)

    def forward(self, x):
        channels, height, width = self._check(x, "IWT")
        _check_iwt_channels(x, channels)
        out_channels = channels // 4
        x5 = x.reshape(x.shape[0], 4, out_channels, height, width)
        with _ExactFloat32(x):
            y = F.conv_transpose3d(x5, self._weight(x), stride=(1, 2, 2))
        return y.reshape(x.shape[0], out_channels, 2 * height, 2 * width)


def iwt_elementwise(x):
    """The IWT written as one elementwise expression (halve, butterfly, interleave).

    Eager PyTorch runs it as several kernels; ``torch.compile`` fuses it into one pass that
    reads the input once and writes the output once (``CompiledIWT``). Exact: every output is
    the same four-term sum of halves as ``iwt_init``.
    """
    batch, channels, height, width = x.shape
    out_channels = channels // 4
    x1, x2, x3, x4 = (x.reshape(batch, 4, out_channels, height, width) * 0.5).unbind(1)
    even_rows = torch.stack([x1 - x2 - x3 + x4, x1 + x2 - x3 - x4], -1)   # columns 0::2, 1::2
    odd_rows = torch.stack([x1 - x2 + x3 - x4, x1 + x2 + x3 + x4], -1)
    return torch.stack([even_rows, odd_rows], 3).reshape(batch, out_channels, 2 * height, 2 * width)


class CompiledIWT(IWT):
    """``IWT`` fused into a single GPU kernel by ``torch.compile`` (PyTorch >= 2 with Triton).

    On an H100 at batch 16 it ran at 1.7x-2.0x the memory-bandwidth floor, against 6.7x-7.3x for
    the eager ``IWT`` (benchmarks/wavelets.md). The first call per input shape compiles
    (about 13 s there). Where ``torch.compile`` is missing (PyTorch 1.x, JetPack 4/5) or the
    input is not on a GPU, it runs the eager ``IWT``. For TensorRT, convert ``IWT``: TensorRT
    fuses on its own.
    """

    def __init__(self, in_channels=None):
        super(CompiledIWT, self).__init__(in_channels)
        self._compiled = None

    def forward(self, x):
        compile_fn = getattr(torch, "compile", None)
        if compile_fn is None or not x.is_cuda or x.dtype != torch.float32:
            return super(CompiledIWT, self).forward(x)
        channels, height, width = self._check(x, "IWT")
        _check_iwt_channels(x, channels)
        if self._compiled is None:
            self._compiled = compile_fn(iwt_elementwise, dynamic=False)
        return self._compiled(x)
