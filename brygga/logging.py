"""Keep personal data out of the application log.

Search queries travel in query strings (a name or a personal number), so every query string is
removed from log lines before they are written. Who searched for what is in the access log.
"""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?[^\s\"']*")


def _strip(value):
    return _QUERY.sub("?…", value) if isinstance(value, str) else value


class StripQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _strip(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_strip(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _strip(arg) for key, arg in record.args.items()}
        return True
