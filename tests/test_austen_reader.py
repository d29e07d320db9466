"""The Austen reader parses an R lazy-load database; we build a tiny one in R's format here."""
import struct
import zlib

from aigc_demo.data.austen import charsxp_strings, novel_lines, paragraphs, read_records, train_heldout_split


def serialised_strings(strings: list[str]) -> bytes:
    """An XDR-serialised R character vector: header, STRSXP (16), then one CHARSXP (9) per string."""
    body = b"X\n" + struct.pack(">III", 3, 0x40100, 0x30500) + struct.pack(">I", 5) + b"UTF-8"
    body += struct.pack(">II", 16, len(strings))
    for s in strings:
        data = s.encode("utf-8")
        body += struct.pack(">II", 0x00040009, len(data)) + data
    return body


def rdb(objects: list[list[str]]) -> bytes:
    out = b""
    for strings in objects:
        blob = serialised_strings(strings)
        out += struct.pack(">I", len(blob)) + zlib.compress(blob)
    return out


def test_records_and_strings_round_trip():
    objects = [["EMMA", "", "Emma Woodhouse, handsome,", "clever, and rich."], ["PERSUASION", "Sir Walter — 😀"]]
    records = read_records(rdb(objects))
    assert [charsxp_strings(r) for r in records] == objects


def test_paragraphs_reflow_hard_wrapped_lines():
    assert paragraphs(["a b", "c", "", "", "d", ""]) == ["a b c", "d"]


def test_split_holds_out_the_end_of_every_novel(tmp_path):
    novel = [f"Line {i} of a long novel with enough words to count." for i in range(4000)]
    novel = [x for line in novel for x in (line, "")]
    path = tmp_path / "Rdata.rdb"
    path.write_bytes(rdb([novel, ["index"], list(novel)]))
    assert len(novel_lines(path)) == 2  # the tiny index record is not a novel
    train, heldout = train_heldout_split(path, heldout_fraction=0.05)
    assert "Line 3999 " in heldout and "Line 3999 " not in train
    assert "Line 0 " in train and "Line 0 " not in heldout
