"""Render every generated file from the spec, write them, or compare them."""

from __future__ import annotations

from pathlib import Path

from aiompsls._codegen import render_models, render_surface, render_tables
from aiompsls._codegen.spec import SPEC_PATH, Spec, load

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def render_all(spec: Spec) -> dict[str, str]:
    """Every generated file, keyed by its path relative to the package directory."""
    for action in spec.actions:
        render_models.assign_shapes(action)
    files = {
        f"models/{group}.py": render_models.render_group(spec, group)
        for group in render_models.groups(spec)
    }
    files["models/__init__.py"] = render_models.render_init(spec)
    files["_core/operations.py"] = render_tables.render_operations(spec)
    files["_core/error_codes.py"] = render_tables.render_error_codes(spec)
    files["_actions.py"] = render_surface.render_actions(spec)
    files["paginators.py"] = render_surface.render_paginators(spec)
    files["waiters.py"] = render_surface.render_waiters(spec)
    return files


def write_all(root: Path, spec_path: Path = SPEC_PATH) -> list[str]:
    """Write every generated file below ``root``; return the names written."""
    files = render_all(load(spec_path))
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return sorted(files)


def changed_files(root: Path, spec_path: Path = SPEC_PATH) -> list[str]:
    """The generated files below ``root`` that differ from a fresh rendering."""
    files = render_all(load(spec_path))
    return sorted(
        name
        for name, text in files.items()
        if not (root / name).is_file()
        or (root / name).read_text(encoding="utf-8") != text
    )
