"""Scale the browser tests' screenshots (test-artifacts/dashboard/, written by
`python -m pytest tests/dashboard/test_dashboard_audit.py`) down to the small PNGs docs/dashboard.md
shows (docs/img/dashboard-*.png): the top of each page, half size (phone shots as they are), a
64-colour palette.

Needs Pillow (a documentation tool, not a benchroute dependency): pip install pillow.
Usage: python scripts/dashboard_doc_images.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "test-artifacts" / "dashboard"
DEST = ROOT / "docs" / "img"
# artifact -> (docs name, height of the original to keep); phone shots keep their size
PAGES = {
    "usage-desktop": ("usage", 1500),
    "usage-phone": ("usage-phone", 1400),
    "requests-errors-desktop": ("requests", 1000),
    "session-desktop": ("session", 900),
    "decisions-desktop": ("decisions", 900),
    "decision-desktop": ("decision", 1300),
    "leaderboard-desktop": ("leaderboard", 1000),
    "settings-desktop": ("settings", 1700),
    "projects-desktop": ("projects", 500),
}


def main() -> None:
    DEST.mkdir(parents=True, exist_ok=True)
    for artifact, (name, height) in PAGES.items():
        with Image.open(SRC / f"{artifact}.png") as img:
            top = img.convert("RGB").crop((0, 0, img.width, min(height, img.height)))
            half = top.width > 800
            size = (top.width // 2, top.height // 2) if half else top.size
            small = top.resize(size, Image.Resampling.LANCZOS)
            out = DEST / f"dashboard-{name}.png"
            small.quantize(colors=64).save(out, optimize=True)
            print(f"{out.relative_to(ROOT)}  {out.stat().st_size // 1024} KiB  {small.width}x{small.height}")


if __name__ == "__main__":
    main()
