"""Time watermark_image on a 12-megapixel JPEG against a bare Pillow open, paste and save."""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable

from PIL import Image

from services.watermark_image import Position, WatermarkSpec, watermark_image

SIZE = (4000, 3000)
RUNS = 7


def make_photo() -> bytes:
    """Return a noisy 4000x3000 JPEG: smooth gradients plus grain, so it encodes like a photo."""
    ramps = (
        Image.linear_gradient("L").resize(SIZE),
        Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize(SIZE),
        Image.radial_gradient("L").resize(SIZE),
    )
    grain = Image.merge("RGB", [Image.effect_noise(SIZE, 48) for _ in range(3)])
    photo = Image.blend(Image.merge("RGB", ramps), grain, 0.3)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    return out.getvalue()


def baseline(data: bytes, stamp: Image.Image) -> bytes:
    """Do the least any watermarker must: decode, paste a small RGBA image, encode at q95."""
    image = Image.open(io.BytesIO(data))
    image.load()
    image.paste(stamp, (image.width - stamp.width - 90, image.height - stamp.height - 90), stamp)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def median_ms(run: Callable[[], object]) -> float:
    """Return the median wall time of RUNS calls in milliseconds, after one warm-up call."""
    run()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    """Run the benchmark and print one line per case."""
    data = make_photo()
    stamp = Image.new("RGBA", (600, 150), (255, 255, 255, 150))
    text = WatermarkSpec(text="© AnalyticBot · Канал")
    tiled = WatermarkSpec(text="@analyticbot", position=Position.TILED)
    print(f"input: {SIZE[0]}x{SIZE[1]} JPEG, {len(data) / 1e6:.1f} MB; median of {RUNS} runs")

    base_ms = median_ms(lambda: baseline(data, stamp))
    print(f"{'baseline (open + paste + save q95)':36} {base_ms:8.1f} ms   1.00x")
    for name, spec in (
        ("watermark_image, text bottom-right", text),
        ("watermark_image, tiled", tiled),
    ):
        ms = median_ms(lambda spec=spec: watermark_image(data, spec))
        print(f"{name:36} {ms:8.1f} ms   {ms / base_ms:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
