"""Full-text search over the articles of one language, with SQLite FTS5 through sqlite-utils.

The index is built once from content/ at start-up into a small database file of its own in the
instance folder, named by a hash of the content, so gunicorn workers share one copy and never
write while others read. A damaged index is written again from the content (at start-up, or by
the web layer when a search fails), so search never depends on the file surviving.

The trigram tokenizer matches parts of words, which carries Norwegian inflection and compounds
("smerter" finds "ryggsmertene", "prolaps" finds "skiveprolaps"); a short table adds common
spelling variants (ischias → isjias, neurom → nevrom).
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from .articles import Library

# Spelling variants patients use → the spelling the articles use. Both are searched.
VARIANTS: dict[str, tuple[str, ...]] = {
    "ischias": ("isjias",),
    "ishias": ("isjias",),
    "isjas": ("isjias",),
    "sciatic": ("sciatica",),
    "neurom": ("nevrom",),
    "neuroma": ("nevrom",),
    "nevrom": ("neuroma",),
    "prolapse": ("prolaps", "herniation"),
    "slipped": ("herniation",),
    "peroneal": ("peroneus",),
    "peroneus": ("peroneal",),
    "fibular": ("peroneal", "peroneus"),
    "fibularis": ("peroneus",),
}
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
MIN_TERM = 3  # the trigram tokenizer needs three characters
COLUMNS = ["title", "synonyms", "summary", "body"]


@dataclass(frozen=True)
class Hit:
    key: str
    title: str
    summary: str


def index_path(instance: Path, library: Library) -> Path:
    digest = hashlib.sha256()
    for lang in sorted(library.articles):
        for key in sorted(library.articles[lang]):
            article = library.articles[lang][key]
            digest.update(f"{lang}\0{key}\0{article.title}\0{article.summary}".encode())
            digest.update(" ".join(article.synonyms).encode() + article.body.encode())
    return instance / f"search-{digest.hexdigest()[:12]}.sqlite3"


def usable(path: Path) -> bool:
    """The index file answers a query (a damaged or half-written one does not)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("select count(*) from articles_fts where articles_fts match '\"rygg\"'")
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return True


def build_index(folder: Path, library: Library) -> Path:
    """Write the index for this content once; an existing one for the same content is reused
    when it works, and written again when it does not. Call under the start-up lock (one worker
    writes, the others then find it). Without a writable folder, it goes to a temporary one."""
    path = index_path(folder, library)
    if path.exists() and usable(path):
        return path
    path = rebuild(path, library)
    for old in folder.glob("search-*.sqlite3"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def rebuild(path: Path, library: Library) -> Path:
    """Write the index at `path`, or in a temporary folder when that cannot be written."""
    try:
        write_index(path, library)
    except (OSError, sqlite3.Error):  # a read-only folder or a full disk
        path = index_path(Path(tempfile.mkdtemp(prefix="webapp-search-")), library)
        write_index(path, library)
    return path


def write_index(path: Path, library: Library) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    db = sqlite_utils.Database(tmp, recreate=True)
    try:
        articles = db.table("articles")
        articles.insert_all(
            (
                {
                    "id": f"{a.lang}:{a.key}",
                    "lang": a.lang,
                    "key": a.key,
                    "title": a.title,
                    "synonyms": " ".join(a.synonyms),
                    "summary": a.summary,
                    "body": a.body,
                }
                for lang in library.articles
                for a in library.articles[lang].values()
            ),
            pk="id",
        )
        articles.enable_fts(COLUMNS, tokenize="trigram", create_triggers=True, replace=True)
        db.conn.close()
        os.replace(tmp, path)  # readers see the old file or the whole new one, never half
    except BaseException:
        db.conn.close()
        tmp.unlink(missing_ok=True)
        raise


def terms(query: str) -> list[str]:
    """The words of a query worth searching for (three letters or more), lower-cased."""
    return [w.lower() for w in WORD_RE.findall(query) if len(w) >= MIN_TERM][:8]


def fts_query(query: str) -> str | None:
    """Quote every term (no FTS5 syntax reaches the engine) and OR each with its variant."""
    parts = []
    for term in terms(query):
        options = {term, *VARIANTS.get(term, ())}
        quoted = " OR ".join('"' + t.replace('"', '""') + '"' for t in sorted(options))
        parts.append(f"({quoted})")
    return " AND ".join(parts) or None


def search(path: Path, lang: str, query: str, limit: int = 20) -> list[Hit]:
    match = fts_query(query)
    if match is None:
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            """
            select a.key, a.title, a.summary
            from articles_fts
            join articles a on a.rowid = articles_fts.rowid
            where articles_fts match ? and a.lang = ?
            order by bm25(articles_fts, 10.0, 6.0, 3.0, 1.0)
            limit ?
            """,
            (match, lang, limit),
        ).fetchall()
    finally:
        conn.close()
    return [Hit(*row) for row in rows]
