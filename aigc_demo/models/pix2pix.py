"""Pix2Pix (Isola et al. 2017, arXiv:1611.07004): U-Net generator, PatchGAN discriminator.

The generator's state_dict keys are those of the reference UnetGenerator (junyanz/pytorch-CycleGAN-and-pix2pix,
models/networks.py): nested UnetSkipConnectionBlocks, each one nn.Sequential `model`, so reference-format
weights load strictly. Two departures, both configuration: `max_mult` caps the width (the reference's is 8,
i.e. ngf * 8 channels in the inner blocks; 4 keeps a CPU-sized model) and `num_downs` may be as low as 5.

For inpainting the input is the masked picture plus the mask as one more channel (1 = fill here):

    Fashion-MNIST (28x28 padded to 32): [N, 1 + 1, 32, 32] -> 5 stride-2 convs -> [N, 128, 1, 1] -> back up,
        each level concatenated with its mirror (the skips carry everything the mask left visible) -> [N, 1, 32, 32]
    photos: [N, 3 + 1, H, W] -> [N, 3, H, W]; restore (denoise): [N, 3, H, W] -> [N, 3, H, W], no mask channel.

`residual=True` (restore) adds the input to the output (clamped to [-1, 1]), so the network predicts the
correction, not the whole picture (residual learning, as in DnCNN, Zhang et al. 2017): leaving a clean picture
alone is then the easy default instead of something to learn. It adds no parameters (keys unchanged).

Fully convolutional: any height and width that are multiples of 2 ** num_downs (the pipeline pads to that).
Inputs and outputs are in [-1, 1]. Batch norm, as in the reference; at inference it uses its running statistics,
so a picture's result does not depend on its size or on other pictures in the batch.
"""
from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from aigc_demo.models.cyclegan import NLayerDiscriminator  # the same PatchGAN (reference NLayerDiscriminator)

__all__ = ["UnetGenerator", "UnetSkipConnectionBlock", "NLayerDiscriminator", "init_weights"]


class UnetSkipConnectionBlock(nn.Module):
    """One level of the U-Net: down (conv, stride 2), the inner levels, up (transposed conv), then the skip
    (this level's input concatenated to its output), except at the outermost level, which ends in tanh.
    Indices inside `model` are the reference's."""

    def __init__(self, outer_nc: int, inner_nc: int, input_nc: int | None = None,
                 submodule: nn.Module | None = None, outermost: bool = False, innermost: bool = False):
        super().__init__()
        self.outermost = outermost
        input_nc = outer_nc if input_nc is None else input_nc
        # Batch norm follows these convs, so they carry no bias (the reference's use_bias=False).
        downconv = nn.Conv2d(input_nc, inner_nc, kernel_size=4, stride=2, padding=1, bias=False)
        if outermost:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1)
            layers = [downconv, submodule, nn.ReLU(True), upconv, nn.Tanh()]
        elif innermost:
            upconv = nn.ConvTranspose2d(inner_nc, outer_nc, kernel_size=4, stride=2, padding=1, bias=False)
            layers = [nn.LeakyReLU(0.2, True), downconv, nn.ReLU(True), upconv, nn.BatchNorm2d(outer_nc)]
        else:
            upconv = nn.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2, padding=1, bias=False)
            layers = [nn.LeakyReLU(0.2, True), downconv, nn.BatchNorm2d(inner_nc), submodule,
                      nn.ReLU(True), upconv, nn.BatchNorm2d(outer_nc)]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


class UnetGenerator(nn.Module, PyTorchModelHubMixin):
    """The reference U-Net: `num_downs` halvings; widths ngf, 2 ngf, 4 ngf, ... capped at ngf * max_mult."""

    def __init__(self, input_nc: int = 2, output_nc: int = 1, num_downs: int = 5, ngf: int = 32, max_mult: int = 4,
                 residual: bool = False):
        super().__init__()
        if num_downs < 4:
            raise ValueError("num_downs must be at least 4")
        if residual and input_nc != output_nc:
            raise ValueError("a residual generator needs as many input as output channels")
        self.num_downs, self.residual = num_downs, residual
        widths = [ngf * min(2 ** i, max_mult) for i in range(num_downs)]  # channels after each down conv
        block = UnetSkipConnectionBlock(widths[-2], widths[-1], innermost=True)
        for level in range(num_downs - 2, 0, -1):
            block = UnetSkipConnectionBlock(widths[level - 1], widths[level], submodule=block)
        self.model = UnetSkipConnectionBlock(output_nc, ngf, input_nc=input_nc, submodule=block, outermost=True)

    @property
    def multiple(self) -> int:
        """Height and width must be multiples of this."""
        return 2 ** self.num_downs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x + self.model(x)).clamp(-1, 1) if self.residual else self.model(x)


def init_weights(module: nn.Module) -> None:
    """The reference's 'normal' init: convs N(0, 0.02), batch-norm scales N(1, 0.02), biases zero."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)
