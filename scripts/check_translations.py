"""Fail when a catalogue has an untranslated or fuzzy entry, listing each one."""

import sys

from babel.messages.pofile import read_po


def problems(path: str) -> list[str]:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            found.append(f"untranslated: {message.id!r}")
    return found


if __name__ == "__main__":
    bad = [f"{path}: {problem}" for path in sys.argv[1:] for problem in problems(path)]
    for line in bad:
        print(line, file=sys.stderr)
    if bad:
        print(f"{len(bad)} translation problem(s); edit the .po file(s) above.", file=sys.stderr)
    sys.exit(1 if bad else 0)
