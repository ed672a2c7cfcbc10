"""What a file really is, from its first bytes (magic numbers), never from its name or declared type."""

from __future__ import annotations

from enum import StrEnum

SNIFF_BYTES = 32  # enough for every signature below


class FileType(StrEnum):
    """The accepted types, by MIME type."""

    PNG = "image/png"
    JPEG = "image/jpeg"
    WEBP = "image/webp"
    MP3 = "audio/mpeg"
    MP4 = "video/mp4"
    ZIP = "application/zip"

    @property
    def kind(self) -> str:
        return {"image": "image", "audio": "audio", "video": "video"}.get(self.value.split("/")[0], "archive")


def sniff(head: bytes) -> FileType | None:
    """The type the bytes show, or None for anything not accepted (executables, text, empty...)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileType.WEBP
    if head.startswith(b"ID3"):
        return FileType.MP3
    # An MPEG audio frame header: 11 sync bits (0xFFE.. / 0xFFF..), and a layer that is not "reserved".
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and (head[1] >> 1) & 0b11 != 0:
        return FileType.MP3
    if head.startswith(b"PK\x03\x04"):  # before MP4: signatures at offset 0 win over "ftyp" at offset 4
        return FileType.ZIP
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return FileType.MP4
    return None
