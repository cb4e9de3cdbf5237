"""The house rules of issue 8, read from the source with ``ast`` (nothing of trtsetup is imported).

- A module imports only its own layer or the layers below it (LAYERS, top down).
- No import cycles between modules, counting imports made inside functions.
- No module is loaded by name (``importlib.import_module``/``__import__`` with a computed name,
  ``pkgutil.iter_modules``/``walk_packages``), unless a ``# by-name: <why>`` comment on that
  line or the line above says why.
- No file under trtsetup/ has more than MAX_LINES lines.

Each violation reads ``file:line imports X (layer A -> higher layer B)`` (or says which cycle,
which call, which file). KNOWN lists the ones that remain on purpose, each with a reason: a NEW
violation fails; a KNOWN one that no longer happens only warns, so whoever fixes it removes it.
"""

import ast
import os
import warnings

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_LINES = 400

# Layers, top down, from docs/architecture.md and the imports on main. A module belongs to the
# entry with the longest matching dotted prefix ("trtsetup.report.schemas" before
# "trtsetup.report"); "trtsetup" alone is the package's __init__, so a new top-level module
# must be given a layer here. A module may import its own layer and every layer below it.
LAYERS = [
    # The program's edge: parse argv, build a Host, call one command, render, exit code.
    ("entry", ["trtsetup.cli", "trtsetup.cli_options", "trtsetup.cli_docker", "trtsetup.cli_doctor",
               "trtsetup.cli_spec", "trtsetup.cli_output", "trtsetup.entry", "trtsetup.__main__",
               "trtsetup.progress"]),
    # One module per user command, each returning a frozen result.
    ("commands", ["trtsetup.commands"]),
    # Renders results as text or one JSON document; used by commands and cli only.
    ("report", ["trtsetup.report"]),
    # What the commands do: judge facts (checks, docker), act (executor, torch2trt, bundle steps),
    # run the conversion self-test, collect and render fleet reports; step_kinds is the one list
    # of step classes (from plan/, torch2trt/, selftest/) the executor is handed.
    ("work", ["trtsetup.checks", "trtsetup.docker", "trtsetup.executor", "trtsetup.torch2trt",
              "trtsetup.selftest", "trtsetup.bundle", "trtsetup.fleet", "trtsetup.step_kinds"]),
    # The resolver (facts + recipes -> Plan) and the step kinds it plans.
    ("plan", ["trtsetup.plan"]),
    # One subject per module: read_*(host) and pure parse_*(text).
    ("probes", ["trtsetup.probes"]),
    # The machine seam, the platform data and what it says about facts, the probe cache, the
    # text of fix commands.
    ("seam and knowledge", ["trtsetup.host", "trtsetup.recipes", "trtsetup.recipe_kinds",
                            "trtsetup.knowledge", "trtsetup.probe_cache", "trtsetup.fix_commands"]),
    # Leaves: records, version parsing, error types, safe writes, directories, schema names,
    # the package's version, and the wavelet blocks the self-test converts.
    ("leaves", ["trtsetup", "trtsetup.patterns", "trtsetup.package_data", "trtsetup.facts", "trtsetup.facts_docker", "trtsetup.record", "trtsetup.versions",
                "trtsetup.errors", "trtsetup.atomic", "trtsetup.dirs", "trtsetup.hashing",
                "trtsetup.report.schemas", "trtsetup.wavelets"]),
]

# Violations that remain on purpose, as printed without the line number, each with its reason.
KNOWN = {
}


# --- reading the tree ------------------------------------------------------------------------

