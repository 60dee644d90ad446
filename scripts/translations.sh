#!/usr/bin/env bash
# Extract UI strings, update the catalogues, compile them, and fail loudly on any untranslated
# or fuzzy string. Source strings are English; every other language of webapp/core/languages.py
# has its catalogue in translations/<code>/.
# Usage: scripts/translations.sh            (extract + update + compile + check)
#        scripts/translations.sh --compile  (compile + check only; used by the set-up)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
BABEL="$PY -m babel.messages.frontend"
CATALOGUES=$($PY -c 'from webapp.core.languages import LANGUAGES; print(*[l for l in LANGUAGES if l != "en"])')
if [ "${1:-}" != "--compile" ]; then
  $BABEL extract -F babel.cfg -k _l -o translations/messages.pot --sort-by-file \
    --project webapp .
  for lang in $CATALOGUES; do
    if [ -f "translations/$lang/LC_MESSAGES/messages.po" ]; then
      $BABEL update -i translations/messages.pot -d translations -l "$lang" \
        --no-fuzzy-matching --ignore-obsolete
    else
      $BABEL init -i translations/messages.pot -d translations -l "$lang"
    fi
  done
fi
$PY scripts/check_translations.py $(for lang in $CATALOGUES; do echo translations/$lang/LC_MESSAGES/messages.po; done)
$BABEL compile -d translations --statistics
