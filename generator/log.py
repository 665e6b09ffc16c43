"""Run reporting: collect problems and counters during a run, log them as they come.

A `RunReport` is the one mutable object an orchestrator owns; stages return problems in
their results and the orchestrator records them here, so the CLI can print a summary and
choose the exit status.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from generator.models import Problem, Severity

logger = logging.getLogger(__name__)


class Lap:
    """Log at debug level the seconds since the previous lap (`phase NAME: S s`): where a run's time goes.

    benchmarks/ingest.py reads these lines; `digest build -vv` shows them.
    """

    def __init__(self, logger: logging.Logger, start: float | None = None) -> None:
        self.logger = logger
        self.last = time.perf_counter() if start is None else start

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.logger.debug("phase %s: %.2f s", phase, now - self.last)
        self.last = now


def plural(count: int, noun: str) -> str:
    """Return `1 article`, `2 articles`: the one counted noun of every message and page."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass
class RunReport:
    """Problems and counts gathered by one run, and whether they fail it.

    The exit-status contract: a rejected input or item never fails `ingest` or `build`
    (`tolerant`): it is reported, counted and skipped, and the run goes on. A problem added
    as `fatal` (a path named on the command line that does not exist) always fails the run,
    and under `strict` every problem does. `digest check` is not tolerant: its error-level
    findings fail it.
    """

    strict: bool = False
    tolerant: bool = False
    problems: list[Problem] = field(default_factory=list)
    fatal: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, problem: Problem, *, fatal: bool = False) -> None:
        """Record and log one problem (the CLI turns it into one line, or an annotation)."""
        self.problems.append(problem)
        if fatal:
            self.fatal.append(problem)
        failing = fatal or self.strict or (problem.severity is Severity.ERROR and not self.tolerant)
        logger.log(logging.ERROR if failing else logging.WARNING, "%s", problem, extra={"problem": problem})

    def extend(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        """Record several problems."""
        for problem in problems:
            self.add(problem)

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that make the run fail (all of them under --strict)."""
        if self.strict:
            return list(self.problems)
        if self.tolerant:
            return list(self.fatal)
        return [p for p in self.problems if p.severity is Severity.ERROR or p in self.fatal]

    @property
    def rejected(self) -> list[Problem]:
        """Return the error-level problems: inputs or items that were skipped."""
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def failed(self) -> bool:
        """Return True when the exit status must be non-zero."""
        return bool(self.errors)