def module_files(root):
    """{dotted module name: path relative to root} for every .py file under root/trtsetup."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, "trtsetup")):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            parts = rel[:-3].split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = rel
    return found


def _is_package(rel):
    return os.path.basename(rel) == "__init__.py"


def _absolute(module, rel, level, name):
    """The dotted name a (possibly relative) ``from`` import refers to."""
    if not level:
        return name
    base = module.split(".")
    if not _is_package(rel):
        base = base[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _call_name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id + "." + func.attr
    return ""


def _constant_text(node):
    if isinstance(node, ast.Str):  # Python 3.6/3.7 parse strings as ast.Str
        return node.s
    if isinstance(node, getattr(ast, "Constant", ())) and isinstance(node.value, str):
        return node.value
    return None


BY_NAME_CALLS = {"importlib.import_module", "import_module", "__import__",
                 "pkgutil.iter_modules", "pkgutil.walk_packages", "importlib.util.module_from_spec",
                 "util.module_from_spec", "module_from_spec"}


def read_imports(root):
    """(imports, by_name, sizes): imports as (module, line, target) with target the most
    specific trtsetup module named; by_name as (path, line, call text) for unjustified loads
    by name; sizes as {path: line count}."""
    modules = module_files(root)
    imports, by_name, sizes = [], [], {}

    def target_of(name):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    for module, rel in sorted(modules.items()):
        with open(os.path.join(root, rel), "rb") as handle:
            source = handle.read().decode("utf-8")
        lines = source.splitlines()
        sizes[rel] = len(lines)
        for node in ast.walk(ast.parse(source, rel)):
            named = []
            if isinstance(node, ast.Import):
                named = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, rel, node.level, node.module)
                # "from pkg import mod" imports pkg.mod; "from mod import name" imports mod.
                named = [base + "." + alias.name if base + "." + alias.name in modules else base
                         for alias in node.names]
            elif isinstance(node, ast.Call):
                call = _call_name(node.func)
                if node.func.__class__ is ast.Attribute and _call_name(node.func.value):
                    call = _call_name(node.func.value) + "." + node.func.attr
                if call not in BY_NAME_CALLS:
                    continue
                constant = _constant_text(node.args[0]) if node.args else None
                if constant is not None and "iter_modules" not in call \
                        and "walk_packages" not in call and "module_from_spec" not in call:
                    named = [constant]  # a constant name is an ordinary import, seen as one
                else:
                    nearby = " ".join(lines[max(0, node.lineno - 2):node.lineno])
                    if "# by-name:" not in nearby:
                        by_name.append((rel, node.lineno, call))
                    continue
            for name in named:
                target = target_of(name) if name.split(".")[0] == "trtsetup" else None
                if target is not None and target != module:
                    imports.append((module, node.lineno, target))
    return sorted(imports), sorted(by_name), sizes


def layer_of(module, layers):
    """(index counted from the bottom, name) of the layer a module belongs to."""
    best = None
    for index, (name, prefixes) in enumerate(reversed(layers)):
        for prefix in prefixes:
            # "trtsetup" itself is only the package's __init__: its submodules are listed
            if module == prefix or ("." in prefix and module.startswith(prefix + ".")):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), index, name)
    if best is None:
        return None
    return best[1], best[2]


def find_cycles(edges):
    """Each strongly connected group of modules (size > 1), as one sorted example cycle."""
    graph = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):  # Tarjan; the module graph is a few hundred nodes, recursion is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    cycles = []
    for group in groups:
        members = set(group)
        path, node = [group[0]], group[0]
        while True:  # walk inside the group back to its first member: one concrete cycle
            node = _next_towards(graph, members, node, group[0])
            if node == group[0]:
                break
            path.append(node)
        cycles.append(path + [group[0]])
    return sorted(cycles)


def _next_towards(graph, members, start, goal):
    """The first step of a shortest path from start to goal inside members (breadth first)."""
    first = {}
    frontier = []
    for nxt in sorted(graph[start] & members):
        if nxt == goal:
            return goal
        first[nxt] = nxt
        frontier.append(nxt)
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & members):
                if nxt == goal:
                    return first[node]
                if nxt not in first:
                    first[nxt] = first[node]
                    following.append(nxt)
        frontier = following
    return goal


def violations(root, layers=LAYERS, max_lines=MAX_LINES):
    """[(key, text)]: key is the text without its line number (what KNOWN lists)."""
    modules = module_files(root)
    imports, by_name, sizes = read_imports(root)
    found = []
    for module, rel in sorted(modules.items()):
        if layer_of(module, layers) is None:
            key = "{} ({}) has no layer in LAYERS".format(module, rel)
            found.append((key, key))
    for module, line, target in imports:
        source_layer, target_layer = layer_of(module, layers), layer_of(target, layers)
        rel = modules[module]
        if source_layer is None or target_layer is None:
            continue  # reported above
        if target_layer[0] > source_layer[0]:
            key = "{} imports {} (layer {} -> higher layer {})".format(
                rel, target, source_layer[1], target_layer[1])
            found.append((key, "{}:{} {}".format(rel, line, key[len(rel) + 1:])))
    for cycle in find_cycles((module, target) for module, _line, target in imports):
        key = "import cycle: " + " -> ".join(cycle)
        found.append((key, key))
    for rel, line, call in by_name:
        key = "{} loads a module by name with {}() and no '# by-name:' reason".format(rel, call)
        found.append((key, "{}:{} {}".format(rel, line, key[len(rel) + 1:])))
    for rel, count in sorted(sizes.items()):
        if count > max_lines:
            key = "{} has {} lines (over {})".format(rel, count, max_lines)
            found.append((key, key))
    unique, seen = [], set()
    for key, text in found:
        if text not in seen:
            seen.add(text)
            unique.append((key, text))
    return unique


def _without_counts(key):
    """A size violation is known by its file, whatever the exact count."""
    return key.split(" has ")[0] + " has too many lines" if " lines (over " in key else key


# --- the tests -------------------------------------------------------------------------------

def test_trtsetup_keeps_its_layers_has_no_cycles_no_loading_by_name_no_long_files():
    found = violations(ROOT)
    known = {_without_counts(key) for key in KNOWN}
    new = [text for key, text in found if _without_counts(key) not in known]
    seen = {_without_counts(key) for key, _text in found}
    for key in sorted(KNOWN):
        if _without_counts(key) not in seen:
            warnings.warn("KNOWN architecture violation no longer happens, remove it: " + key)
    assert not new, "architecture violations (docs/architecture.md):\n" + "\n".join(new)


def test_every_module_has_a_layer():
    missing = [module for module in module_files(ROOT) if layer_of(module, LAYERS) is None]
    assert missing == []


def _write(root, rel, text):
    path = root.join(*rel.split("/"))
    path.dirpath().ensure(dir=True)
    path.write(text)


SMALL_LAYERS = [
    ("top", ["trtsetup.cli"]),
    ("middle", ["trtsetup.probes"]),
    ("bottom", ["trtsetup", "trtsetup.facts"]),
]


def test_the_checker_finds_each_kind_of_violation_in_a_synthetic_tree(tmpdir):
    _write(tmpdir, "trtsetup/__init__.py", "")
    _write(tmpdir, "trtsetup/cli.py", "from trtsetup.probes import gpu\n")
    _write(tmpdir, "trtsetup/probes/__init__.py", "")
    _write(tmpdir, "trtsetup/unlisted.py", "")
    # Upward, at module level and inside a function, absolute and relative.
    _write(tmpdir, "trtsetup/probes/gpu.py",
           "from trtsetup import facts\n"
           "def read():\n"
           "    from ..cli import main\n"
           "    return main\n")
    _write(tmpdir, "trtsetup/facts.py",
           "import importlib\n"
           "def load(name):\n"
           "    import trtsetup.probes.gpu\n"
           "    return importlib.import_module(name)\n"
           "def load_justified(name):\n"
           "    # by-name: the user names the module on the command line\n"
           "    return importlib.import_module(name)\n"
           "def load_constant():\n"
           "    return importlib.import_module('trtsetup.cli')\n" + "x = 1\n" * 5)
    found = [text for _key, text in violations(str(tmpdir), SMALL_LAYERS, max_lines=10)]
    assert found == [
        "trtsetup.unlisted (trtsetup/unlisted.py) has no layer in LAYERS",
        "trtsetup/facts.py:3 imports trtsetup.probes.gpu (layer bottom -> higher layer middle)",
        "trtsetup/facts.py:9 imports trtsetup.cli (layer bottom -> higher layer top)",
        "trtsetup/probes/gpu.py:3 imports trtsetup.cli (layer middle -> higher layer top)",
        "import cycle: trtsetup.cli -> trtsetup.probes.gpu -> trtsetup.cli",
        "trtsetup/facts.py:4 loads a module by name with importlib.import_module() and no "
        "'# by-name:' reason",
        "trtsetup/facts.py has 14 lines (over 10)",
    ]
