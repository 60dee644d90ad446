"""Rasterise the app icons from static/icons/*.svg with Playwright and Debian's Chromium.

Writes static/icons/icon-192.png, icon-512.png, icon-maskable-512.png, apple-touch-icon.png,
favicon-32.png and static/favicon.ico (16, 32 and 48 px PNGs inside an ICO container).
Run from anywhere: `.venv/bin/python scripts/make_icons.py`.
"""

from __future__ import annotations

import base64
import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "static" / "icons"
CHROMIUM = "/usr/bin/chromium"

# (source svg, output png, size in px). The apple-touch icon uses the full-bleed maskable
# drawing: iOS rounds the corners itself and shows transparent corners as black.
TARGETS = [
    ("icon.svg", ICONS / "icon-192.png", 192),
    ("icon.svg", ICONS / "icon-512.png", 512),
    ("icon-maskable.svg", ICONS / "icon-maskable-512.png", 512),
    ("icon-maskable.svg", ICONS / "apple-touch-icon.png", 180),
    ("icon.svg", ICONS / "favicon-32.png", 32),
]
ICO_SIZES = (16, 32, 48)


def page_html(svg: str, size: int) -> str:
    data = base64.b64encode(svg.encode()).decode()
    return (
        "<!doctype html><html><head><style>html,body{margin:0;background:transparent}"
        f"img{{display:block;width:{size}px;height:{size}px}}</style></head>"
        f'<body><img src="data:image/svg+xml;base64,{data}" alt=""></body></html>'
    )


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def ico(pngs: list[bytes]) -> bytes:
    """An ICO file whose images are PNGs (understood by every current browser)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    entries, offset = b"", 6 + 16 * len(pngs)
    for data in pngs:
        w, h = png_size(data)
        entries += struct.pack("<BBBBHHII", w % 256, h % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(pngs)


def render(page, svg: str, size: int) -> bytes:
    page.set_viewport_size({"width": size, "height": size})
    page.set_content(page_html(svg, size))
    page.wait_for_function("document.images[0].complete")
    data = page.screenshot(
        omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size}
    )
    if png_size(data) != (size, size):
        raise RuntimeError(f"expected {size}x{size}, got {png_size(data)}")
    return data


def main() -> None:
    sources = {name: (ICONS / name).read_text() for name in ("icon.svg", "icon-maskable.svg")}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        page = browser.new_page(device_scale_factor=1)
        for name, out, size in TARGETS:
            out.write_bytes(render(page, sources[name], size))
            print(f"{out.relative_to(ROOT)}  {size}x{size}  {out.stat().st_size} bytes")
        favicon = ROOT / "static" / "favicon.ico"
        favicon.write_bytes(ico([render(page, sources["icon.svg"], s) for s in ICO_SIZES]))
        print(
            f"{favicon.relative_to(ROOT)}  {'/'.join(map(str, ICO_SIZES))} px  "
            f"{favicon.stat().st_size} bytes"
        )
        browser.close()


if __name__ == "__main__":
    main()
