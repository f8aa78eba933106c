"""Write the conformance rows of today's code to expected.json
(`python -m tests.conformance.table`), to review with `git diff` what a change to
ingest does to every file of the corpus."""

import json
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "herald.settings")
    os.environ.setdefault("HERALD_ENV", "test")
    django.setup()
    from tests.conformance import EXPECTED_FILE, files, outcome

    rows = {relative: outcome(relative) for relative in files()}
    text = json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True)
    EXPECTED_FILE.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} rows to {EXPECTED_FILE}")


if __name__ == "__main__":
    main()
