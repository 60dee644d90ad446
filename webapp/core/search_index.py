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
import shutil
import sqlite3
import tempfile
from collections import Counter
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


# Raised whenever the way the index is written changes (what it folds, its tables), so a file
# written by an earlier version is never reused for the same content.
INDEX_FORMAT = 2


def index_path(instance: Path, library: Library) -> Path:
    digest = hashlib.sha256(f"format {INDEX_FORMAT}\0".encode())
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
    built = _BUILT.get(path.name)
    if not (built is not None and built.exists() and usable(built) and _copied(built, path)):
        path = rebuild(path, library)
        _BUILT[path.name] = path
    for old in folder.glob("search-*.sqlite3"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


# Index files this process wrote, by name (the name holds the content's digest): another app on
# the same content (the tests build a hundred) copies the file instead of indexing again.
_BUILT: dict[str, Path] = {}


def _copied(source: Path, target: Path) -> bool:
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return usable(target)


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
                    "title": fold(a.title),
                    "synonyms": fold("\x1f".join(a.synonyms)),  # one name per part
                    "summary": fold(a.summary),
                    "body": fold(a.body),
                }
                for lang in library.articles
                for a in library.articles[lang].values()
            ),
            pk="id",
        )
        articles.enable_fts(COLUMNS, tokenize="trigram", create_triggers=True, replace=True)
        db.table("words").insert_all(
            ({"lang": lang, "word": word, "count": n} for (lang, word), n in vocabulary(library)),
            pk=("lang", "word"),
        )
        db.conn.close()
        os.replace(tmp, path)  # readers see the old file or the whole new one, never half
    except BaseException:
        db.conn.close()
        tmp.unlink(missing_ok=True)
        raise


def vocabulary(library: Library) -> list[tuple[tuple[str, str], int]]:
    """Every word of the articles, per language, with how often it is used: what a misspelt
    search word is corrected to."""
    counts: Counter[tuple[str, str]] = Counter()
    for lang, articles in library.articles.items():
        for a in articles.values():
            text = fold(" ".join([a.title, *a.synonyms, a.summary, a.body]))
            counts.update((lang, w.lower()) for w in WORD_RE.findall(text) if len(w) >= MIN_TERM)
    return sorted(counts.items())


# Spellings that mean the same to a reader, folded to one in the index and in every query:
# - Ukrainian writes its apostrophe as ' or ’ (both split a word, as in the texts) or as the
#   letter ʼ (U+02BC, which would not);
# - Arabic is typed without its vowel marks (a text's «حمّى» is searched as «حمى»), the
#   stretching tatweel, and often with plain alef for أ إ آ, ه for ة and ي for ى.
_FOLD = str.maketrans(
    {"\u02bc": "'", "أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "\u0640": None}
    | dict.fromkeys(range(0x064B, 0x0653))
    | {0x0670: None}
)


def fold(text: str) -> str:
    return text.translate(_FOLD)


def terms(query: str) -> list[str]:
    """The words of a query worth searching for (three letters or more), lower-cased."""
    words = WORD_RE.findall(fold(query))
    return [w.lower() for w in words if len(w) >= MIN_TERM][:8]


def quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts_query(words: list[str]) -> str | None:
    """Quote every term (no FTS5 syntax reaches the engine) and OR each with its variant."""
    parts = []
    for term in words:
        options = {term, *VARIANTS.get(term, ())}
        parts.append("(" + " OR ".join(quoted(t) for t in sorted(options)) + ")")
    return " AND ".join(parts) or None


def normal(text: str) -> str:
    return " ".join(w.lower() for w in WORD_RE.findall(fold(text)))


def edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping once it is over `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        best = row[0]
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
            best = min(best, row[j])
        if best > limit:
            return limit + 1
    return row[-1]


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    query: str  # the words searched for: the person's own, or with misspellings corrected


class Index:
    """A read-only connection to the index file, for one search."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def close(self) -> None:
        self.conn.close()

    def known(self, lang: str, term: str) -> bool:
        """Some article of this language has the term (or a word containing it)."""
        row = self.conn.execute(
            "select 1 from articles_fts join articles a on a.rowid = articles_fts.rowid "
            "where articles_fts match ? and a.lang = ? limit 1",
            (fts_query([term]), lang),
        ).fetchone()
        return row is not None

    def correction(self, lang: str, term: str) -> str | None:
        """The article word closest to a misspelt term: one edit for words under seven
        letters, two for longer ones; the more common word when two are as close."""
        if len(term) < 4:
            return None
        limit = 1 if len(term) < 7 else 2
        rows = self.conn.execute(
            "select word, count from words where lang = ? and length(word) between ? and ?",
            (lang, len(term) - limit, len(term) + limit),
        ).fetchall()
        scored = [(edits(term, word, limit), -count, word) for word, count in rows]
        best = min((s for s in scored if s[0] <= limit), default=None)
        return best[2] if best else None

    def candidates(self, lang: str, words: list[str], limit: int) -> list[tuple[str, ...]]:
        return self.conn.execute(
            """
            select a.key, a.title, a.summary, a.synonyms,
                   bm25(articles_fts, 10.0, 6.0, 3.0, 1.0) as rank
            from articles_fts
            join articles a on a.rowid = articles_fts.rowid
            where articles_fts match ? and a.lang = ?
            order by rank
            limit ?
            """,
            (fts_query(words), lang, limit),
        ).fetchall()


def fit(query: str, title: str, synonyms: str) -> int:
    """How well a page's own names fit the whole query: the title is the query («isjias» →
    «Isjias» before «Isjiasnerven i klem»), a synonym is the query, or the title holds it."""
    q = normal(query)
    if q in (normal(title), normal(title.split("(")[0])):
        return 3
    if q in (normal(name) for name in synonyms.split("\x1f")):
        return 2
    if f" {q} " in f" {normal(title)} ":
        return 1
    return 0


def find(path: Path, lang: str, query: str, limit: int = 20) -> Found:
    """The pages for a query, best first. A word no page has is corrected to the closest word
    the pages use («sciatca» → «sciatica»); pages whose own names fit the query come first,
    then SQLite's bm25 over title, synonyms, summary and text."""
    words = terms(query)
    if not words:
        return Found([], query)
    index = Index(path)
    try:
        searched = [
            term if index.known(lang, term) else (index.correction(lang, term) or term)
            for term in words
        ]
        shown = query if searched == words else " ".join(searched)
        rows = index.candidates(lang, searched, max(limit, 50))
    finally:
        index.close()
    # The query as the pages spell it too («isjas» → «isjias»), so a variant fits the title.
    spelled = " ".join(VARIANTS.get(term, (term,))[0] for term in searched)

    def order(row: tuple[str, ...]) -> tuple[int, float]:
        return (-max(fit(shown, row[1], row[3]), fit(spelled, row[1], row[3])), float(row[4]))

    ranked = sorted(rows, key=order)
    return Found([Hit(r[0], r[1], r[2]) for r in ranked[:limit]], shown)


def search(path: Path, lang: str, query: str, limit: int = 20) -> list[Hit]:
    """The pages for a query, best first (see `find`)."""
    return find(path, lang, query, limit).hits
