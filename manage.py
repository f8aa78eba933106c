#!/usr/bin/env python3
"""Django's command-line utility; the same as the `herald` console script."""

from herald.cli import main

if __name__ == "__main__":
    main()
