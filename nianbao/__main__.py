"""`python -m nianbao`: the same command line as the `nianbao` script."""
import sys

from nianbao.cli import main

sys.exit(main())
