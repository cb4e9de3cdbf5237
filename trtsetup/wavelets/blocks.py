"""Efficient, exact Haar DWT/IWT blocks for MWCNN-style networks.

Drop-in replacements for MWCNN's ``DWT``/``IWT``: same constructor (no required argument),
same output (channel order LL|HL|LH|HH), no parameters and no state_dict keys, so a checkpoint
trained with the original blocks loads unchanged.

How: the 2x2 Haar filters (entries +-1/2) are one fixed 4x1x1x2x2 tensor. Seen as a 5-D tensor
(B, 1, C, H, W), the forward transform is a single strided ``conv3d`` whose four output channels
land exactly in MWCNN's channel order (B, 4, C, H/2, W/2) == (B, 4C, H/2, W/2) without a copy;
the inverse is the matching ``conv_transpose3d`` on (B, 4, C, H, W). One kernel each, no
per-call allocation besides the output, filters built once per (device, dtype) and cached.

Exactness: the filters are powers of two, so in float32 the result equals ``dwt_init`` /
``iwt_init`` up to summation order (a few ulp). On Ampere and newer GPUs cuDNN would run a
float32 convolution in TF32 (10-bit mantissa) by default, which is far from exact; these blocks
switch TF32 off for their own convolution (and restore the setting) when the input is a CUDA
float32 tensor.

torch2trt: built-in converters exist for ``conv3d``, ``conv_transpose3d``, ``unsqueeze`` and
``view``/``reshape`` (torch2trt master). Importing ``trtsetup.wavelets.converters`` also
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


class _ExactFloat32(object):
    """Turn cuDNN's TF32 off while our fixed +-0.5 filters run on a CUDA float32 tensor."""

    def __init__(self, x):
        self.active = (x.is_cuda and x.dtype == torch.float32
                       and bool(getattr(torch.backends.cudnn, "allow_tf32", False)))

    def __enter__(self):
        if self.active:
            torch.backends.cudnn.allow_tf32 = False
        return self

    def __exit__(self, *exc):
        if self.active:
            torch.backends.cudnn.allow_tf32 = True
        return False


class _HaarBase(nn.Module):
    def __init__(self, in_channels=None):
        super(_HaarBase, self).__init__()
        self.requires_grad = False  # as MWCNN's blocks; they have no parameters anyway
        self.in_channels = None if in_channels is None else int(in_channels)
        # Not a buffer: nothing here may appear in state_dict. Keyed by (device, dtype).
        self._filters = {}

    def _weight(self, x):
        key = (x.device, x.dtype)
        w = self._filters.get(key)
        if w is None:
            w = haar_filters(x.device, x.dtype)
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


class DWT(_HaarBase):
    """Forward Haar transform, (B, C, H, W) -> (B, 4C, H/2, W/2); H and W must be even.

    ``DWT()`` works for any channel count; ``DWT(in_channels=C)`` also checks it.
    """

    def forward(self, x):
        channels, height, width = self._check(x, "DWT")
        if height % 2 or width % 2:
            raise ValueError("DWT needs an even height and width, got %dx%d (shape %s); "
                             "pad or crop the input to a multiple of 2"
                             % (height, width, tuple(x.shape)))
        with _ExactFloat32(x):
            y = F.conv3d(x.unsqueeze(1), self._weight(x), stride=(1, 2, 2))
        return y.reshape(x.shape[0], 4 * channels, height // 2, width // 2)


class IWT(_HaarBase):
    """Inverse Haar transform, (B, 4C, H, W) -> (B, C, 2H, 2W); channels must divide by 4.

    ``IWT()`` works for any valid channel count; ``IWT(in_channels=4C)`` also checks it.
    """

    def __init__(self, in_channels=None):
        if in_channels is not None and int(in_channels) % 4:
            raise ValueError("IWT needs an input channel count divisible by 4, got %d"
                             % int(in_channels))
        super(IWT, self).__init__(in_channels)

    def forward(self, x):
        channels, height, width = self._check(x, "IWT")
        if channels % 4:
            raise ValueError("IWT needs an input channel count divisible by 4 "
                             "(LL, HL, LH, HH quarters), got %d (shape %s)"
                             % (channels, tuple(x.shape)))
        out_channels = channels // 4
        x5 = x.reshape(x.shape[0], 4, out_channels, height, width)
        with _ExactFloat32(x):
            y = F.conv_transpose3d(x5, self._weight(x), stride=(1, 2, 2))
        return y.reshape(x.shape[0], out_channels, 2 * height, 2 * width)
