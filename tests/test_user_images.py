"""Uploaded images of every awkward kind end in a usable picture or one clear sentence."""
import numpy as np
import pytest
from PIL import Image

from aigc_demo.errors import UserInputError
from aigc_demo.images import MAX_PIXELS, as_fashion_mnist, open_user_image


def save(tmp_path, image: Image.Image, name: str) -> str:
    path = tmp_path / name
    image.save(path)
    return str(path)


@pytest.mark.parametrize("make", [
    lambda: Image.new("RGBA", (40, 30), (255, 0, 0, 128)),
    lambda: Image.new("P", (40, 30)),
    lambda: Image.new("CMYK", (40, 30)),
    lambda: Image.new("1", (40, 30)),
    lambda: Image.fromarray(np.arange(1200, dtype=np.uint16).reshape(30, 40) * 50),
    lambda: Image.new("RGB", (1, 1)),
    lambda: Image.new("RGB", (10000, 10)),
])
def test_any_mode_and_shape_becomes_rgb_then_28x28(tmp_path, make):
    image = make()
    path = save(tmp_path, image, "in.tiff" if image.mode == "CMYK" else "in.png")
    rgb = open_user_image(path)
    assert rgb.mode == "RGB" and rgb.size == image.size
    small = as_fashion_mnist(rgb)
    assert small.shape == (28, 28) and small.dtype == np.uint8


def test_exif_orientation_is_applied(tmp_path):
    image = Image.new("RGB", (40, 20))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    path = tmp_path / "rotated.jpg"
    image.save(path, exif=exif)
    assert open_user_image(str(path)).size == (20, 40)


def test_dark_on_white_photos_are_inverted_like_fashion_mnist():
    photo = np.full((50, 50, 3), 255, np.uint8)
    photo[10:40, 15:35] = 30  # a dark garment on white
    small = as_fashion_mnist(Image.fromarray(photo))
    assert small[14, 14] > 150 and small[0, 0] < 50


@pytest.mark.parametrize("content, message", [(b"", "isn't an image"), (b"<svg onload=alert(1)>", "isn't an image"),
                                              (b"\x89PNG\r\n\x1a\n\x00\x00", "isn't an image")])
def test_non_images_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "fake.png"
    path.write_bytes(content)
    with pytest.raises(UserInputError, match=message):
        open_user_image(str(path))


def test_decompression_bombs_are_refused(tmp_path):
    side = int(MAX_PIXELS ** 0.5) + 2000
    path = tmp_path / "bomb.png"
    Image.new("1", (side, side)).save(path)  # tiny file, huge canvas
    with pytest.raises(UserInputError, match="too large"):
        open_user_image(str(path))


def test_nothing_uploaded():
    with pytest.raises(UserInputError, match="Upload"):
        open_user_image(None)
