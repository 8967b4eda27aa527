"""gen_media_fixtures.py: fixtures for the image, transform and clip tests (tests/test_image.c,
tests/test_transform.c): small images written by PIL (and an Adam7-interlaced PNG written here)
with the RGB pixels PIL decodes from them, and PyTorch/torchvision outputs for the bilinear resize
and the colour adjustments. Run with Debian's python (torch 1.13, torchvision, PIL):

    /usr/bin/python3 tools/gen_media_fixtures.py tests/fixtures/media
"""
import io
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
import st_io  # noqa: E402


def rgb_of(path):
    return torch.from_numpy(np.array(Image.open(path).convert("RGB"))).contiguous()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_interlaced_png(path, px):
    """An 8-bit RGB Adam7 PNG, every scanline with filter 0 (an encoder independent of libpng)."""
    h, w, _ = px.shape
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = px[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        for row in sub:
            raw += b"\x00" + row.astype(np.uint8).tobytes()
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw)) +
                png_chunk(b"IEND", b""))


def images(out):
    rng = np.random.RandomState(7)
    h, w = 13, 19
    # smooth colours (so the JPEGs are realistic) plus noise
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 12, yy * 18, (xx + yy) * 7], -1) + rng.randint(0, 40, (h, w, 3))
    rgb = np.clip(base, 0, 255).astype(np.uint8)
    files = {}
    Image.fromarray(rgb).save(f"{out}/rgb.png")
    Image.fromarray(np.dstack([rgb, rng.randint(0, 256, (h, w)).astype(np.uint8)])).save(f"{out}/rgba.png")
    Image.fromarray(rgb[..., 0]).save(f"{out}/gray.png")
    Image.fromarray(rgb[..., 1] > 128).save(f"{out}/bits.png")  # 1-bit
    Image.fromarray(rgb).quantize(colors=12).save(f"{out}/palette.png")
    pal = Image.fromarray(rgb).quantize(colors=6)
    pal.info["transparency"] = 2
    pal.save(f"{out}/palette_trns.png", transparency=2)
    Image.fromarray((rgb[..., 2].astype(np.uint16) * 257 + 3).astype(np.uint16)).save(f"{out}/gray16.png")
    write_interlaced_png(f"{out}/interlaced.png", rgb)
    Image.fromarray(rgb).save(f"{out}/rgb.jpg", quality=90)
    Image.fromarray(rgb).save(f"{out}/rgb444.jpg", quality=95, subsampling=0)
    Image.fromarray(rgb[..., 1]).save(f"{out}/gray.jpg", quality=90)
    Image.fromarray(rgb).save(f"{out}/progressive.jpg", quality=85, progressive=True)
    for name in ["rgb.png", "rgba.png", "gray.png", "bits.png", "palette.png", "palette_trns.png", "gray16.png",
                 "interlaced.png", "rgb.jpg", "rgb444.jpg", "gray.jpg", "progressive.jpg"]:
        files[name] = rgb_of(f"{out}/{name}")
    # PIL clips 16-bit grey to 255 when converting to RGB; the C reader keeps the high byte, as
    # OpenCV's imread does, so the expected pixels are written out here
    g16 = np.array(Image.open(f"{out}/gray16.png")).astype(np.int64) >> 8
    files["gray16.png"] = torch.from_numpy(np.repeat(g16[..., None], 3, -1).astype(np.uint8)).contiguous()
    st_io.save(f"{out}/images.safetensors", files)


def resize(out):
    g = torch.Generator().manual_seed(3)
    x = torch.randint(0, 256, (2, 17, 23, 3), generator=g, dtype=torch.uint8)
    t = {"input": x}
    sizes = [(34, 46), (9, 11), (17, 40), (5, 7), (30, 13), (1, 1), (17, 23)]
    for oh, ow in sizes:
        y = F.interpolate(x.permute(0, 3, 1, 2).float(), size=(oh, ow), mode="bilinear", align_corners=False)
        t[f"out_{oh}x{ow}"] = y.permute(0, 2, 3, 1).contiguous()
    st_io.save(f"{out}/resize.safetensors", t)


def color(out):
    g = torch.Generator().manual_seed(5)
    x = torch.randint(0, 256, (2, 9, 11, 3), generator=g, dtype=torch.uint8)
    x[0, 0, 0] = torch.tensor([40, 40, 40], dtype=torch.uint8)  # a grey pixel (hue undefined)
    t = {"input": x}
    # (brightness, contrast, saturation, hue, order)
    cases = [(1.3, 1, 1, 0, [0]), (1, 0.6, 1, 0, [1]), (1, 1, 1.7, 0, [2]), (1, 1, 1, 0.23, [3]),
             (1, 1, 1, -0.4, [3]), (0.8, 1.4, 0.5, 0.1, [3, 1, 0, 2]), (1.2, 0.7, 1.3, -0.05, [2, 0, 3, 1])]
    fns = [TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation, TF.adjust_hue]
    for k, (b, c, s, h, order) in enumerate(cases):
        img = x.permute(0, 3, 1, 2).float() / 255.0  # torchvision works per image on [..., 3, H, W]
        for op in order:
            img = fns[op](img, [b, c, s, h][op])
        t[f"out{k}"] = (img * 255.0).permute(0, 2, 3, 1).contiguous()
        t[f"params{k}"] = torch.tensor([b, c, s, h], dtype=torch.float32)
        t[f"order{k}"] = torch.tensor(order, dtype=torch.int64)
    st_io.save(f"{out}/color.safetensors", t)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/media"
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    images(out)
    resize(out)
    color(out)


if __name__ == "__main__":
    main()
