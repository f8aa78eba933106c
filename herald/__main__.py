"""`python -m herald` is the `herald` console script."""

from herald.cli import main

main()
