"""The generator (U-Net) and the critic of src/model/networks.ts in PyTorch: the same layers, shapes and
weight names, so a Cantus model file's tensors load one to one.

TensorFlow.js works in NHWC with kernels [h, w, in, out]; these modules keep PyTorch's NCHW inside and
convert at the edges (inputs and outputs are NHWC, as the model file and the page use). TensorFlow's 'same'
padding of a 4x4 kernel is one row/column before and one after at stride 2 (even sizes), but one before and
two after at stride 1: PyTorch's symmetric `padding` cannot say that, so every convolution pads explicitly.
"""
import torch
import torch.nn.functional as F
from torch import nn

from .sync import all_reduce_sum

KERNEL_SIZE = 4
LEAKY_SLOPE = 0.2
#: Keras momentum of the batch norms: moving = 0.8 * moving + 0.2 * batch.
BATCH_NORM_MOMENTUM = 0.8
#: TensorFlow.js's BatchNormalization default epsilon.
BATCH_NORM_EPSILON = 1e-3
MODEL_TRACKS = 4
WINDOW_STEPS = 32
PITCHES = 128
MODEL_WIDTHS = (4, 8, 16, 32, 64)


def noise_shape(width):
    """[bars, pitch blocks, channels] of one window's noise (NHWC), as noiseShape in networks.ts."""
    check_width(width)
    return (WINDOW_STEPS // 16, PITCHES // 16, 8 * width)


def check_width(width):
    if width not in MODEL_WIDTHS:
        raise ValueError(f"base width must be one of {', '.join(map(str, MODEL_WIDTHS))}, got {width}")


def same_padding(size, stride):
    """TensorFlow's 'same' padding (before, after) of a 4-wide kernel along an axis of `size`."""
    out = -(-size // stride)
    total = max((out - 1) * stride + KERNEL_SIZE - size, 0)
    return total // 2, total - total // 2


class Conv(nn.Module):
    """A 4x4 convolution with TensorFlow's 'same' padding; its kernel is kept in TF.js's [h, w, in, out] layout."""

    def __init__(self, name, in_channels, filters, stride):
        super().__init__()
        self.name = name
        self.stride = stride
        self.kernel = nn.Parameter(torch.zeros(KERNEL_SIZE, KERNEL_SIZE, in_channels, filters))
        self.bias = nn.Parameter(torch.zeros(filters))

    def forward(self, x):
        top, bottom = same_padding(x.shape[2], self.stride)
        left, right = same_padding(x.shape[3], self.stride)
        x = F.pad(x, (left, right, top, bottom))
        return F.conv2d(x, self.kernel.permute(3, 2, 0, 1), self.bias, stride=self.stride)


class BatchNorm(nn.Module):
    """Keras/TF.js batch norm over N, H, W of an NCHW tensor: biased batch variance, epsilon 1e-3, and moving
    statistics moved by 0.2 towards the batch's in training. With `sync` set (data-parallel training), the
    mean and variance are those of every process's share of the batch together, and so is their gradient."""

    def __init__(self, name, channels):
        super().__init__()
        self.name = name
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.register_buffer("moving_mean", torch.zeros(channels))
        self.register_buffer("moving_variance", torch.ones(channels))
        self.sync = False

    def forward(self, x):
        shape = (1, -1, 1, 1)
        if not self.training:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            count = torch.tensor([x.numel() / x.shape[1]], dtype=x.dtype, device=x.device)
            total = x.sum(dim=(0, 2, 3))
            if self.sync:
                count = all_reduce_sum(count)
                total = all_reduce_sum(total)
            mean = total / count
            squares = (x - mean.view(shape)).square().sum(dim=(0, 2, 3))
            if self.sync:
                squares = all_reduce_sum(squares)
            variance = squares / count
            with torch.no_grad():
                decay = 1 - BATCH_NORM_MOMENTUM
                self.moving_mean.sub_((self.moving_mean - mean) * decay)
                self.moving_variance.sub_((self.moving_variance - variance) * decay)
        scale = torch.rsqrt(variance + BATCH_NORM_EPSILON) * self.gamma
        return (x - mean.view(shape)) * scale.view(shape) + self.beta.view(shape)


def nhwc_to_nchw(x):
    return x.permute(0, 3, 1, 2)


def nchw_to_nhwc(x):
    return x.permute(0, 2, 3, 1)


class Generator(nn.Module):
    """The U-Net: melody [B, 32, 128, 1] (or, with voice context, the context planes [B, 32, 128, 7] of
    voice_context.py) and noise [B, 2, 8, 8w] (NHWC) to [B, 32, 128, 4] in (-1, 1)."""

    def __init__(self, width, input_channels=1):
        super().__init__()
        check_width(width)
        self.width = width
        self.input_channels = input_channels
        w = width
        self.downs = nn.ModuleList()
        for stage, (cin, cout) in enumerate([(input_channels, w), (w, 2 * w), (2 * w, 4 * w), (4 * w, 8 * w)], start=1):
            self.downs.append(Conv(f"d{stage}_conv", cin, cout, 2))
        self.down_norms = nn.ModuleList(BatchNorm(f"d{s}_norm", c) for s, c in [(2, 2 * w), (3, 4 * w), (4, 8 * w)])
        # Up stages: input channels are the previous stage's output plus its skip.
        self.ups = nn.ModuleList(
            [Conv("u4_conv", 16 * w, 4 * w, 1), Conv("u5_conv", 8 * w, 2 * w, 1), Conv("u6_conv", 4 * w, w, 1)]
        )
        self.up_norms = nn.ModuleList(BatchNorm(f"u{s}_norm", c) for s, c in [(4, 4 * w), (5, 2 * w), (6, w)])
        self.out = Conv("out_conv", 2 * w, MODEL_TRACKS, 1)

    def forward(self, melody, noise):
        x = nhwc_to_nchw(melody)
        skips = []
        for stage, conv in enumerate(self.downs):
            x = F.leaky_relu(conv(x), LEAKY_SLOPE)
            if stage > 0:
                x = self.down_norms[stage - 1](x)
            skips.append(x)
        x = torch.cat([x, nhwc_to_nchw(noise)], dim=1)
        for conv, norm, skip in zip(self.ups, self.up_norms, reversed(skips[:-1])):
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = torch.relu(norm(conv(x)))
            x = torch.cat([x, skip], dim=1)
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        return nchw_to_nhwc(torch.tanh(self.out(x)))


class Dense(nn.Module):
    def __init__(self, name, units_in, units_out):
        super().__init__()
        self.name = name
        self.kernel = nn.Parameter(torch.zeros(units_in, units_out))
        self.bias = nn.Parameter(torch.zeros(units_out))

    def forward(self, x):
        return x @ self.kernel + self.bias


class Critic(nn.Module):
    """Roll [B, 32, 128, 4] and condition [B, 32, 128, 1] (NHWC) to one score per window."""

    def __init__(self, width):
        super().__init__()
        check_width(width)
        w = width
        self.convs = nn.ModuleList(
            Conv(f"c{i + 1}_conv", cin, cout, 2) for i, (cin, cout) in enumerate([(5, w), (w, 2 * w), (2 * w, 4 * w), (4 * w, 8 * w)])
        )
        self.score = Dense("score", 8 * w * (WINDOW_STEPS // 16) * (PITCHES // 16), 1)

    def forward(self, roll, condition):
        x = nhwc_to_nchw(torch.cat([roll, condition], dim=3))
        for conv in self.convs:
            x = F.leaky_relu(conv(x), LEAKY_SLOPE)
        # Flatten as Keras does, in NHWC order.
        return self.score(torch.flatten(nchw_to_nhwc(x), 1))


def named_tensors(model):
    """The model's tensors under the TF.js names of a Cantus model file ('d1_conv/kernel', 'd2_norm/moving_mean', ...)."""
    named = {}
    for module in model.modules():
        if isinstance(module, (Conv, Dense)):
            named[f"{module.name}/kernel"] = module.kernel
            named[f"{module.name}/bias"] = module.bias
        elif isinstance(module, BatchNorm):
            named[f"{module.name}/gamma"] = module.gamma
            named[f"{module.name}/beta"] = module.beta
            named[f"{module.name}/moving_mean"] = module.moving_mean
            named[f"{module.name}/moving_variance"] = module.moving_variance
    return named


def set_sync_batch_norm(model, sync):
    for module in model.modules():
        if isinstance(module, BatchNorm):
            module.sync = sync
