"""Results are data; this package renders them, as text for a terminal or as one JSON document.

Commands return frozen results (``DoctorResult``, ``SelftestResult``, ``Plan``, ...) and know
nothing of output; ``cli.py`` hands each result to its renderer here and prints the string.

How a new renderer is added (``report/docker.py`` for ``trtsetup docker ...``, say):
1. Add its schema name to ``schemas.py`` (one row) and describe the document in docs/json.md.
2. Write ``<command>_json(result) -> dict`` with ``"schema": schemas.X`` at the top level,
   and ``render_<command>_text(result, style) -> str``; pure functions of the result.
3. Marks and colour come from ``style.Style`` (``style.mark("ok"|"warn"|"fail"|"skip")``; map
   your own statuses onto those four kinds); never a private mark table or ``print``.
4. cli.py prints ``document.dumps(doc)`` (the one JSON writer: sorted keys, schema checked)
   or the text; nothing else writes to stdout.
"""

from .document import dumps, error_document  # noqa: F401
from .style import PLAIN, Style, can_encode, plural, style_for, use_colour  # noqa: F401
