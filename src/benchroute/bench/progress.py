"""A live progress bar for bench runs (rich): tasks done, pass rate, spend, ETA."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from benchroute.bench.runner import RunSummary


class RichProgress:
    """A `ProgressSink` drawing one bar on the console (stderr by default)."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("pass {task.fields[rate]}"),
            TextColumn("spend ${task.fields[spend]}"),
            TextColumn("err {task.fields[errors]}"),
            # the run's own estimate (average throughput since the start), not rich's recent-speed one,
            # which swings with the bursts of a concurrent run
            TextColumn("eta {task.fields[eta]}"),
            console=self.console,
            transient=False,
        )
        self._task: TaskID | None = None

    def start(self, summary: RunSummary) -> None:
        self._progress.start()
        self._task = self._progress.add_task(
            summary.run_id, total=summary.planned, rate="-", spend="0.0000", errors=0, eta="-"
        )

    def update(self, summary: RunSummary) -> None:
        if self._task is None:
            return
        self._progress.update(
            self._task,
            completed=summary.done + summary.errors,
            rate=f"{summary.pass_rate:.1%}",
            spend=f"{summary.spend_usd:.4f}",
            errors=summary.errors,
            eta=format_eta(summary.eta_seconds()),
        )

    def finish(self, summary: RunSummary) -> None:
        self.update(summary)
        self._progress.stop()


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
