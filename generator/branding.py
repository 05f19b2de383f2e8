"""The municipality's name, logo and colours (``extra.brand`` in mkdocs.yml), checked before use.

The templates in ``site-overrides/`` read the checked values; a colour goes into a stylesheet, so
only ``#rrggbb`` is accepted.
"""

from __future__ import annotations

import re
from pathlib import Path

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
KEYS = ("name", "logo", "primary", "accent")


def check_brand(brand: object, docs_dir: Path, default_name: str) -> tuple[dict[str, str], list[str]]:
    """The brand settings with defaults filled in, and the problems found (Japanese messages)."""
    problems: list[str] = []
    if brand is None:
        brand = {}
    if not isinstance(brand, dict):
        return {k: "" for k in KEYS} | {"name": default_name}, ["mkdocs.yml の extra.brand は name・logo・primary・accent の項目で書いてください。"]
    unknown = sorted(set(brand) - set(KEYS))
    if unknown:
        problems.append(f"mkdocs.yml の extra.brand に知らない項目「{'、'.join(map(str, unknown))}」があります（使えるのは {'・'.join(KEYS)}）。")
    values = {k: str(brand.get(k) or "") for k in KEYS}
    for key in ("primary", "accent"):
        if values[key] and not COLOUR.fullmatch(values[key]):
            problems.append(f"mkdocs.yml の extra.brand.{key}「{values[key]}」は #1a5e9a のような6桁の色で書いてください。")
            values[key] = ""
    if values["logo"] and not (docs_dir / values["logo"]).is_file():
        problems.append(f"mkdocs.yml の extra.brand.logo「{values['logo']}」が docs/ にありません。")
    values["name"] = values["name"] or default_name
    return values, problems
