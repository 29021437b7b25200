"""The code's shape: no import circles, no module too long to read, lrcore free of the UI."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("lrcore", "ui")
MAX_LINES = 700


def _modules(root: Path, packages) -> dict[str, Path]:
    """Dotted name -> file, for every module of the packages (a package is its __init__)."""
    out = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def import_graph(root: Path = ROOT, packages=PACKAGES) -> dict[str, set[str]]:
    """Module -> the project modules it imports, anywhere in the file (inside functions too).

    ``from a import b`` is an edge to ``a.b`` when that is a module, else to ``a``. The
    parent packages Python initialises on the way are not edges: a package's
    ``__init__`` may import its own submodules as long as they import each other
    directly, not through the package.
    """
    modules = _modules(root, packages)
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            edges.update(t for t in targets if t in modules and t != name)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the list of modules around it, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_module_imports_itself_in_a_circle():
    assert find_cycle(import_graph()) is None, " -> ".join(find_cycle(import_graph()))


def test_a_lazy_import_inside_a_function_still_closes_a_circle(tmp_path):
    # As lrcore.formula and lrcore.schedules once did: one imports the other at the top,
    # the other imports it back later on (here inside a function).
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg import a\n")
    (pkg / "a.py").write_text("from pkg.sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import a\n    return a\n")
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.sub.b"] == {"pkg.a"} and graph["pkg"] == {"pkg.a"}
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.a"]
    (pkg / "sub" / "b.py").write_text("import math\n")
    assert find_cycle(import_graph(tmp_path, ["pkg"])) is None


def test_no_module_is_longer_than_seven_hundred_lines():
    files = [p for p in ROOT.rglob("*.py") if not {".venv", "test-artifacts"} & set(p.relative_to(ROOT).parts)]
    long = {p.relative_to(ROOT).as_posix(): n for p in files if (n := p.read_text().count("\n")) > MAX_LINES}
    assert len(files) > 30 and not long, long


def test_importing_lrcore_imports_neither_torch_nor_streamlit_nor_plotly():
    code = "import sys, lrcore, lrcore.registry; print(sorted(m for m in ('torch', 'streamlit', 'plotly') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"
