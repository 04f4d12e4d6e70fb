"""``python -m ngo_text`` = the ``ngo-text`` command."""
import sys

from .cli import main

sys.exit(main())
