"""Fixtures the tests write themselves: a legacy archive like the 2012
national-paper export of issue 12, and files with real binary signatures."""

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

# Words and the rarer characters that Windows-1256 encodes (Persian letters,
# ZWNJ, guillemets, an ellipsis): what made charset-normalizer give up.
WORDS = (
    "الحكومة تطلق منصة للرد على الشائعات وأعلن المركز الإعلامي إطلاق منصة جديدة للصحفيين "
    "وزارة الإعلام تؤكد حرية الصحافة في البلاد بعد اعتقال مراسل قناة فضائية"
).split()
RARE = ["پ", "چ", "گ", "ژ", "\u200c", "«", "»", "…", "،", "؛", "؟", "ـ"]


def legacy_text(rng: random.Random, lines: int) -> str:
    """An article as the old export tool wrote it: CRLF line ends, runs of
    no-break spaces for indentation and alignment, a few rare characters."""
    out = []
    for _ in range(lines):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
        for _ in range(rng.randint(0, 2)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(RARE))
        indent = "\u00a0" * rng.choice([0, 0, 4, 12, 30])
        out.append(indent + " ".join(words) + "\u00a0" * rng.choice([0, 8]))
    return "\r\n".join(out)


def legacy_archive(root: Path, n: int = 24, seed: int = 2012) -> dict[str, str]:
    """Write ``n`` Windows-1256 files, each ending with one NUL byte, half of
    them small (a few lines) and half over 8 KB; returns name -> text."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    texts = {}
    for i in range(n):
        text = legacy_text(rng, rng.randint(2, 6) if i % 2 else rng.randint(140, 200))
        name = f"{i:04d}.txt"
        (root / name).write_bytes(text.encode("cp1256") + b"\x00")
        texts[name] = text
    return texts


def _png() -> bytes:
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\x00\x00"  # one red pixel, filter byte first
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _zip(entries: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in entries.items():
            z.writestr(name, text)
    return buf.getvalue()


def _pdf() -> bytes:
    # a minimal but complete PDF with an uncompressed stream: ASCII only, so
    # only its signature says it is not text
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def binary_files() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, what the reason must name)."""
    arabic = "الحكومة تطلق منصة"
    return {
        "report.pdf.txt": (_pdf(), "PDF"),
        "photo.txt": (_png(), "PNG"),
        "letter.docx.txt": (
            _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": f"<w:document>{arabic}</w:document>"}),
            "DOCX",
        ),
        "bundle.txt": (_zip({"a.txt": arabic}), "ZIP"),
        "old.doc.txt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + arabic.encode("cp1256"), "OLE2"),
        "tool.exe.txt": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(54) + b"PE\x00\x00" + arabic.encode(), "EXE"),
        "tool.txt": (b"\x7fELF\x02\x01\x01\x00" + bytes(56) + arabic.encode(), "ELF"),
        "noise.txt": (random.Random(3).randbytes(4000), "control bytes"),
    }
