"""The architectures of the torch2trt conversion matrix (benchmarks/t2t_matrix.py), written here.

Small on purpose (random weights, 32-64 px inputs): the matrix asks whether torch2trt can hand
each network to TensorRT and the builder serializes an engine, not how fast it runs. Each
model is the ordinary way the architecture is written in PyTorch (functional calls with default
arguments, nn modules), as a user would write it. ``MODELS`` maps a name to (factory, input
shape).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def _conv_bn(cin, cout, k=3, s=1, groups=1, act=nn.ReLU):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), act())


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super(BasicBlock, self).__init__()
        self.conv1 = _conv_bn(cin, cout, 3, stride)
        self.conv2 = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.down is None else self.down(x)
        return F.relu(self.conv2(self.conv1(x)) + identity)


class ResNet(nn.Module):
    def __init__(self):
        super(ResNet, self).__init__()
        self.stem = nn.Sequential(_conv_bn(3, 16, 7, 2), nn.MaxPool2d(3, 2, 1))
        self.layers = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 32, 2), BasicBlock(32, 64, 2))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class InvertedResidual(nn.Module):
    """MobileNetV2's block: expand 1x1, depthwise 3x3, project 1x1, residual when shapes allow."""

    def __init__(self, cin, cout, stride, expand):
        super(InvertedResidual, self).__init__()
        hidden = cin * expand
        self.use_res = stride == 1 and cin == cout
        self.conv = nn.Sequential(_conv_bn(cin, hidden, 1, act=nn.ReLU6),
                                  _conv_bn(hidden, hidden, 3, stride, groups=hidden, act=nn.ReLU6),
                                  nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self):
        super(MobileNetV2, self).__init__()
        self.features = nn.Sequential(_conv_bn(3, 16, 3, 2, act=nn.ReLU6),
                                      InvertedResidual(16, 16, 1, 6), InvertedResidual(16, 24, 2, 6),
                                      InvertedResidual(24, 24, 1, 6))
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(24, 10))

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, (1, 1)).reshape(x.shape[0], -1)
        return self.classifier(x)


