"""Jane Austen's six novels, read offline from Debian's r-cran-janeaustenr package.

Source: Debian package r-cran-janeaustenr (package MIT; the novels are public domain).
Get it without installing R:
    apt-get download r-cran-janeaustenr && dpkg-deb -x r-cran-janeaustenr_*.deb ja
The texts live in ja/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb, an R lazy-load
database: records of (4-byte big-endian length, zlib stream). Each stream is an XDR-serialised
R object in which every line of a novel is a CHARSXP: a flags word whose low byte is 9, a
big-endian length, then UTF-8 bytes. We scan for those instead of parsing R's format fully.
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

from aigc_demo.checkpoints import REPO_ROOT

DEFAULT_RDB = "ja/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb"
CHARSXP = 9
NA_STRING_LENGTH = 0xFFFFFFFF


def read_records(rdb_bytes: bytes) -> list[bytes]:
    """Split an R lazy-load database into its decompressed records.

    Each record is a 4-byte big-endian uncompressed length followed by a zlib stream; the
    stream's own end marks where the next record starts.
    """
    records, pos = [], 0
    while pos + 4 < len(rdb_bytes):
        inflater = zlib.decompressobj()
        records.append(inflater.decompress(rdb_bytes[pos + 4:]))
        pos = len(rdb_bytes) - len(inflater.unused_data)
    return records


def charsxp_strings(blob: bytes) -> list[str]:
    """Every CHARSXP string in one serialised R object, in order."""
    strings, pos = [], 0
    # Skip the serialisation header: "X\n", three version ints, then the native encoding.
    pos = 2 + 12
    (enc_len,) = struct.unpack(">I", blob[pos:pos + 4])
    pos += 4 + enc_len
    while pos + 8 <= len(blob):
        flags, length = struct.unpack(">II", blob[pos:pos + 8])
        if flags & 0xFF == CHARSXP and (length == NA_STRING_LENGTH or length <= len(blob) - pos - 8):
            if length == NA_STRING_LENGTH:
                pos += 8
                continue
            strings.append(blob[pos + 8:pos + 8 + length].decode("utf-8", errors="replace"))
            pos += 8 + length
        else:
            pos += 4
    return strings


def novel_lines(rdb_path: str | Path = DEFAULT_RDB) -> list[list[str]]:
    """A list of novels, each a list of text lines (blank lines kept as paragraph breaks)."""
    records = read_records(Path(rdb_path).read_bytes())
    novels = [charsxp_strings(r) for r in records]
    # Records without prose (the object-name index) are tiny; keep the six novels.
    return [lines for lines in novels if sum(map(len, lines)) > 100_000]


def paragraphs(lines: list[str]) -> list[str]:
    """Re-flow hard-wrapped lines into paragraphs (blank lines separate paragraphs)."""
    result, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            result.append(" ".join(current))
            current = []
    if current:
        result.append(" ".join(current))
    return result


def train_heldout_split(rdb_path: str | Path = DEFAULT_RDB, heldout_fraction: float = 0.05) -> tuple[str, str]:
    """Training and held-out text: the last `heldout_fraction` of every novel's paragraphs is held out.

    Holding out the end of each novel (not random paragraphs) keeps held-out text from sharing
    sentences that straddle a split, so the held-out figures measure generalisation honestly.
    """
    train_parts, heldout_parts = [], []
    for lines in novel_lines(rdb_path):
        paras = paragraphs(lines)
        cut = int(len(paras) * (1 - heldout_fraction))
        train_parts.append("\n\n".join(paras[:cut]))
        heldout_parts.append("\n\n".join(paras[cut:]))
    return "\n\n".join(train_parts), "\n\n".join(heldout_parts)


EXCERPT_FILE = REPO_ROOT / "assets" / "text" / "austen_heldout_excerpt.txt"
EXCERPT_CHARS = 20_000  # what the Model Lab's compression measures perplexity on: seconds on a CPU


def write_excerpt(rdb_path: str | Path = DEFAULT_RDB) -> Path:
    """The start of the held-out text, shipped in assets/ (public domain) so the Lab measures anywhere."""
    EXCERPT_FILE.parent.mkdir(parents=True, exist_ok=True)
    EXCERPT_FILE.write_text(train_heldout_split(rdb_path)[1][:EXCERPT_CHARS], encoding="utf-8")
    return EXCERPT_FILE


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] != ["excerpt"]:
        sys.exit("usage: python -m aigc_demo.data.austen excerpt [Rdata.rdb]")
    print(write_excerpt(*sys.argv[2:3]))
