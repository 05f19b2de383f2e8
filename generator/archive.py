"""Zip files with the same bytes for the same input: entries in the given order, fixed dates,
deflated, files readable by all (0644) and folders listable (0755). Used for the municipality
zips, the decks, the workbooks and the SCORM packages."""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Iterable

EPOCH = (1980, 1, 1, 0, 0, 0)
"""The earliest date a zip can hold: the date of entries that have none of their own."""


def zip_bytes(entries: Iterable[tuple[str, bytes | None]], date_time: tuple[int, ...] = EPOCH) -> bytes:
    """A zip of ``(name, data)`` entries; ``None`` data makes ``name`` a folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            if data is None:
                info = zipfile.ZipInfo(name.rstrip("/") + "/", date_time=date_time)
                info.external_attr = (stat.S_IFDIR | 0o755) << 16
                archive.writestr(info, b"")
                continue
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, data)
    return buffer.getvalue()
