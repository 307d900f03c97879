"""Read a function a notebook defines, so a test can keep it in agreement with its helper."""

import ast
import json
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def definitions(notebook: str, names, namespace: dict) -> dict:
    """Execute the top-level ``def``s and assignments of ``names`` from the notebook's code cells
    in ``namespace`` (which supplies their imports) and return the namespace."""
    cells = json.loads((NOTEBOOKS / notebook).read_text())["cells"]
    wanted, found = set(names), set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in wanted:
                found.add(node.name)
            elif isinstance(node, ast.Assign) and {getattr(t, "id", None) for t in node.targets} & wanted:
                found.update(t.id for t in node.targets if getattr(t, "id", None) in wanted)
            else:
                continue
            exec(compile(ast.Module([node], []), notebook, "exec"), namespace)
    missing = wanted - found
    assert not missing, f"{notebook} no longer defines {sorted(missing)}"
    return namespace
