"""The sha256 of a file, read in 1 MiB blocks (wheels are hundreds of MB): one helper for the
downloads, the torch2trt source archives, built wheels and the plugin library."""

import hashlib


def sha256_file(path):
    # type: (str) -> str
    """Hex sha256 of the file at ``path``; OSError when it cannot be read."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
