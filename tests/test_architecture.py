"""The import direction of the package: no cycle between ngo_text modules.

Intended direction (lower modules never import higher ones)::

    errors, display <- model <- parsing <- nlp <- topics/related <- corpus/io <- cli

Imports inside functions count too (a lazy import hides a cycle, it does not
remove it), as do the ``importlib.import_module("ngo_text.…")`` names of lazy
re-export tables. Only imports under ``if TYPE_CHECKING:`` are left out: they
never run. Importing ``pkg.sub`` runs ``pkg/__init__`` first, but that implicit
step is no edge of the graph: a package ``__init__`` that re-exports its
submodules is no cycle as long as no submodule imports the package itself
(``from . import helper`` or ``from ngo_text.pkg import helper`` inside
``pkg/sub.py``, where ``helper`` is defined in ``pkg/__init__``, is such an
import, and a real cycle).
"""
from __future__ import annotations

import ast
from pathlib import Path

import ngo_text

ROOT = Path(ngo_text.__file__).resolve().parent


def _module_names() -> dict[str, Path]:
    """``{"ngo_text.nlp.pipeline": path, "ngo_text.nlp": path/__init__.py, ...}``."""
    names = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except the bodies of ``if TYPE_CHECKING:``."""
    nodes: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        nodes.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                stack.extend(child.orelse)
            else:
                stack.append(child)
    return nodes


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The ngo_text modules that ``module`` imports (at any depth of its code)."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()

    def target(name: str) -> None:
        # "ngo_text.nlp.pipeline.load" -> the longest known module prefix
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)

    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[:len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                # "from pkg import sub" imports the submodule; "from pkg import name" the package
                sub = f"{base}.{alias.name}"
                target(sub if sub in known else base)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and "." in node.value and node.value in known):
            # lazy tables: import_module("ngo_text.corpus"), {"Corpus": "ngo_text.corpus"}
            # (a bare "ngo_text" is mostly a name, e.g. an ONNX producer)
            target(node.value)
    found.discard(module)
    return found


def import_graph() -> dict[str, set[str]]:
    """``{module: {imported ngo_text modules}}`` for every module of the package."""
    names = _module_names()
    known = set(names)
    return {module: _imports(module, path, known) for module, path in names.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as ``[a, b, ..., a]``, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_graph_sees_lazy_relative_and_package_imports():
    graph = import_graph()
    # a relative import inside a function (Corpus.analyze)
    assert "ngo_text.analysis" in graph["ngo_text.corpus"]
    # "from . import dates" inside the nlp package is the submodule
    assert "ngo_text.nlp.dates" in graph["ngo_text.nlp.pipeline"]
    # the public API's lazy table
    assert {"ngo_text.corpus", "ngo_text.parsing", "ngo_text.nlp.pipeline"} <= graph["ngo_text"]


def test_find_cycle_reports_the_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycle_between_ngo_text_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_data_model_imports_no_view_and_no_stage():
    graph = import_graph()
    below_model = {"ngo_text.errors", "ngo_text.display"}
    assert graph["ngo_text.model"] <= below_model, graph["ngo_text.model"]
    assert graph["ngo_text.display"] == set()


def test_parse_leaves_other_libraries_loggers_as_they_were():
    import logging

    from ngo_text import parse

    html = ("<html><head><title>Spendenaufruf</title></head><body><article><h1>Spendenaufruf</h1>"
            "<p>Berlin – Der Verein bittet um Hilfe für die Menschen in der Region, die seit "
            "Wochen ohne Strom und Wasser leben müssen.</p></article></body></html>")
    for name in ("trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        art = parse(html)
        assert art.title == "Spendenaufruf"
        assert logging.getLogger("trafilatura").level == logging.INFO
        assert logging.getLogger("htmldate").level == logging.INFO
    finally:
        for name in ("trafilatura", "htmldate"):
            logging.getLogger(name).setLevel(logging.NOTSET)


def test_quiet_loggers_nests_and_restores():
    import logging

    from ngo_text.errors import quiet_loggers

    lg = logging.getLogger("ngo_text_test_quiet")
    lg.setLevel(logging.DEBUG)
    with quiet_loggers({lg.name: logging.ERROR}):
        assert lg.level == logging.ERROR
        with quiet_loggers({lg.name: logging.CRITICAL}):
            assert lg.level == logging.ERROR  # the outer block's level holds
        assert lg.level == logging.ERROR
    assert lg.level == logging.DEBUG


def test_version_comes_from_the_package_metadata():
    from importlib.metadata import version

    assert ngo_text.__version__ == version("ngo_text")
