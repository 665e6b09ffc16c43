"""The error hierarchy and the exit codes the CLI maps it to.

    DigestError              anything the tool reports without a traceback (exit 1)
    ├── ConfigError          digest.yaml is invalid; carries every problem found
    ├── ContentError         a content file cannot be read (one Problem)
    ├── SourceError          a raw input cannot be read or parsed (one Problem)
    └── BuildError           rendering or writing the site failed

Usage errors (bad flags) are click's own and exit 2.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.models import Problem

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class DigestError(Exception):
    """Base of every error the CLI reports as a clean one-line message."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", 0, problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[DigestError], tuple[tuple[Problem, ...]]]:
        # Keep the located problems when the error crosses a process boundary (parallel render).
        return (type(self), (self.problems,))


class ConfigError(DigestError):
    """The configuration file is missing keys, has unknown keys or wrong values."""


class ContentError(DigestError):
    """A content file is malformed."""


class SourceError(DigestError):
    """A raw input file cannot be decoded or parsed."""


class BuildError(DigestError):
    """The site could not be rendered or written."""
