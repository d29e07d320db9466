"""CycleGAN (Zhu et al. 2017, arXiv:1703.10593): ResNet generator, PatchGAN discriminator, image pool.

The generator's state_dict keys are those of the reference implementation's ResnetGenerator
(junyanz/pytorch-CycleGAN-and-pix2pix, models/networks.py): one nn.Sequential `model`, residual
blocks holding `conv_block`, so reference-format weights load strictly. Two configurations of one class:

    Fashion-MNIST, trained here (1 channel, ngf 32, 2 downsamplings, 6 blocks):
        [N, 1, 28, 28] -> 7x7 conv -> [N, 32, 28, 28] -> down -> [N, 64, 14, 14] -> down -> [N, 128, 7, 7]
        -> 6 residual blocks -> up -> [N, 64, 14, 14] -> up -> [N, 32, 28, 28] -> 7x7 conv, tanh -> [N, 1, 28, 28]
    the paper's photo generator (3 channels, ngf 64, 2 downsamplings, 9 blocks), e.g. vintagify's weights.

Inputs and outputs are in [-1, 1]; height and width must be multiples of 2 ** n_downsampling.
The discriminator and the image pool exist only while training.
"""
from __future__ import annotations

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn


def _instance_norm(channels: int, affine: bool) -> nn.InstanceNorm2d:
    # The reference default is affine=False (no parameters); some published weights (vintagify) use affine=True.
    return nn.InstanceNorm2d(channels, affine=affine)


class ResnetBlock(nn.Module):
    """x + conv_block(x); indices inside conv_block match the reference (convs at 1 and 5, norms at 2 and 6)."""

    def __init__(self, dim: int, norm_affine: bool):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), _instance_norm(dim, norm_affine), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), _instance_norm(dim, norm_affine),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module, PyTorchModelHubMixin):
    def __init__(self, input_nc: int = 1, output_nc: int = 1, ngf: int = 32, n_blocks: int = 6,
                 n_downsampling: int = 2, norm_affine: bool = False):
        super().__init__()
        self.n_downsampling = n_downsampling
        # Instance norm follows every conv but the last, so convs keep their bias as the reference does
        # (use_bias is True for instance norm there).
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(input_nc, ngf, 7),
                                   _instance_norm(ngf, norm_affine), nn.ReLU(True)]
        for i in range(n_downsampling):
            width = ngf * 2 ** i
            layers += [nn.Conv2d(width, width * 2, 3, stride=2, padding=1),
                       _instance_norm(width * 2, norm_affine), nn.ReLU(True)]
        width = ngf * 2 ** n_downsampling
        layers += [ResnetBlock(width, norm_affine) for _ in range(n_blocks)]
        for i in range(n_downsampling):
            width = ngf * 2 ** (n_downsampling - i)
            layers += [nn.ConvTranspose2d(width, width // 2, 3, stride=2, padding=1, output_padding=1),
                       _instance_norm(width // 2, norm_affine), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, output_nc, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


def keys_from_vintagify(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """vintagify names the residual branch `block`; the reference (and this class) name it `conv_block`.
    Everything else, index for index, is the reference layout."""
    return {key.replace(".block.", ".conv_block."): value for key, value in state_dict.items()}


class NLayerDiscriminator(nn.Module):
    """The reference PatchGAN: 4x4 convs, stride 2 for `n_layers`, then two stride-1 convs to a map of scores.

    Receptive field of one score: 70x70 with n_layers=3 (the paper's, for 256x256 photos); 34x34 with
    n_layers=2, used here for 28x28 garments, so each score sees the whole shoe's outline (a boot's shaft
    is what tells the domains apart) while the map still judges its parts separately ([N, 1, 5, 5]).
    """

    def __init__(self, input_nc: int = 1, ndf: int = 32, n_layers: int = 2):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(input_nc, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
        width = ndf
        for n in range(1, n_layers + 1):
            wider = ndf * min(2 ** n, 8)
            stride = 2 if n < n_layers else 1
            layers += [nn.Conv2d(width, wider, 4, stride=stride, padding=1), nn.InstanceNorm2d(wider),
                       nn.LeakyReLU(0.2, True)]
            width = wider
        layers += [nn.Conv2d(width, 1, 4, stride=1, padding=1)]  # raw scores: the least-squares loss needs no sigmoid
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class ImagePool:
    """The last `size` generated images (Shrivastava et al. 2017): the discriminator sees a mix of new fakes
    and older ones, so it cannot chase the generator's latest mode and the two oscillate less."""

    def __init__(self, size: int = 50):
        self.size = size
        self.images: list[torch.Tensor] = []

    def query(self, images: torch.Tensor, rng: torch.Generator) -> torch.Tensor:
        """Per image: store it while the pool fills; after that, half the time swap it for a stored one."""
        chosen = []
        for image in images.detach():
            if len(self.images) < self.size:
                self.images.append(image.clone())
                chosen.append(image)
            elif torch.rand(1, generator=rng).item() < 0.5:
                slot = int(torch.randint(0, self.size, (1,), generator=rng))
                chosen.append(self.images[slot].clone())
                self.images[slot] = image.clone()
            else:
                chosen.append(image)
        return torch.stack(chosen)

    def state(self) -> torch.Tensor:
        return torch.stack(self.images) if self.images else torch.zeros(0)

    def restore(self, images: torch.Tensor) -> None:
        self.images = [image.clone() for image in images]
