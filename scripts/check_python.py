"""Refuse, with a clear message, a Python that Brygga does not support (before a venv is made).

Kept to syntax that any Python 3 parses, so that an old interpreter gets the message, not a
SyntaxError.
"""

import sys

SUPPORTED = ((3, 11), (3, 12), (3, 13))

if sys.version_info[:2] not in SUPPORTED:
    sys.stderr.write(
        "Brygga needs CPython 3.11, 3.12 or 3.13; this is {}.\n"
        "Run with another interpreter, e.g. `make run PYTHON=python3.12`.\n".format(
            sys.version.split()[0]
        )
    )
    sys.exit(1)
if sys.implementation.name != "cpython":
    sys.stderr.write(
        "Brygga is tested on CPython only; this is {}.\n".format(sys.implementation.name)
    )
    sys.exit(1)
