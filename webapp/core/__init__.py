"""The Flask-free core: data loaded and checked at start-up, and the answers computed from it.

- `settings.py`: every setting with its default and type; `languages.py`: the site's languages.
- `validation.py`: one error (file, key, problem) and one helper for every data file.
- `articles.py`: the condition library (Markdown with TOML front matter) and `textstats.py`.
- `catalogue.py`: exercises and programmes. `clinic.py`: the clinic file.
- `search_index.py`: full-text search over the articles (SQLite FTS5).
- `triage/`: the symptom checker's engine, its rules as data (`loader.py`) and conditions.

Nothing here imports Flask; the web layer (the modules one level up) turns requests into calls.
"""
