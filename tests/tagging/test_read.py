import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.tagging.inputs import iter_articles
from classify.tagging.read import decode, html_to_text, read_file

ARTICLE = "الحكومة تطلق منصة للرد على الشائعات\nأعلن المركز الإعلامي إطلاق منصة جديدة."


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "encoding, data, expected",
    [
        ("utf-8", ARTICLE.encode("utf-8"), "utf-8"),
        ("utf-8-sig", b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"), "utf-8-sig"),
        ("utf-16-le", b"\xff\xfe" + ARTICLE.encode("utf-16-le"), "utf-16-le"),
        ("utf-16-be", b"\xfe\xff" + ARTICLE.encode("utf-16-be"), "utf-16-be"),
        ("cp1256", ARTICLE.encode("cp1256"), "cp1256"),
    ],
)
def test_each_encoding_decodes_to_the_same_text(tmp_path, encoding, data, expected):
    art = read_file(write(tmp_path / f"{encoding}.txt", data))
    assert art.error == ""
    assert art.text == ARTICLE
    assert art.encoding == expected


def test_iso_8859_6_decodes_to_the_same_letters(tmp_path):
    # ISO-8859-6 has no hamza-on-alef forms distinct from cp1256 issues; use
    # letters it encodes.
    text = "الحكومة تطلق منصة للرد على الشائعات وتدعو الصحفيين الى التحقق من المعلومات"
    art = read_file(write(tmp_path / "iso.txt", text.encode("iso8859_6")))
    assert art.error == ""
    assert art.text == text


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", b"\x00\x01\x02PNG\x00" * 50, "binary file"),
        ("english.txt", b"This article has no Arabic in it at all.", "no Arabic text"),
        ("spaces.txt", b"   \n\t  ", "no text"),
    ],
)
def test_bad_files_get_a_reason(tmp_path, name, data, reason):
    art = read_file(write(tmp_path / name, data))
    assert art.text == ""
    assert reason in art.error


def test_size_limit(tmp_path):
    art = read_file(write(tmp_path / "big.txt", ARTICLE.encode() * 10), max_bytes=100)
    assert "--max-bytes" in art.error


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_permissions(tmp_path):
    path = write(tmp_path / "secret.txt", ARTICLE.encode())
    path.chmod(0)
    assert "ermission" in read_file(path).error


def test_broken_symlink_and_missing_path(tmp_path):
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "nowhere.txt")
    arts = list(iter_articles([str(link), str(tmp_path / "missing.txt")]))
    assert [a.error for a in arts] == ["broken symbolic link", "no such file or directory"]


def test_folder_recursion_pattern_and_order(tmp_path):
    (tmp_path / "b").mkdir()
    write(tmp_path / "b" / "2.txt", ARTICLE.encode())
    write(tmp_path / "1.txt", ARTICLE.encode())
    write(tmp_path / "notes.md", b"ignored")
    paths = [a.path for a in iter_articles([str(tmp_path)])]
    assert paths == [str(tmp_path / "1.txt"), str(tmp_path / "b" / "2.txt")]


def test_collections_yield_one_article_per_record(tmp_path):
    write(
        tmp_path / "a.jsonl",
        ('{"id": "x1", "text": "%s"}\n{"id": "x2", "text": ""}\nnot json\n' % ARTICLE.replace("\n", " ")).encode(),
    )
    write(tmp_path / "b.csv", f"id,body\nc1,{ARTICLE.splitlines()[0]}\nc2,\n".encode())
    arts = list(iter_articles([str(tmp_path / "a.jsonl")], id_column="id"))
    assert [a.path.split("#")[1] for a in arts] == ["x1", "x2", "3"]
    assert arts[0].error == "" and arts[1].error == "no text" and "not JSON" in arts[2].error
    arts = list(iter_articles([str(tmp_path / "b.csv")], text_column="body", id_column="id"))
    assert [a.error for a in arts] == ["", "no text"]
    arts = list(iter_articles([str(tmp_path / "b.csv")]))
    assert all("no 'text' field" in a.error for a in arts)


def test_html_main_text_without_scripts_or_navigation():
    html = (
        "<html><head><script>var x = 'اعلان';</script></head><body><nav>الرئيسية | رياضة</nav>"
        f"<article><h1>عنوان الخبر</h1><p>{ARTICLE}</p></article><footer>حقوق النشر</footer></body></html>"
    )
    text = html_to_text(html)
    assert "عنوان الخبر" in text and "المركز الإعلامي" in text
    assert "اعلان" not in text and "الرئيسية" not in text and "حقوق النشر" not in text


def test_html_blocks_named_related_share_tags_or_comments_go_even_inside_the_article():
    html = (
        '<html><body class="single has-sidebar"><article>'
        f'<h1>عنوان الخبر</h1><div class="entry-content with-sidebar"><p>{ARTICLE}</p>'
        '<div class="td-related-posts"><h3>أخبار ذات صلة</h3><ul><li>اعتقال صحفي في العاصمة</li>'
        '<li><span class="share-count">12</span></li></ul></div><p>فقرة ثانية من الخبر نفسه.</p></div>'
        '<div id="comments">تعليق قارئ على الخبر</div><div class="post-tags">وسوم الخبر</div>'
        '<div class="social_share">شارك</div></article></body></html>'
    )
    text = html_to_text(html)
    # named "...-sidebar" too, but it holds most of the article's text: kept
    assert text.startswith("عنوان الخبر") and "المركز الإعلامي" in text and "فقرة ثانية من الخبر نفسه." in text
    for gone in ("اعتقال صحفي", "أخبار ذات صلة", "تعليق قارئ", "وسوم الخبر", "شارك", "12"):
        assert gone not in text, gone
    # a list of links longer than the short article above it is still a list
    links = "".join(f'<li><a href="#">خبر آخر رقم {i} عن اعتقال صحفي في العاصمة</a></li>' for i in range(8))
    short = f'<html><body><article><h1>عنوان</h1><p>{ARTICLE}</p><div class="related"><ul>{links}</ul></div></article></body></html>'
    assert "خبر آخر" not in html_to_text(short) and "المركز الإعلامي" in html_to_text(short)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_reader_never_raises_on_arbitrary_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "x.txt"
    path.write_bytes(data)
    art = read_file(path)
    assert bool(art.text) != bool(art.error)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=500))
def test_decode_either_decodes_or_says_why(data):
    from classify.tagging.read import ReadError

    try:
        text, enc = decode(data)
    except ReadError as exc:
        assert str(exc)
    else:
        assert isinstance(text, str) and enc


def test_parquet_shards_are_collections(tmp_path):
    import pandas as pd

    pd.DataFrame({"id": ["p1", "p2"], "text": [ARTICLE, None]}).to_parquet(tmp_path / "shard.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    arts = list(iter_articles([str(tmp_path / "shard.parquet"), str(tmp_path / "broken.parquet")]))
    assert [a.path.rsplit("/", 1)[1] for a in arts] == ["shard.parquet#p1", "shard.parquet#p2", "broken.parquet"]
    assert arts[0].text == ARTICLE and arts[1].error == "no text" and "unreadable Parquet" in arts[2].error
