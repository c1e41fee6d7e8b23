"""tinygen's modules import each other without a cycle, and the DSP layers one way only.

The graph is read from the source with :mod:`ast` (nothing is imported). Imports inside
functions count, since a cycle hidden in a lazy import is still two modules that need
each other at run time. Imports under ``if TYPE_CHECKING:`` are left out of the cycle
check (they never run; annotating with a type of an importer is the usual way around a
cycle) but count for the layering of the DSP packages, which must not look back at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tinygen"

Graph = dict[str, set[str]]


def module_files(package: Path = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package's ``__init__``)."""
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = (path, is_package)
    return modules


def _known(name: str, modules: dict[str, tuple[Path, bool]]) -> str | None:
    """The longest prefix of ``name`` that is one of ``modules`` (a.b.C -> a.b)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST, with_typing: bool) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of ``tree``; under ``if TYPE_CHECKING:`` only ``with_typing``."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If) and _is_type_checking(node.test) and not with_typing:
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def import_graph(package: Path = PACKAGE, *, with_typing: bool = False) -> Graph:
    """Each module of ``package`` -> the modules of ``package`` it imports.

    ``with_typing``: the imports under ``if TYPE_CHECKING:`` too.
    """
    modules = module_files(package)
    graph: Graph = {name: set() for name in modules}
    for name, (path, is_package) in modules.items():
        here = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in _import_nodes(tree, with_typing):
            if isinstance(node, ast.Import):
                targets = [_known(alias.name, modules) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                # "from a.b import c" imports the module a.b.c if there is one, else a.b.
                targets = [
                    f"{base}.{alias.name}"
                    if f"{base}.{alias.name}" in modules
                    else _known(base, modules)
                    for alias in node.names
                ]
            else:
                continue
            graph[name].update(t for t in targets if t and t != name)
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """Some cycle of ``graph`` as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def _imports_under(graph: Graph, importer: str, imported: str) -> list[str]:
    """"a -> b" for each module a in package ``importer`` importing one in ``imported``."""

    def inside(module: str, package: str) -> bool:
        return module == package or module.startswith(package + ".")

    return sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        if inside(a, importer)
        for b in targets
        if inside(b, imported)
    )


def test_finder_sees_cycles_and_their_absence() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]


def test_graph_of_a_small_package(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from . import b\n")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nimport pkg.sub.b\n"
        "if TYPE_CHECKING:\n    from pkg.c import C\nelse:\n    import pkg.d\n"
    )
    (package / "sub" / "b.py").write_text("def f():\n    from ..c import g\n")
    (package / "c.py").write_text("from pkg import a\nfrom pkg.sub.b import f\n")
    (package / "d.py").write_text("")
    runtime = import_graph(package)
    assert runtime == {
        "pkg": set(),
        "pkg.sub": {"pkg.sub.b"},
        "pkg.a": {"pkg.sub.b", "pkg.d"},
        "pkg.sub.b": {"pkg.c"},
        "pkg.c": {"pkg.a", "pkg.sub.b"},
        "pkg.d": set(),
    }
    assert import_graph(package, with_typing=True)["pkg.a"] == {"pkg.sub.b", "pkg.c", "pkg.d"}
    assert find_cycle(runtime) == ["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]


def test_graph_reads_the_imports_of_tinygen() -> None:
    graph = import_graph()
    assert len(graph) > 50
    # A plain, a "from package import module" and a function-level import.
    assert "tinygen.dsp_definitions.mfcc" in graph["tinygen.reference.dsp.mfcc"]
    assert "tinygen.dsp.params" in graph["tinygen.dsp.image"]
    assert "tinygen.report.plan_svg" in graph["tinygen.cli"]


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_dsp_layers_import_one_way() -> None:
    """definitions <- references <- generators: never the other way, not even for types."""
    graph = import_graph(with_typing=True)
    definitions, references, generators = (
        "tinygen.dsp_definitions",
        "tinygen.reference.dsp",
        "tinygen.dsp",
    )
    assert _imports_under(graph, definitions, references) == []
    assert _imports_under(graph, definitions, generators) == []
    assert _imports_under(graph, references, generators) == []
    # The generators do use both layers below them.
    assert _imports_under(graph, generators, definitions)
    assert _imports_under(graph, generators, references)
