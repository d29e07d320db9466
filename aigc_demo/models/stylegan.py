"""A small class-conditional style-based GAN for 28x28 grey Fashion-MNIST (after StyleGAN2, Karras et al.
2020, arXiv:1912.04958), sized for a CPU.

    mapping:    normalise(z [N, 64]) ++ normalise(embed(label)) -> 4 x (linear, leaky ReLU) -> w [N, 128]
    synthesis:  learned constant [128, 7, 7] (widths 128, 96, 32 at 7, 14, 28 pixels)
                -> styled conv 7x7 -> (up, styled conv, styled conv) 14x14 -> (up, styled conv, styled conv) 28x28
                each styled conv: weights modulated by an affine map of w, then demodulated, plus per-pixel
                noise scaled by a learned per-channel strength; a 1x1 "to grey" layer per resolution whose
                outputs are upsampled and summed (StyleGAN2's skip generator)

Every styled layer reads its own w (ws[:, i]), which is what style mixing exploits: coarse layers from
one latent, fine layers from another. Truncation pulls w towards the mean w of its class (`w_avg`,
measured after training and saved with the weights), trading variety for cleaner images.

Layers use the equalised learning rate of Karras et al. (weights stored at unit variance, scaled at
run time), so one Adam learning rate suits every layer; the mapping network learns 100x slower.
The generator is what a checkpoint holds (config.json + model.safetensors via PyTorchModelHubMixin);
the discriminator exists only while training.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

IMAGE_SIZE = 28
SEED_SIZE = 7  # the learned constant's size; two 2x upsamplings reach 28
GAIN = math.sqrt(2)  # keeps activations at unit scale after a leaky ReLU (He et al.)


def leaky(x: torch.Tensor) -> torch.Tensor:
    return F.leaky_relu(x, 0.2) * GAIN


def normalise(x: torch.Tensor) -> torch.Tensor:
    """Scale each row to unit root-mean-square ("pixel norm" on vectors)."""
    return x * torch.rsqrt(x.square().mean(dim=1, keepdim=True) + 1e-8)


class EqualLinear(nn.Module):
    def __init__(self, in_features: int, out_features: int, bias_init: float = 0.0, lr_multiplier: float = 1.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_multiplier)
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init)))
        self.weight_scale = lr_multiplier / math.sqrt(in_features)
        self.lr_multiplier = lr_multiplier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.weight_scale, self.bias * self.lr_multiplier)


class EqualConv2d(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.weight_scale = 1 / math.sqrt(in_channels * kernel_size ** 2)
        self.stride, self.padding = stride, kernel_size // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.weight_scale, self.bias, stride=self.stride, padding=self.padding)


class MappingNetwork(nn.Module):
    def __init__(self, latent_dim: int, num_classes: int, w_dim: int, layers: int = 4):
        super().__init__()
        self.label_embedding = nn.Embedding(num_classes, latent_dim)
        widths = [2 * latent_dim] + [w_dim] * layers
        # lr multiplier 0.01: a fast-moving mapping makes the styles, and so training, unstable (StyleGAN).
        self.layers = nn.ModuleList(EqualLinear(a, b, lr_multiplier=0.01) for a, b in zip(widths, widths[1:]))

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        h = torch.cat([normalise(z), normalise(self.label_embedding(labels))], dim=1)
        for layer in self.layers:
            h = leaky(layer(h))
        return h


class ModulatedConv2d(nn.Module):
    """A convolution whose input channels are scaled per sample by a style, then re-normalised per output
    channel ("demodulation", which replaces StyleGAN1's AdaIN and its droplet artefacts)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, w_dim: int, demodulate: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.weight_scale = 1 / math.sqrt(in_channels * kernel_size ** 2)
        self.affine = EqualLinear(w_dim, in_channels, bias_init=1.0)  # styles start at 1: plain convolution
        self.demodulate, self.padding = demodulate, kernel_size // 2

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        style = self.affine(w)  # [N, in]
        weight = self.weight * self.weight_scale  # [out, in, k, k], shared by the batch
        # Scaling the input by the style equals scaling the weights per sample, and lets the whole
        # batch share one ordinary convolution (a grouped per-sample convolution is ~3x slower on a CPU).
        out = F.conv2d(x * style[:, :, None, None], weight, padding=self.padding)
        if self.demodulate:
            # 1 / |modulated weights| per (sample, output channel): sum over in, k, k of (w * s)^2.
            squared = weight.square().sum(dim=(2, 3))  # [out, in]
            out = out * torch.rsqrt(style.square() @ squared.t() + 1e-8)[:, :, None, None]
        return out


class StyledLayer(nn.Module):
    """(optional 2x upsampling) -> modulated 3x3 conv -> + per-pixel noise x learned strength -> bias -> leaky ReLU."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, upsample: bool = False):
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, out_channels, 3, w_dim)
        self.noise_strength = nn.Parameter(torch.zeros(1, out_channels, 1, 1))
        self.bias = nn.Parameter(torch.zeros(1, out_channels, 1, 1))
        self.upsample = upsample

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        return leaky(self.conv(x, w) + self.noise_strength * noise + self.bias)


class ToGrey(nn.Module):
    def __init__(self, in_channels: int, w_dim: int):
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, 1, 1, w_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(1, 1, 1, 1))

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return self.conv(x, w) + self.bias


class StyleGANGenerator(nn.Module, PyTorchModelHubMixin):
    def __init__(self, latent_dim: int = 64, num_classes: int = 10, w_dim: int = 128,
                 channels: tuple[int, int, int] = (128, 96, 32), mapping_layers: int = 4):
        super().__init__()
        self.latent_dim, self.num_classes, self.w_dim = latent_dim, num_classes, w_dim
        c7, c14, c28 = channels
        self.mapping = MappingNetwork(latent_dim, num_classes, w_dim, mapping_layers)
        self.constant = nn.Parameter(torch.randn(1, c7, SEED_SIZE, SEED_SIZE))
        self.layers = nn.ModuleList([
            StyledLayer(c7, c7, w_dim),
            StyledLayer(c7, c14, w_dim, upsample=True), StyledLayer(c14, c14, w_dim),
            StyledLayer(c14, c28, w_dim, upsample=True), StyledLayer(c28, c28, w_dim),
        ])
        self.to_grey = nn.ModuleDict({"7": ToGrey(c7, w_dim), "14": ToGrey(c14, w_dim), "28": ToGrey(c28, w_dim)})
        # Mean w per class, filled in after training (see measure_w_avg); the centre truncation pulls towards.
        self.register_buffer("w_avg", torch.zeros(num_classes, w_dim))

    # Which w each synthesis step reads: layer i reads ws[:, i]; a resolution's to-grey reads the w of
    # its last conv's successor, as in StyleGAN2, so coarse (7x7) styles are ws[:, :2].
    @property
    def num_ws(self) -> int:
        return len(self.layers) + 1

    def noise_shapes(self, batch: int) -> list[tuple[int, ...]]:
        sizes = [SEED_SIZE, 2 * SEED_SIZE, 2 * SEED_SIZE, IMAGE_SIZE, IMAGE_SIZE]
        return [(batch, 1, s, s) for s in sizes]

    def styles(self, z: torch.Tensor, labels: torch.Tensor, truncation: float = 1.0) -> torch.Tensor:
        """w [N, w_dim] for latents z and labels, pulled towards the class mean when truncation < 1."""
        w = self.mapping(z, labels)
        if truncation != 1.0:
            centre = self.w_avg[labels].to(w.dtype)
            w = centre + truncation * (w - centre)
        return w

    def synthesize(self, ws: torch.Tensor, noise: list[torch.Tensor]) -> torch.Tensor:
        """ws [N, num_ws, w_dim], one noise map per styled layer -> images [N, 1, 28, 28] in about [-1, 1]."""
        x = self.constant.expand(len(ws), -1, -1, -1)
        x = self.layers[0](x, ws[:, 0], noise[0])
        image = self.to_grey["7"](x, ws[:, 1])
        for index, key in ((1, "14"), (3, "28")):
            x = self.layers[index](x, ws[:, index], noise[index])
            x = self.layers[index + 1](x, ws[:, index + 1], noise[index + 1])
            image = F.interpolate(image, scale_factor=2, mode="bilinear", align_corners=False)
            image = image + self.to_grey[key](x, ws[:, index + 2])
        return image

    def forward(self, z: torch.Tensor, labels: torch.Tensor, truncation: float = 1.0,
                noise: list[torch.Tensor] | None = None) -> torch.Tensor:
        """The plain (z, labels) -> images interface the other generators share; noise drawn fresh if not given."""
        w = self.styles(z, labels, truncation)
        ws = w[:, None].expand(-1, self.num_ws, -1)
        if noise is None:
            noise = [torch.randn(shape, device=z.device, dtype=w.dtype) for shape in self.noise_shapes(len(z))]
        return self.synthesize(ws, noise)

    @torch.no_grad()
    def measure_w_avg(self, samples_per_class: int = 2000, seed: int = 0) -> None:
        generator = torch.Generator().manual_seed(seed)
        device = self.constant.device
        for label in range(self.num_classes):
            z = torch.randn(samples_per_class, self.latent_dim, generator=generator).to(device)
            labels = torch.full((samples_per_class,), label, dtype=torch.long, device=device)
            self.w_avg[label] = self.mapping(z, labels).mean(dim=0)


class StyleGANDiscriminator(nn.Module):
    """28 -> 14 -> 7 convolutions, a minibatch standard-deviation channel (so the discriminator can see
    a batch without variety), then a score plus a class projection term (as in the DCGAN here)."""

    def __init__(self, num_classes: int = 10, channels: tuple[int, int, int] = (64, 128, 128)):
        super().__init__()
        c28, c14, c7 = channels
        self.from_grey = EqualConv2d(1, c28, 1)
        self.blocks = nn.ModuleList([EqualConv2d(c28, c28, 3), EqualConv2d(c28, c14, 3, stride=2),
                                     EqualConv2d(c14, c14, 3), EqualConv2d(c14, c7, 3, stride=2)])
        self.final_conv = EqualConv2d(c7 + 1, c7, 3)
        features = c7 * SEED_SIZE * SEED_SIZE
        self.final_linear = EqualLinear(features, c7)
        self.score = EqualLinear(c7, 1)
        self.label_projection = nn.Embedding(num_classes, c7)
        nn.init.normal_(self.label_projection.weight, std=c7 ** -0.5)

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """images [N, 1, 28, 28], labels int64 [N] -> logits [N]."""
        h = leaky(self.from_grey(images))
        for block in self.blocks:
            h = leaky(block(h))
        h = torch.cat([h, minibatch_std(h)], dim=1)
        h = leaky(self.final_conv(h))
        h = leaky(self.final_linear(h.flatten(1)))  # [N, c7]
        return self.score(h).squeeze(1) + (self.label_projection(labels) * h).sum(1)


def minibatch_std(h: torch.Tensor, group: int = 4) -> torch.Tensor:
    """One extra channel: the feature standard deviation across groups of `group` samples, averaged."""
    batch, channels, height, width = h.shape
    group = min(group, batch)
    if batch % group:
        group = 1
    if group == 1:
        return torch.zeros(batch, 1, height, width, dtype=h.dtype, device=h.device)
    grouped = h.reshape(group, batch // group, channels, height, width)
    std = (grouped.var(dim=0, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # [N / group]
    return std.repeat(group)[:, None, None, None].expand(batch, 1, height, width)
