"""One module per user command: plain functions of resolved arguments (pipx style).

They know nothing of argv or click; ``cli.py`` parses, builds the Host, calls one of these,
renders the result and maps it to an exit code.
"""
