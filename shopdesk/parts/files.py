"""Uploaded files, judged by their bytes: safe display names, content sniffing, streaming hash.

Nothing here knows about shops or documents. The uploaded name is never trusted: it only
becomes a display name (never a path), and the content type is read from the first bytes,
never taken from the browser's claim.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.http import FileResponse

from shopdesk.core.errors import FileMissing

if TYPE_CHECKING:
    from shopdesk.parts.models import Document

logger = logging.getLogger(__name__)

NAME_MAX_LENGTH = 255
EXTENSION_MAX_LENGTH = 16
HEAD_SIZE = 8192
CHUNK_SIZE = 1024 * 1024

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
TIFF = "image/tiff"
DXF = "image/vnd.dxf"
DWG = "image/vnd.dwg"
STEP = "model/step"
IGES = "model/iges"
STL = "model/stl"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
TEXT = "text/plain; charset=utf-8"
BINARY = "application/octet-stream"

# Shown in the browser (PDF viewer, image); everything else is a download.
INLINE_TYPES = frozenset({PDF, PNG, JPEG, GIF, WEBP})

# The extension a generated name gets for each sniffed type.
# (Its keys are every type `sniff` answers; the API documents downloads with them.)
EXTENSION_FOR_TYPE = {
    PDF: "pdf",
    PNG: "png",
    JPEG: "jpg",
    GIF: "gif",
    WEBP: "webp",
    TIFF: "tif",
    DXF: "dxf",
    DWG: "dwg",
    STEP: "step",
    IGES: "igs",
    STL: "stl",
    ZIP: "zip",
    OLE: "bin",
    TEXT: "txt",
    BINARY: "bin",
}

# A name ending in one of these must carry content of one of the listed types.
EXPECTED_TYPES: dict[str, frozenset[str]] = {
    "pdf": frozenset({PDF}),
    "png": frozenset({PNG}),
    "jpg": frozenset({JPEG}),
    "jpeg": frozenset({JPEG}),
    "gif": frozenset({GIF}),
    "webp": frozenset({WEBP}),
    "tif": frozenset({TIFF}),
    "tiff": frozenset({TIFF}),
    "dxf": frozenset({DXF, TEXT}),
    "dwg": frozenset({DWG}),
    "step": frozenset({STEP}),
    "stp": frozenset({STEP}),
    "igs": frozenset({IGES, TEXT}),
    "iges": frozenset({IGES, TEXT}),
    "stl": frozenset({STL}),
    "zip": frozenset({ZIP}),
    "3mf": frozenset({ZIP}),
    "docx": frozenset({ZIP}),
    "xlsx": frozenset({ZIP}),
    "odt": frozenset({ZIP}),
    "ods": frozenset({ZIP}),
    "doc": frozenset({OLE}),
    "xls": frozenset({OLE}),
    # NC programs and plain text.
    **{ext: frozenset({TEXT}) for ext in ("txt", "csv", "nc", "tap", "gcode", "ngc", "mpf", "eia")},
}

# Names a machine would run; refused whatever the content says.
EXECUTABLE_EXTENSIONS = frozenset(
    {
        "exe", "dll", "com", "scr", "msi", "msp", "bat", "cmd", "ps1", "psm1", "vbs", "vbe",
        "js", "jse", "wsf", "wsh", "hta", "cpl", "jar", "app", "sh", "bash", "zsh", "csh",
        "command", "run", "elf", "so", "dylib", "apk", "deb", "rpm", "lnk", "reg",
        "html", "htm", "xhtml", "svg", "mht", "mhtml",
    }
)  # fmt: skip

# The document kind an extension suggests (the upload form pre-selects it; the person may change).
KIND_FOR_EXTENSION = {
    **dict.fromkeys(("pdf", "dxf", "dwg", "tif", "tiff"), "drawing"),
    **dict.fromkeys(("step", "stp", "igs", "iges", "stl", "3mf", "x_t", "sldprt"), "model"),
    **dict.fromkeys(("nc", "tap", "gcode", "ngc", "mpf", "eia", "h", "min", "ptp"), "program"),
    **dict.fromkeys(("doc", "docx", "odt", "txt"), "specification"),
}

_EXECUTABLE_MAGIC = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xfe\xed\xfa\xce", "a macOS program"),
    (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"#!", "a script"),
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UnsafeFile(ValueError):
    """The content is refused (an executable, or not what its name says)."""


def extension_of(name: str) -> str:
    """The lower-case extension of a (sanitized) name, without the dot; "" when none."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem.strip(".") or len(ext) > EXTENSION_MAX_LENGTH:
        return ""
    return ext.lower()


def kind_for_name(name: str) -> str:
    return KIND_FOR_EXTENSION.get(extension_of(name), "other")


