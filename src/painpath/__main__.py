"""`python -m painpath` runs the command line."""

from painpath.cli import main

main()