class SqueezeExcite(nn.Module):
    """MobileNetV3's squeeze-excite: global pool, two 1x1 convs, hard-sigmoid gate."""

    def __init__(self, channels, squeeze=4):
        super(SqueezeExcite, self).__init__()
        self.fc1 = nn.Conv2d(channels, channels // squeeze, 1)
        self.fc2 = nn.Conv2d(channels // squeeze, channels, 1)

    def forward(self, x):
        scale = F.adaptive_avg_pool2d(x, 1)
        scale = self.fc2(F.relu(self.fc1(scale)))
        return x * F.hardsigmoid(scale)


class MobileNetV3Block(nn.Module):
    def __init__(self, cin=16, hidden=64, cout=24, stride=2):
        super(MobileNetV3Block, self).__init__()
        self.expand = _conv_bn(cin, hidden, 1, act=nn.Hardswish)
        self.dw = _conv_bn(hidden, hidden, 5, stride, groups=hidden, act=nn.Hardswish)
        self.se = SqueezeExcite(hidden)
        self.project = nn.Sequential(nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return self.project(self.se(self.dw(self.expand(x))))


class MobileNetV3(nn.Module):
    def __init__(self):
        super(MobileNetV3, self).__init__()
        self.stem = _conv_bn(3, 16, 3, 2, act=nn.Hardswish)
        self.block = MobileNetV3Block()
        self.head = nn.Sequential(nn.Linear(24, 32), nn.Hardswish(), nn.Linear(32, 10))

    def forward(self, x):
        x = self.block(self.stem(x))
        return self.head(F.adaptive_avg_pool2d(x, 1).flatten(1))


class Fire(nn.Module):
    def __init__(self, cin, squeeze, expand):
        super(Fire, self).__init__()
        self.squeeze = nn.Conv2d(cin, squeeze, 1)
        self.e1 = nn.Conv2d(squeeze, expand, 1)
        self.e3 = nn.Conv2d(squeeze, expand, 3, padding=1)

    def forward(self, x):
        x = F.relu(self.squeeze(x))
        return torch.cat([F.relu(self.e1(x)), F.relu(self.e3(x))], 1)


class SqueezeNet(nn.Module):
    def __init__(self):
        super(SqueezeNet, self).__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 32, 3, 2), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(3, 2, ceil_mode=True), Fire(32, 8, 16),
                                      Fire(32, 8, 16), nn.MaxPool2d(3, 2, ceil_mode=True))
        self.classifier = nn.Sequential(nn.Conv2d(32, 10, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


def channel_shuffle(x, groups):
    n, c, h, w = x.shape
    x = x.view(n, groups, c // groups, h, w)
    return torch.transpose(x, 1, 2).contiguous().view(n, c, h, w)


class ShuffleUnit(nn.Module):
    def __init__(self, channels):
        super(ShuffleUnit, self).__init__()
        half = channels // 2
        self.branch = nn.Sequential(_conv_bn(half, half, 1), _conv_bn(half, half, 3, groups=half),
                                    _conv_bn(half, half, 1))

    def forward(self, x):
        a, b = x.chunk(2, dim=1)
        return channel_shuffle(torch.cat((a, self.branch(b)), 1), 2)


class ShuffleNet(nn.Module):
    def __init__(self):
        super(ShuffleNet, self).__init__()
        self.stem = _conv_bn(3, 32, 3, 2)
        self.units = nn.Sequential(ShuffleUnit(32), ShuffleUnit(32))
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.units(F.max_pool2d(self.stem(x), 3, 2, 1))
        return self.fc(x.mean([2, 3]))


class DenseLayer(nn.Module):
    def __init__(self, cin, growth):
        super(DenseLayer, self).__init__()
        self.bn = nn.BatchNorm2d(cin)
        self.conv = nn.Conv2d(cin, growth, 3, padding=1, bias=False)

    def forward(self, x):
        return torch.cat([x, self.conv(F.relu(self.bn(x)))], 1)


class DenseNet(nn.Module):
    def __init__(self):
        super(DenseNet, self).__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.block1 = nn.Sequential(DenseLayer(16, 8), DenseLayer(24, 8))
        self.trans = nn.Sequential(nn.BatchNorm2d(32), nn.ReLU(), nn.Conv2d(32, 16, 1), nn.AvgPool2d(2))
        self.block2 = nn.Sequential(DenseLayer(16, 8), DenseLayer(24, 8))
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.block2(self.trans(self.block1(self.stem(x))))
        return self.fc(F.adaptive_avg_pool2d(F.relu(x), 1).view(x.size(0), -1))


class VGG(nn.Module):
    """VGG as usually written: functional max-pooling with the default stride."""

    def __init__(self):
        super(VGG, self).__init__()
        self.c1 = nn.Conv2d(3, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.c3 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.max_pool2d(F.relu(self.c3(x)), kernel_size=2)
        return self.fc(x.view(x.size(0), -1))


class UNet(nn.Module):
    """A two-level UNet: max-pool down, F.interpolate (bilinear) up, skip concatenation."""

    def __init__(self):
        super(UNet, self).__init__()
        self.enc1 = nn.Sequential(_conv_bn(3, 16), _conv_bn(16, 16))
        self.enc2 = nn.Sequential(_conv_bn(16, 32), _conv_bn(32, 32))
        self.mid = _conv_bn(32, 32)
        self.dec2 = _conv_bn(64, 16)
        self.dec1 = _conv_bn(32, 16)
        self.out = nn.Conv2d(16, 2, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([F.interpolate(m, scale_factor=2, mode="bilinear", align_corners=False), e2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, size=e1.shape[2:], mode="nearest"), e1], 1))
        return self.out(d1)


def _mwcnn_blocks():
    from trtsetup.wavelets.reference import OriginalDWT, OriginalIWT
    return OriginalDWT, OriginalIWT


class MWCNN(nn.Module):
    """MWCNN's shape: conv, the unmodified DWT, conv, the unmodified IWT, a residual."""

    def __init__(self):
        super(MWCNN, self).__init__()
        dwt, iwt = _mwcnn_blocks()
        self.head = _conv_bn(3, 16)
        self.dwt = dwt()
        self.body = nn.Sequential(_conv_bn(64, 64), _conv_bn(64, 64))
        self.iwt = iwt()
        self.tail = nn.Conv2d(16, 3, 3, padding=1)

    def forward(self, x):
        return x + self.tail(self.iwt(self.body(self.dwt(self.head(x)))))


class DetectionHead(nn.Module):
    """An SSD/YOLO-style head: per-level conv, permute to (N, H*W*A, 4+C), sigmoid, concat."""

    def __init__(self, anchors=3, classes=4):
        super(DetectionHead, self).__init__()
        self.backbone1 = _conv_bn(3, 16, 3, 2)
        self.backbone2 = _conv_bn(16, 32, 3, 2)
        self.outputs = anchors * (4 + classes)
        self.pred1 = nn.Conv2d(16, self.outputs, 1)
        self.pred2 = nn.Conv2d(32, self.outputs, 1)
        self.per_anchor = 4 + classes

    def _flat(self, p):
        n = p.shape[0]
        return p.permute(0, 2, 3, 1).reshape(n, -1, self.per_anchor)

    def forward(self, x):
        f1 = self.backbone1(x)
        f2 = self.backbone2(f1)
        out = torch.cat([self._flat(self.pred1(f1)), self._flat(self.pred2(f2))], 1)
        return torch.sigmoid(out)


class ReflectPadNet(nn.Module):
    """Image-restoration style: reflection padding before each conv (nn.ReflectionPad2d)."""

    def __init__(self):
        super(ReflectPadNet, self).__init__()
        self.body = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(3, 16, 3), nn.ReLU(),
                                  nn.ReflectionPad2d(1), nn.Conv2d(16, 3, 3))

    def forward(self, x):
        return self.body(x)


class PadModes(nn.Module):
    """F.pad in every mode torch has: constant (non-zero value), reflect, replicate, circular."""

    def forward(self, x):
        a = F.pad(x, (1, 2, 3, 0), mode="constant", value=0.5)
        b = F.pad(x, (1, 2, 3, 0), mode="reflect")
        c = F.pad(x, (1, 2, 3, 0), mode="replicate")
        d = F.pad(x, (1, 2, 3, 0), mode="circular")
        return torch.cat([a, b, c, d], 1)


class AvgPoolNet(nn.Module):
    """Average pooling in its functional form with the default stride, then its module form."""

    def __init__(self):
        super(AvgPoolNet, self).__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.AvgPool2d(2)

    def forward(self, x):
        return self.pool(F.avg_pool2d(F.relu(self.conv(x)), 2))


class TinyTransformerBlock(nn.Module):
    """A ViT-style block on patch tokens: patchify conv, layer norm, attention by matmul, MLP, GELU."""

    def __init__(self, dim=32, patch=8):
        super(TinyTransformerBlock, self).__init__()
        self.patch = nn.Conv2d(3, dim, patch, patch)
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.scale = dim ** -0.5

    def forward(self, x):
        t = self.patch(x).flatten(2).transpose(1, 2)
        q, k, v = self.qkv(self.norm1(t)).chunk(3, dim=-1)
        attn = torch.softmax(torch.matmul(q, k.transpose(1, 2)) * self.scale, dim=-1)
        t = t + self.proj(torch.matmul(attn, v))
        return t + self.mlp(self.norm2(t))


class SiLUConvNet(nn.Module):
    """EfficientNet-style stem: conv, SiLU, depthwise conv, global pool, classifier."""

    def __init__(self):
        super(SiLUConvNet, self).__init__()
        self.stem = _conv_bn(3, 16, 3, 2, act=nn.SiLU)
        self.dw = _conv_bn(16, 16, 3, 1, groups=16, act=nn.SiLU)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.dw(self.stem(x)), 1).flatten(1))


class DeconvDecoder(nn.Module):
    """An autoencoder: strided convs down, transposed convs up, tanh output."""

    def __init__(self):
        super(DeconvDecoder, self).__init__()
        self.down = nn.Sequential(_conv_bn(3, 16, 3, 2), _conv_bn(16, 32, 3, 2))
        self.up = nn.Sequential(nn.ConvTranspose2d(32, 16, 4, 2, 1), nn.ReLU(),
                                nn.ConvTranspose2d(16, 3, 4, 2, 1))

    def forward(self, x):
        return torch.tanh(self.up(self.down(x)))


MODELS = {
    "resnet": (ResNet, (1, 3, 64, 64)),
    "mobilenet_v2": (MobileNetV2, (1, 3, 64, 64)),
    "mobilenet_v2_block": (lambda: InvertedResidual(16, 16, 1, 6), (1, 16, 32, 32)),
    "mobilenet_v3": (MobileNetV3, (1, 3, 64, 64)),
    "squeeze_excite_hardsigmoid": (lambda: SqueezeExcite(32), (1, 32, 16, 16)),
    "squeezenet": (SqueezeNet, (1, 3, 64, 64)),
    "shufflenet": (ShuffleNet, (1, 3, 64, 64)),
    "densenet": (DenseNet, (1, 3, 32, 32)),
    "vgg_functional_pool": (VGG, (1, 3, 32, 32)),
    "unet_interpolate": (UNet, (1, 3, 32, 32)),
    "mwcnn_unmodified_blocks": (MWCNN, (1, 3, 32, 32)),
    "detection_head": (DetectionHead, (1, 3, 32, 32)),
    "reflection_pad": (ReflectPadNet, (1, 3, 32, 32)),
    "pad_every_mode": (PadModes, (1, 3, 8, 8)),
    "avg_pool_default_stride": (AvgPoolNet, (1, 3, 32, 32)),
    "transformer_block": (TinyTransformerBlock, (1, 3, 32, 32)),
    "silu_depthwise": (SiLUConvNet, (1, 3, 32, 32)),
    "deconv_autoencoder": (DeconvDecoder, (1, 3, 32, 32)),
}