def safe_name(raw: str, *, sha256: str, content_type: str) -> str:
    """A display name made from the uploaded one.

    Directories (`/`, `\\`, `../`) are dropped, as are NUL, control and invisible format
    characters; at most 255 characters, keeping the extension. An empty name or one of only
    dots becomes `document-<first 8 of the hash>.<extension of the content>`.
    """
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch
        for ch in _CONTROL.sub("", name)
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
    )
    name = " ".join(name.split()).strip(" .")
    if not name.strip("."):
        ext = EXTENSION_FOR_TYPE.get(content_type, "bin")
        return f"document-{sha256[:8]}.{ext}"
    if len(name) > NAME_MAX_LENGTH:
        ext = extension_of(name)
        if ext:
            stem = name[: -(len(ext) + 1)]
            name = f"{stem[: NAME_MAX_LENGTH - len(ext) - 1].rstrip(' .')}.{ext}"
        else:
            name = name[:NAME_MAX_LENGTH].rstrip(" .")
    return name


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head may end in the middle of a character; anything earlier is not UTF-8.
        if exc.start < len(head) - 3:
            try:
                text = head.decode("latin-1")
            except UnicodeDecodeError:  # pragma: no cover (latin-1 decodes every byte)
                return False
            printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
            return printable / len(text) > 0.95
    return True


def _is_binary_stl(head: bytes, size: int) -> bool:
    if len(head) < 84:
        return False
    triangles = int.from_bytes(head[80:84], "little")
    return size == 84 + 50 * triangles


def sniff(head: bytes, size: int) -> str:
    """The content type the bytes say they are. Raises UnsafeFile for executables."""
    for magic, what in _EXECUTABLE_MAGIC:
        if head.startswith(magic):
            raise UnsafeFile(f"The file is {what}; programs cannot be stored.")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"AC10") or head.startswith(b"AC1.") or head.startswith(b"AC2."):
        return DWG
    if head.startswith(b"AutoCAD Binary DXF"):
        return DXF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if _is_binary_stl(head, size) and not _looks_like_text(head[:80] + head[84:]):
        return STL
    if _looks_like_text(head):
        upper = stripped[:200].upper()
        if upper.startswith(b"ISO-10303-21"):
            return STEP
        if upper.startswith(b"SOLID") and b"FACET" in head.upper():
            return STL
        if re.match(rb"0\s*\r?\n\s*SECTION", stripped[:40]):
            return DXF
        lines = stripped.split(b"\n", 1)
        if len(lines[0].rstrip(b"\r")) == 80 and lines[0].rstrip(b"\r")[72:73] == b"S":
            return IGES
        return TEXT
    if _is_binary_stl(head, size):
        return STL
    return BINARY


def check_name_matches(name: str, content_type: str) -> None:
    """Refuse a name whose extension the content contradicts, or that names a program."""
    ext = extension_of(name)
    if ext in EXECUTABLE_EXTENSIONS:
        raise UnsafeFile(f"Files ending in .{ext} cannot be stored.")
    expected = EXPECTED_TYPES.get(ext)
    if expected is not None and content_type not in expected:
        found = EXTENSION_FOR_TYPE.get(content_type, "bin")
        what = "plain text" if content_type == TEXT else f"a {found.upper()} file"
        raise UnsafeFile(f"The file is named .{ext} but its content is {what}.")


@dataclass(frozen=True)
class Digest:
    sha256: str
    size: int
    head: bytes


class TooLarge(ValueError):
    pass


def digest(chunks: Iterable[bytes], *, limit: int) -> Digest:
    """SHA-256, size and first bytes of the content, read chunk by chunk (never whole).
    Raises TooLarge as soon as more than `limit` bytes have been read."""
    sha = hashlib.sha256()
    size = 0
    head = b""
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise TooLarge(size)
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
        sha.update(chunk)
    return Digest(sha256=sha.hexdigest(), size=size, head=head)


def content_disposition(name: str, *, inline: bool) -> str:
    """`inline` or `attachment`, with an ASCII fallback name and the RFC 5987 `filename*`."""
    # Accents drop off (é → e); other non-ASCII characters become "_".
    fallback = "".join(
        ch if ch.isascii() else "_"
        for ch in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(ch)
    )
    fallback = re.sub(r'["\\;\x00-\x1f\x7f]', "_", fallback).strip() or "document"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def open_stored(file: FieldFile, *, what: str, remedy: str = "upload the file again") -> File:
    """The stored file opened for reading, or FileMissing (logged) when it is not on disk.

    `what` names the file for a person ("NP-220.pdf v2"); `remedy` says what else restores it."""
    try:
        return file.open("rb")
    except (OSError, ValueError) as exc:  # ValueError: the record names no file at all
        logger.warning("Stored file missing: %s, stored as %r: %s", what, file.name, exc)
        raise FileMissing(
            f"The file of {what} is missing on the server, so it cannot be opened. The "
            "database was probably restored without its files folder: restore the files "
            f"from the same backup, or {remedy}."
        ) from exc


def file_response(document: Document) -> FileResponse:
    """The stored file of a document, streamed, with headers that keep a hostile file harmless:
    the sniffed type, nosniff, a sandboxing CSP, private caching, and `inline` only for PDFs
    and images (which the browser previews). FileMissing when the file is not on disk."""
    stored = document.stored
    inline = stored.content_type in INLINE_TYPES
    opened = open_stored(stored.blob, what=f"{document.name} v{document.version}")
    response = FileResponse(opened, content_type=stored.content_type)
    response["Content-Length"] = str(stored.size)
    response["Content-Disposition"] = content_disposition(document.name, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    if stored.content_type == PDF:
        # Chromium refuses to run its PDF viewer in a sandboxed document, so a PDF gets the
        # strictest policy that still previews: no scripts of the page, no plugins but itself.
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "object-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
        )
    else:
        response["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
            "frame-ancestors 'self'"
        )
    response["Cache-Control"] = "private, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
