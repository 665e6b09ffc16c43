"""Run reporting: collect problems and counters during a run, log them as they come.

A `RunReport` is the one mutable object an orchestrator owns; stages return problems in
their results and the orchestrator records them here, so the CLI can print a summary and
choose the exit status.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from generator.models import Problem, Severity

logger = logging.getLogger(__name__)


@dataclass
class RunReport:
    """Problems and counts gathered by one ingest or build run."""

    strict: bool = False
    problems: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, problem: Problem) -> None:
        """Record and log one problem."""
        self.problems.append(problem)
        if problem.severity is Severity.WARNING and not self.strict:
            logger.warning("%s", problem)
        else:
            logger.error("%s", problem)

    def extend(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        """Record several problems."""
        for problem in problems:
            self.add(problem)

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that make the run fail (all of them under --strict)."""
        if self.strict:
            return list(self.problems)
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def failed(self) -> bool:
        """Return True when the exit status must be non-zero."""
        return bool(self.errors)
