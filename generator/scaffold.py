"""Create a new digest site (`digest init DIR`) from the files shipped in `scaffold_files/`.

Input: a target folder and options. Output: a commented `digest.yaml`, a sample in `raw/`,
the Pages and check workflows, a README, `.gitignore` and `requirements.txt`; with
`templates=True` also a copy of the default templates. Existing files are never overwritten.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from generator.errors import DigestError
from generator.models import Problem

logger = logging.getLogger(__name__)

SCAFFOLD_DIR = Path(__file__).with_name("scaffold_files")
#: Files stored under another name in the package: wheels and some tools drop dotfiles.
RENAMES = {"gitignore": ".gitignore", "github": ".github"}
REQUIREMENTS = "requirements.txt"


@dataclass(frozen=True)
class InitResult:
    """What `init_site` wrote and what it left alone."""

    root: Path
    written: tuple[str, ...]  # relative to root, sorted
    kept: tuple[str, ...]  # existing files it did not touch

    @property
    def summary(self) -> str:
        """Return `created 9 files in my-site`."""
        kept = f" ({len(self.kept)} existing kept)" if self.kept else ""
        return f"created {len(self.written)} files in {self.root}{kept}"


def default_templates_dir() -> Path:
    """Return the packaged default templates (the repository's templates/ when not installed)."""
    # The same lookup as render.default_template_dir; repeated so scaffolding needs no Jinja.
    try:
        return Path(str(importlib.resources.files("generator.templates")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "templates"


def _target_name(rel: Path) -> Path:
    return Path(*(RENAMES.get(part, part) for part in rel.parts))


def _scaffold_files() -> dict[Path, Path]:
    """Return {path in the new site: source file} for every shipped scaffold file."""
    out = {}
    for src in sorted(SCAFFOLD_DIR.rglob("*")):
        if src.is_file() and "__pycache__" not in src.parts:
            out[_target_name(src.relative_to(SCAFFOLD_DIR))] = src
    return out


def _template_files() -> dict[Path, Path]:
    """Return {path in the new site: source file} for the default templates."""
    root = default_templates_dir()
    out = {}
    for src in sorted(root.rglob("*")):
        if src.is_file() and "__pycache__" not in src.parts and src.suffix not in (".py", ".pyc"):
            out[Path("templates") / src.relative_to(root)] = src
    return out


def install_requirement() -> str | None:
    """Return a pip requirement for the digest that is running, when it came from a repository."""
    # PEP 610: pip records where a package was installed from; a VCS URL can be reused by CI.
    try:
        text = importlib.metadata.distribution("digest").read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        return None
    if not text:
        return None
    try:
        info = json.loads(text)
    except ValueError:
        return None
    vcs = info.get("vcs_info") or {}
    url = info.get("url", "")
    if vcs.get("vcs") != "git" or not url.startswith("https://"):
        return None
    ref = vcs.get("requested_revision") or vcs.get("commit_id") or ""
    return f"digest @ git+{url}{'@' + ref if ref else ''}"


def _requirements_text(template: str) -> str:
    """Return requirements.txt: the shipped comments, plus the install line when it is known."""
    line = install_requirement()
    if line is None:
        return template
    return template.rstrip("\n") + f"\n{line}\n"


def init_site(root: Path, *, templates: bool = False, force: bool = False) -> InitResult:
    """Create a new site in root; raise DigestError when root has files and force is not set."""
    if root.exists() and not root.is_dir():
        raise DigestError([Problem(str(root), 0, "exists and is not a folder", "choose another name")])
    if root.is_dir() and any(root.iterdir()) and not force:
        raise DigestError(
            [
                Problem(
                    str(root), 0, "folder is not empty", "choose a new folder, or add --force to add the missing files"
                )
            ]
        )
    files = _scaffold_files()
    if templates:
        files.update(_template_files())

    # Gather first, then write: every source is read before the first file is created.
    payloads: dict[Path, bytes] = {}
    for rel, src in files.items():
        data = src.read_bytes()
        if rel == Path(REQUIREMENTS):
            data = _requirements_text(data.decode("utf-8")).encode("utf-8")
        payloads[rel] = data
    written, kept = [], []
    for rel, data in sorted(payloads.items()):
        dest = root / rel
        if dest.exists():
            kept.append(rel.as_posix())
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("xb") as handle:  # "x": never replace a file that appeared meanwhile
            handle.write(data)
        shutil.copymode(files[rel], dest)
        written.append(rel.as_posix())
    logger.debug("init %s: wrote %s", root, ", ".join(written))
    return InitResult(root, tuple(written), tuple(kept))
