"""Judging uploaded bytes: content sniffing, names, and the Content-Disposition header."""

from __future__ import annotations

import struct

import pytest

from shopdesk.parts import files

SHA = "ab" * 32


@pytest.mark.parametrize(
    ("head", "size", "expected"),
    [
        (b"%PDF-1.7\n", 9, files.PDF),
        (b"\x89PNG\r\n\x1a\n\x00", 9, files.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", 10, files.JPEG),
        (b"GIF89a\x01\x00", 8, files.GIF),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", 16, files.WEBP),
        (b"II*\x00\x08\x00", 6, files.TIFF),
        (b"MM\x00*\x00\x00", 6, files.TIFF),
        (b"AC1032\x00\x00\x00", 9, files.DWG),
        (b"  0\r\nSECTION\r\n  2\r\nHEADER\r\n", 26, files.DXF),
        (b"AutoCAD Binary DXF\r\n\x1a\x00", 22, files.DXF),
        (b"ISO-10303-21;\nHEADER;\n", 22, files.STEP),
        (b"solid housing\n  facet normal 0 0 1\n", 36, files.STL),
        (b"PK\x03\x04\x14\x00", 6, files.ZIP),
        (b"G90 G54\nM30\n", 12, files.TEXT),
        ("Maße 10±0,1\n".encode(), 14, files.TEXT),
        (b"\x00\x01\x02\x03\x04\xfe\xff" * 20, 140, files.BINARY),
    ],
)
def test_sniff_reads_the_type_from_the_bytes(head, size, expected):
    assert files.sniff(head, size) == expected


def test_a_binary_stl_is_recognised_by_its_triangle_count():
    header = b"\x00" * 80 + struct.pack("<I", 2)
    body = header + b"\x01\x02" * 50
    assert files.sniff(body, 84 + 50 * 2) == files.STL


def test_an_iges_file_is_recognised_by_its_start_section():
    line = ("IGES file from CAD".ljust(72) + "S      1").encode()
    assert files.sniff(line + b"\n", len(line) + 1) == files.IGES


@pytest.mark.parametrize(
    "head",
    [
        b"MZ\x90\x00",
        b"\x7fELF\x02",
        b"\xcf\xfa\xed\xfe\x07",
        b"\xca\xfe\xba\xbe\x00",
        b"#!/usr/bin/env python\n",
    ],
)
def test_programs_are_refused(head):
    with pytest.raises(files.UnsafeFile):
        files.sniff(head, len(head))


@pytest.mark.parametrize(
    ("name", "content_type", "ok"),
    [
        ("a.pdf", files.PDF, True),
        ("a.PDF", files.PDF, True),
        ("a.pdf", files.PNG, False),
        ("a.jpeg", files.JPEG, True),
        ("a.step", files.STEP, True),
        ("a.stp", files.TEXT, False),
        ("a.dxf", files.TEXT, True),
        ("a.nc", files.TEXT, True),
        ("a.nc", files.PDF, False),
        ("a.sldprt", files.OLE, True),
        ("a.unknownext", files.BINARY, True),
        ("noextension", files.BINARY, True),
        ("a.exe", files.TEXT, False),
        ("a.js", files.TEXT, False),
        ("a.html", files.TEXT, False),
    ],
)
def test_a_name_must_agree_with_the_content(name, content_type, ok):
    if ok:
        files.check_name_matches(name, content_type)
    else:
        with pytest.raises(files.UnsafeFile):
            files.check_name_matches(name, content_type)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("drawing.pdf", "drawing.pdf"),
        ("  spaced   out .pdf ", "spaced out .pdf"),
        ("C:\\Users\\me\\drawing.pdf", "drawing.pdf"),
        ("/etc/../passwd.pdf", "passwd.pdf"),
        ("a\x00b\x1f\x7fc.pdf", "abc.pdf"),
        ("\u200bzero\u200dwidth.pdf", "zerowidth.pdf"),
        ("trailing dots...", "trailing dots"),
        (".", "document-abababab.pdf"),
        ("", "document-abababab.pdf"),
        ("\x00\x00", "document-abababab.pdf"),
        ("é" * 300 + ".pdf", "é" * 251 + ".pdf"),
        ("n" * 300, "n" * 255),
    ],
)
def test_safe_names(raw, expected):
    assert files.safe_name(raw, sha256=SHA, content_type=files.PDF) == expected


def test_digest_hashes_in_chunks_and_stops_at_the_limit():
    digest = files.digest([b"ab", b"cd"], limit=4)
    assert (digest.size, digest.head) == (4, b"abcd")
    assert digest.sha256 == "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589"
    with pytest.raises(files.TooLarge):
        files.digest([b"ab", b"cd", b"e"], limit=4)


def test_content_disposition_has_an_ascii_fallback_and_rfc_5987_name():
    header = files.content_disposition('Ø24 "rev" B;.pdf', inline=False)
    assert header == (
        'attachment; filename="_24 _rev_ B_.pdf"; '
        "filename*=UTF-8''%C3%9824%20%22rev%22%20B%3B.pdf"
    )
    assert files.content_disposition("é.pdf", inline=True).startswith('inline; filename="e.pdf"')
    assert files.content_disposition("ø.pdf", inline=True).startswith('inline; filename="_.pdf"')
