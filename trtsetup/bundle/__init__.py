"""Bundles: what an install on one device built or downloaded, in one verified file.

``manifest`` (pure) holds the format and the fingerprint rules, ``archive`` writes and
reads the file (every hash checked before anything is used), ``steps`` are the install
steps of a from-bundle plan, run by the same executor as ``trtsetup install``. The format
is documented in docs/bundle.md.
"""
