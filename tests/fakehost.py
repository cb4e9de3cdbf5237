"""A captured tree that also answers commands from canned outputs (a test double for Host).

``RootHost`` runs nothing; probes that need command output (``nvidia-smi``, ``nvcc``, the
target interpreter) are tested with ``CannedHost``: files come from the tree as with
``--root``, and ``run(argv)`` answers from a dict keyed by the argv tuple. An argv that is
not in the dict answers "not-found", as a live host does for a missing program.

    host = CannedHost(tree.root, commands={
        ("/usr/bin/nvidia-smi", "--query-gpu=...", "--format=csv,noheader,nounits"):
            (0, "0, NVIDIA H100 80GB HBM3, 580.95.05, 9.0, 81559\\n", ""),
    })

A value may also be a callable ``argv -> (rc, stdout, stderr)`` (for scripts passed with
``-c``, whose source is long), or the string "timeout". ``host.calls`` lists every argv run.
"""

from trtsetup.host.base import CommandResult

from trtsetup.host.root import RootHost


class CannedHost(RootHost):
    can_run = True
    description = "canned"

    def __init__(self, root, commands=None, prefix_commands=None):
        super(CannedHost, self).__init__(root)
        self.commands = dict(commands or {})
        # {(argv0, argv1, ...): answer} matched on the first len(key) arguments.
        self.prefix_commands = dict(prefix_commands or {})
        self.calls = []

    def _answer(self, argv):
        key = tuple(argv)
        if key in self.commands:
            return self.commands[key]
        for prefix, answer in self.prefix_commands.items():
            if key[:len(prefix)] == tuple(prefix):
                return answer
        return None

    def run(self, argv, timeout=10.0, env=None, cwd=None, log_path=None):
        argv = [str(a) for a in argv]
        self.calls.append(argv)
        answer = self._answer(argv)
        if answer is None:
            return CommandResult(argv, None, "", "", "not-found")
        if callable(answer):
            answer = answer(argv)
        if answer == "timeout":
            return CommandResult(argv, None, "", "", "timeout")
        rc, out, err = answer
        return CommandResult(argv, rc, out, err, None)
