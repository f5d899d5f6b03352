"""Folders: which files are read by default, symlinked folders, and what is
left out is counted, never dropped silently."""

import json

import pandas as pd
import pytest

from classify.model.store import load_model
from classify.tagging.inputs import iter_articles
from classify.tagging.read import DEFAULT_PATTERN, Listing
from classify.tagging.run import run

ARTICLE = "الحكومة تطلق منصة للرد على الشائعات وأعلن المركز الإعلامي إطلاق منصة جديدة."
PAGE = f"<html><body><article><p>{ARTICLE}</p></article></body></html>"

# Every input suffix the README documents, with a file of that kind.
DOCUMENTED = {
    ".txt": lambda p: p.write_text(ARTICLE, encoding="utf-8"),
    ".html": lambda p: p.write_text(PAGE, encoding="utf-8"),
    ".htm": lambda p: p.write_text(PAGE, encoding="utf-8"),
    ".jsonl": lambda p: p.write_text(json.dumps({"text": ARTICLE}, ensure_ascii=False) + "\n", encoding="utf-8"),
    ".json": lambda p: p.write_text(json.dumps([{"text": ARTICLE}], ensure_ascii=False), encoding="utf-8"),
    ".csv": lambda p: p.write_text(f"text\n{ARTICLE}\n", encoding="utf-8"),
    ".tsv": lambda p: p.write_text(f"text\n{ARTICLE}\n", encoding="utf-8"),
    ".parquet": lambda p: pd.DataFrame({"text": [ARTICLE]}).to_parquet(p),
}
SINGLE_ARTICLE = {".txt", ".html", ".htm"}


@pytest.fixture
def every_suffix(tmp_path):
    root = tmp_path / "archive"
    (root / "sub").mkdir(parents=True)
    for suffix, write in DOCUMENTED.items():
        write(root / "sub" / f"item{suffix}")
    (root / "LOUD.TXT").write_text(ARTICLE, encoding="utf-8")  # old Windows export
    (root / "scan.pdf").write_bytes(b"%PDF-1.4\n")
    (root / "README").write_text("notes", encoding="utf-8")
    return root


def _listed(root, pattern=DEFAULT_PATTERN):
    listing = Listing()
    arts = list(iter_articles([str(root)], pattern=pattern, listing=listing))
    return arts, listing


def test_default_reads_every_single_article_format_and_counts_the_rest(every_suffix):
    arts, listing = _listed(every_suffix)
    suffixes = sorted(a.path.rsplit(".", 1)[1].lower() for a in arts)
    assert suffixes == ["htm", "html", "txt", "txt"]
    assert all(a.error == "" and a.text for a in arts)
    collections = set(DOCUMENTED) - SINGLE_ARTICLE
    assert listing.not_matched == {**{s: 1 for s in collections}, ".pdf": 1, "no suffix": 1}
    # every file is either read or counted
    files = [p for p in every_suffix.rglob("*") if p.is_file()]
    assert len(arts) + sum(listing.not_matched.values()) == len(files)


def test_every_documented_suffix_gets_a_row_when_its_pattern_is_given(every_suffix):
    pattern = ",".join(f"*{s}" for s in DOCUMENTED)
    arts, listing = _listed(every_suffix, pattern)
    got = {a.path.split("#")[0].rsplit(".", 1)[1].lower() for a in arts}
    assert got == {s.lstrip(".") for s in DOCUMENTED}
    assert all(a.error == "" for a in arts), [a.error for a in arts if a.error]
    assert listing.not_matched == {".pdf": 1, "no suffix": 1}


def test_summary_counts_what_no_pattern_matched(tiny_model_dir, every_suffix, tmp_path):
    model = load_model(tiny_model_dir)
    summary = run(model, tiny_model_dir, [str(every_suffix)], output=tmp_path / "t.csv", fmt="csv")
    assert summary.tagged == 4 and summary.exit_code == 0
    line = summary.line()
    assert "not matched: " in line and "1 .jsonl" in line and "1 .pdf" in line and "(add them with --pattern)" in line


def test_symlinked_folders_are_followed_once(tmp_path):
    real = tmp_path / "real"
    (real / "inner").mkdir(parents=True)
    (real / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (real / "inner" / "b.txt").write_text(ARTICLE, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "c.txt").write_text(ARTICLE, encoding="utf-8")
    (real / "linked").symlink_to(outside, target_is_directory=True)  # followed
    (real / "inner" / "loop").symlink_to(real, target_is_directory=True)  # a loop back to the top
    (real / "again").symlink_to(outside, target_is_directory=True)  # a second link to one folder
    arts, listing = _listed(real)
    names = sorted(a.path.rsplit("/", 1)[1] for a in arts)
    assert names == ["a.txt", "b.txt", "c.txt"]
    assert listing.links_not_followed == 2
    # of two links to one folder, the first by name is followed
    assert str(real / "again" / "c.txt") in {a.path for a in arts}


def test_a_real_folder_is_listed_before_a_link_to_it(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "more").symlink_to(tmp_path / "pages", target_is_directory=True)  # sorts first by name
    arts, listing = _listed(tmp_path)
    assert [a.path for a in arts] == [str(tmp_path / "pages" / "a.html")] and listing.links_not_followed == 1


def test_a_glob_that_matches_nothing_and_a_path_through_a_file_get_rows(tmp_path):
    (tmp_path / "file.txt").write_text(ARTICLE, encoding="utf-8")
    arts = list(iter_articles([str(tmp_path / "none-*.txt"), str(tmp_path / "file.txt" / "inner.txt")]))
    assert [a.error for a in arts] == ["no file matches this pattern", "not a directory"]


def test_a_glob_of_folders_lists_them(tmp_path):
    for year in ("2011", "2012"):
        (tmp_path / year).mkdir()
        (tmp_path / year / "a.txt").write_text(ARTICLE, encoding="utf-8")
    arts = list(iter_articles([str(tmp_path / "20*")]))
    assert [a.path.replace(str(tmp_path) + "/", "") for a in arts] == ["2011/a.txt", "2012/a.txt"]
