"""The one JSON writer: every ``--json`` document and the error document."""

import json
from typing import Any, Dict, Optional

from .schemas import ERROR, NAMES


def dumps(doc):
    # type: (Dict[str, Any]) -> str
    """Exactly one JSON document: a top-level "schema" from ``schemas``, sorted keys."""
    if not isinstance(doc, dict) or doc.get("schema") not in NAMES:
        raise ValueError("not a trtsetup document: schema {!r} is not in report/schemas.py".format(
            doc.get("schema") if isinstance(doc, dict) else type(doc).__name__))
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False)


def error_document(message, fix=None, exit_code=2, log_path=None, kind=None):
    # type: (str, Optional[str], int, Optional[str], Optional[str]) -> Dict[str, Any]
    """``trtsetup.error/1``: why a command could not run. ``kind`` says which class of
    failure: usage, input, refused, failed, interrupted, internal."""
    return {"schema": ERROR, "error": message, "fix": fix, "exit_code": exit_code,
            "log_path": log_path, "kind": kind}
