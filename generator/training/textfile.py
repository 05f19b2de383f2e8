"""Reading the text files trainers are given: UTF-8 with or without BOM, then cp932 (Shift_JIS as
Excel saves it), tried in this fixed order; anything else is refused, never guessed."""

from __future__ import annotations

from ..errors import HandbookError, Problem

ENCODINGS = (("utf-8", "UTF-8"), ("cp932", "Shift_JIS（cp932）"))
"""Tried in this order; the first that decodes the whole file is used."""
MAX_BYTES = 50_000_000
"""Largest file read (50 MB)."""


def decode(raw: bytes, shown: str) -> tuple[str, str]:
    """The text of ``raw`` and the encoding's name as shown to the user. Byte-order marks at the
    start of any line are dropped (files joined with ``copy /b`` or ``cat`` carry one per file)."""
    if len(raw) > MAX_BYTES:
        raise HandbookError(Problem(shown, 0, f"ファイルが大きすぎます（{len(raw):,} バイト。{MAX_BYTES:,} バイトまで）。"))
    bom = raw.startswith(b"\xef\xbb\xbf")
    for codec, name in ENCODINGS:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec == "utf-8" and bom:
            name = "UTF-8（BOM 付き）"
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        return "\n".join(line.lstrip("\ufeff") for line in lines), name
    raise HandbookError(Problem(shown, 0, "文字コードが UTF-8 でも Shift_JIS（cp932）でもありません。"
                        "Excel で「CSV UTF-8」として保存し直してください。"))
