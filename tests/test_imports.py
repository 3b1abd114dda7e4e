"""The package's import graph: no cycles, no private names imported across modules, and the
engines below the pipeline.

The graph is read from the source with `ast`, every import statement included (inside
functions and `if TYPE_CHECKING:` blocks too): a late import still ties two modules
together.  `from package import name` is an edge to the submodule `package.name` when
there is one, else to the package.  Importing a submodule runs its package's
`__init__` first; that implicit edge is left out, as a package's `__init__` importing its
own submodules is how a package exposes them.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import cleaner

PACKAGE = Path(cleaner.__file__).parent


@dataclass
class Module:
    name: str
    path: Path
    imports: set[str] = field(default_factory=set)  # modules of the package it imports
    private: list[str] = field(default_factory=list)  # "module.name" of each _name it imports


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = PACKAGE) -> dict[str, Module]:
    modules = {module_name(p, root): Module(module_name(p, root), p) for p in sorted(root.rglob("*.py"))}
    top = root.name
    for module in modules.values():
        is_package = module.path.name == "__init__.py"
        here = module.name.split(".") if is_package else module.name.split(".")[:-1]
        for node in ast.walk(ast.parse(module.path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                module.imports.update(a.name for a in node.names if a.name.split(".")[0] == top)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[:len(here) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                if source.split(".")[0] != top:
                    continue
                for alias in node.names:
                    if f"{source}.{alias.name}" in modules:
                        module.imports.add(f"{source}.{alias.name}")
                        continue
                    module.imports.add(source)
                    if alias.name.startswith("_"):
                        module.private.append(f"{source}.{alias.name}")
        module.imports.discard(module.name)
    return modules


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module (or a
    module that imports itself), found by Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read_from_the_source():
    """The reader sees what the package imports (so an empty graph cannot pass the tests below)."""
    graph = import_graph()
    assert {"cleaner.pipeline", "cleaner.engine.local", "cleaner.boilerplate.tail"} <= graph.keys()
    assert "cleaner.engine.local" in graph["cleaner.pipeline"].imports
    assert "cleaner.boilerplate.headline" in graph["cleaner.boilerplate.tail"].imports
    assert "cleaner.config" in graph["cleaner.engine.local"].imports  # a relative import, two levels up


def test_cycles_are_found(tmp_path):
    """The checks on a small package made to break them: a late import closing a cycle, and a
    private name imported from a sibling."""
    pkg = tmp_path / "cleaner"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .a import f\n")
    (pkg / "a.py").write_text("from .sub import b\n\ndef f():\n    return b.g()\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def g():\n    from cleaner.a import _h\n    return _h\n")
    graph = import_graph(pkg)
    assert cycles({m.name: m.imports for m in graph.values()}) == [["cleaner.a", "cleaner.sub.b"]]
    assert graph["cleaner.sub.b"].private == ["cleaner.a._h"]


def test_the_package_has_no_import_cycles():
    graph = import_graph()
    assert cycles({m.name: m.imports for m in graph.values()}) == []


def test_no_module_imports_a_private_name_from_another():
    graph = import_graph()
    assert {m.name: m.private for m in graph.values() if m.private} == {}


def test_the_engines_never_import_the_pipeline():
    """The engines build on the pipeline's public pieces (spool, corpus step, clean pass); the
    pipeline picks an engine, never the other way round."""
    graph = import_graph()
    engines = [m for m in graph.values() if m.name.startswith("cleaner.engine")]
    assert engines
    for module in engines:
        assert "cleaner.pipeline" not in module.imports and "cleaner" not in module.imports, module.name
