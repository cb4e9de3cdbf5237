"""Reference Haar wavelet blocks: MWCNN's originals and the article's TensorRT workaround.

Kept to check the efficient blocks in ``trtsetup.wavelets`` against, and to benchmark them.
Do not use these in a model you want to convert: that is what ``DWT``/``IWT`` are for.

* ``dwt_init`` / ``iwt_init`` / ``OriginalDWT`` / ``OriginalIWT``: MWCNN's code
  (``model/common.py`` of MWCNN_PyTorch), same arithmetic in the same order. One deliberate
  difference: the original ``iwt_init`` allocates ``torch.zeros(...).float().cuda()``; here the
  zeros are allocated on ``x``'s device, so the reference also runs on a CPU. On a GPU the two are
  the same. ``OriginalDWT.forward`` calls ``dwt_init`` exactly like MWCNN's ``DWT`` does, so the
  torch2trt converter in ``trtsetup.wavelets.converters`` treats it as the unmodified block.
* ``ArticleIWT``: the widely copied workaround that makes IWT convertible: each of the four
  sums goes through a depthwise ``ConvTranspose2d(c, c, 1, stride=2, groups=c, bias=False)``
  with weights 1, is padded by one pixel on a different side, and the four results are added.

Index convention: tensors are [batch, channel, row, column].
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def dwt_init(x):
    """MWCNN's forward Haar transform: (B, C, H, W) -> (B, 4C, H/2, W/2), LL|HL|LH|HH."""
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
    """MWCNN's inverse Haar transform: (B, 4C, H, W) -> (B, C, 2H, 2W).

    Allocates the output with zeros on every call and fills it by four strided assignments,
    as the original does (on ``x``'s device instead of always ``.cuda()``).
    """
    r = 2
    in_batch, in_channel, in_height, in_width = x.size()
    out_batch, out_channel, out_height, out_width = (
        in_batch, int(in_channel / (r ** 2)), r * in_height, r * in_width)
    x1 = x[:, 0:out_channel, :, :] / 2
    x2 = x[:, out_channel:out_channel * 2, :, :] / 2
    x3 = x[:, out_channel * 2:out_channel * 3, :, :] / 2
    x4 = x[:, out_channel * 3:out_channel * 4, :, :] / 2
    h = torch.zeros([out_batch, out_channel, out_height, out_width]).float().to(x.device)
    h[:, :, 0::2, 0::2] = x1 - x2 - x3 + x4
    h[:, :, 1::2, 0::2] = x1 - x2 + x3 - x4
    h[:, :, 0::2, 1::2] = x1 + x2 - x3 - x4
    h[:, :, 1::2, 1::2] = x1 + x2 + x3 + x4
    return h


class OriginalDWT(nn.Module):
    """MWCNN's ``DWT`` module: no parameters, no buffers; forward calls ``dwt_init``."""

    def __init__(self):
        super(OriginalDWT, self).__init__()
        self.requires_grad = False

    def forward(self, x):
        return dwt_init(x)


class OriginalIWT(nn.Module):
    """MWCNN's ``IWT`` module: no parameters, no buffers; forward calls ``iwt_init``."""

    def __init__(self):
        super(OriginalIWT, self).__init__()
        self.requires_grad = False

    def forward(self, x):
        return iwt_init(x)


# (left, right, top, bottom) for F.pad: which of the four output phases each sum lands on.
_ARTICLE_PADS = ((0, 1, 0, 1),   # rows 0::2, columns 0::2
                 (0, 1, 1, 0),   # rows 1::2, columns 0::2
                 (1, 0, 0, 1),   # rows 0::2, columns 1::2
                 (1, 0, 1, 0))   # rows 1::2, columns 1::2


class ArticleIWT(nn.Module):
    """The article's convertible IWT: four depthwise ConvTranspose2d (weights 1) + F.pad + sum.

    ``channels`` is the OUTPUT channel count C (the input has 4C). The transposed convolutions
    hold weights, so unlike the original this module has state_dict keys.
    """

    def __init__(self, channels):
        super(ArticleIWT, self).__init__()
        self.channels = int(channels)
        self.up = nn.ModuleList()
        for _ in range(4):
            conv = nn.ConvTranspose2d(self.channels, self.channels, 1, stride=2,
                                      groups=self.channels, bias=False)
            conv.weight.data.fill_(1.0)
            conv.weight.requires_grad = False
            self.up.append(conv)

    def forward(self, x):
        c = self.channels
        x1 = x[:, 0:c, :, :] / 2
        x2 = x[:, c:c * 2, :, :] / 2
        x3 = x[:, c * 2:c * 3, :, :] / 2
        x4 = x[:, c * 3:c * 4, :, :] / 2
        sums = (x1 - x2 - x3 + x4,
                x1 - x2 + x3 - x4,
                x1 + x2 - x3 - x4,
                x1 + x2 + x3 + x4)
        out = None
        for conv, pad, s in zip(self.up, _ARTICLE_PADS, sums):
            y = F.pad(conv(s), pad)
            out = y if out is None else out + y
        return out
