"""Binary against text, stray control characters, legacy Arabic encodings."""

import random

import pytest

from classify.tagging import read
from classify.tagging.inputs import iter_articles
from classify.tagging.read import decode_text, legacy_decode, read_file

from .archive import binary_files, legacy_archive

ARTICLE = "الحكومة تطلق منصة للرد على الشائعات\nأعلن المركز الإعلامي إطلاق منصة جديدة."


def test_legacy_archive_is_read_whole_small_and_large(tmp_path):
    texts = legacy_archive(tmp_path)
    sizes = [(tmp_path / n).stat().st_size for n in texts]
    assert min(sizes) < 1024 and max(sizes) > 8192  # both sides of the old 8 KB check
    for name, text in texts.items():
        art = read_file(tmp_path / name)
        assert art.error == "", name
        assert art.text == text, name  # CRLF and no-break spaces kept, the NUL gone
        assert art.encoding == "cp1256"
        assert art.note == "dropped 1 control character (NUL)"


def test_legacy_archive_when_detection_finds_nothing(tmp_path, monkeypatch):
    # what charset-normalizer did on 0.6% of the archive: the strict
    # Windows-1256 decoding must then be found without it
    import charset_normalizer

    class Nothing:
        def best(self):
            return None

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda *a, **k: Nothing())
    texts = legacy_archive(tmp_path, n=8)
    for name, text in texts.items():
        art = read_file(tmp_path / name)
        assert (art.text, art.encoding, art.error) == (text, "cp1256", ""), name


@pytest.mark.parametrize("encoding", ["cp1256", "iso8859_6", "mac_arabic", "cp720"])
def test_each_legacy_encoding_is_found_strictly(encoding):
    text = "مراسلون بلا حدود: تراجع حرية الصحافة في المنطقة\nقالت المنظمة إن الصحفيين يواجهون الاعتقال"
    assert legacy_decode(text.encode(encoding)) == (text, encoding, 0)


def test_utf8_with_a_broken_byte_is_read_with_it_replaced():
    data = ARTICLE.encode().replace(b" ", b" \xff", 1)  # a lone byte no UTF-8 sequence starts with
    text, encoding, note = decode_text(data)
    assert (encoding, note) == ("utf-8", "1 undecodable byte replaced")
    assert text == ARTICLE.replace(" ", " \ufffd", 1)


def test_legacy_decoding_takes_replacements_only_when_no_strict_decoding_reads_as_arabic():
    text = "مراسلون بلا حدود: تراجع حرية الصحافة في المنطقة وقالت المنظمة إن الصحفيين يواجهون الاعتقال " * 3
    # ISO-8859-6 with a byte that code page leaves undefined: Mac Arabic,
    # whose letters are ISO's, reads it strictly, so no byte is replaced
    data = text.encode("iso8859_6").replace(b" ", b" \xa1", 1)
    got, encoding, replaced = legacy_decode(data)
    assert (encoding, replaced) == ("mac_arabic", 0)
    assert got == text.replace(" ", " " + b"\xa1".decode("mac_arabic"), 1)
    # a wrong code page gives Arabic letters too, but mixed with Latin ones
    # or with symbols: ISO-8859-6 bytes read as Windows-1256 are refused
    assert not read.plausible_arabic(text.encode("iso8859_6").decode("cp1256"))
    assert read.plausible_arabic(text)


def test_latin_text_gets_no_arabic_legacy_decoding():
    rng = random.Random(7)
    french = bytes(rng.choice(b"abcdefghij \xe9\xe8\xe0") for _ in range(2000))
    assert legacy_decode(french) is None  # mostly Latin letters: no Arabic decoding is taken


@pytest.mark.parametrize("name", sorted(binary_files()))
def test_binary_signatures_are_refused_with_what_they_are(tmp_path, name):
    data, what = binary_files()[name]
    (tmp_path / name).write_bytes(data)
    art = read_file(tmp_path / name)
    assert art.text == "" and art.error.startswith("binary file (")
    assert what in art.error, art.error


@pytest.mark.parametrize(
    "data, note",
    [
        (ARTICLE.encode() + b"\x00", "dropped 1 control character (NUL)"),
        (ARTICLE.encode() + b"\x1a", "dropped 1 control character (U+001A)"),
        (ARTICLE.encode() + b"\x00" * 700, "dropped 700 control characters (NUL 700)"),  # NUL padding
        (b"\x00" + ARTICLE.encode().replace(b" ", b" \x07", 2), "dropped 3 control characters (NUL 1, U+0007 2)"),
        (b"\xff\xfe" + (ARTICLE + "\x00").encode("utf-16-le"), "dropped 1 control character (NUL)"),
    ],
)
def test_stray_control_characters_are_dropped_and_noted(tmp_path, data, note):
    (tmp_path / "a.txt").write_bytes(data)
    art = read_file(tmp_path / "a.txt")
    assert art.error == "" and art.note == note
    assert art.text == ARTICLE


def test_text_starting_like_a_short_signature_is_still_text(tmp_path):
    # "BM" is a bitmap's and "MZ" an executable's first two bytes
    for start in ("BM", "MZ", "ID3"):
        path = tmp_path / f"{start}.txt"
        path.write_bytes(f"{start} {ARTICLE}".encode("cp1256"))
        art = read_file(path)
        assert art.error == "" and art.text.startswith(start), art.error


def test_arabic_utf16_without_bom_is_text_not_binary(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes(ARTICLE.encode("utf-16-le"))
    art = read_file(path)
    assert (art.error, art.encoding, art.text) == ("", "utf-16-le", ARTICLE)


def test_notes_reach_the_rows_of_every_format(tiny_model_dir, tmp_path):
    import csv
    import json

    import pyarrow.parquet as pq

    from classify.model.store import load_model
    from classify.tagging.run import run

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(ARTICLE.encode("cp1256") + b"\x00")
    (tmp_path / "in" / "b.txt").write_bytes(ARTICLE.encode())
    model = load_model(tiny_model_dir)
    notes = {}
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"tags.{fmt}"
        run(model, tiny_model_dir, [str(tmp_path / "in")], output=out, fmt=fmt)
        if fmt == "csv":
            rows = list(csv.DictReader(out.open(encoding="utf-8")))
        elif fmt == "jsonl":
            rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        else:
            rows = pq.read_table(out).to_pylist()
        notes[fmt] = [r["note"] for r in rows]
    assert notes["csv"] == notes["jsonl"] == notes["parquet"] == ["dropped 1 control character (NUL)", ""]


def test_html_on_stdin_is_read_as_html(tmp_path):
    import io

    page = (
        "<!DOCTYPE html><html><head><title>خبر</title><script>var x='اعلان';</script></head>"
        f"<body><nav>الرئيسية</nav><article><p>{ARTICLE}</p><p>قال &quot;المتحدث&quot; &amp; أضاف</p>"
        "</article></body></html>"
    )
    (art,) = iter_articles(["-"], stdin=io.BytesIO(page.encode()))
    assert art.error == "" and "المركز الإعلامي" in art.text
    assert "quot" not in art.text and "amp" not in art.text and "اعلان" not in art.text
    assert "read as HTML" in art.note
    (plain,) = iter_articles(["-"], stdin=io.BytesIO(f"{ARTICLE} <p> ليس صفحة".encode()))
    assert "<p>" in plain.text and plain.note == ""
