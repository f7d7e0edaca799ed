"""The council's escalation ladder drawn from its procedure data, with a text alternative."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from core.model.procedures import CORE_OUTCOMES

WIDTH, PAD, GAP = 640, 14, 34
WITHDRAWN_HERE = "The case was withdrawn here by the person who raised it"
TITLE_LINE, TEXT_LINE = 22, 19
TITLE_CHARS, TEXT_CHARS = 56, 72


@dataclass
class Rung:
    number: int
    title: str
    who: str
    deadline: str
    state: str                  # "done", "here", "withdrawn" (the raiser withdrew the case there) or "ahead"
    due: str = ""
    lines: list = field(default_factory=list)   # (class, text, y) inside the box
    y: int = 0
    height: int = 0

    @property
    def words(self) -> str:
        text = f"Stage {self.number}: {self.title}. With the {self.who}, {self.deadline}."
        if self.state == "here":
            text += f" You are here: due {self.due}."
        elif self.state == "done":
            text += " Done."
        elif self.state == "withdrawn":
            text += f" {WITHDRAWN_HERE}."
        return text


@dataclass
class Drawing:
    id: str
    title: str
    rungs: list
    height: int

    @property
    def description(self) -> str:
        return " ".join(r.words for r in self.rungs) + (" Each stage escalates to the one below it." if len(self.rungs) > 1 else "")


def draw(process, ladder, case=None) -> Drawing:
    """Rungs top to bottom in the order a case climbs; a case marks where it has been and where it is."""
    visited = {e.stage: e.outcome for e in case.stages} if case is not None else {}
    current = case.current if case is not None else None
    rungs, y = [], 2
    for number, stage in enumerate(ladder.stages, start=1):
        who = stage.role.title
        mark = stage.holder.removeprefix(who)  # " (not named in the procedure, …)" when the council chose the holder
        if stage.role.scope:
            scope = current.scope if current is not None and current.stage == stage.slug else (
                case.answers.get(stage.role.scope) if case is not None else None)
            who += f" for {scope}" if scope else f" for the {_field_words(process, stage.role.scope)}"
        who += mark
        if current is not None and current.stage == stage.slug:
            state = "here"
        elif stage.slug in visited:
            state = "withdrawn" if visited[stage.slug] in CORE_OUTCOMES else "done"
        else:
            state = "ahead"
        rung = Rung(number, stage.title, who, stage.deadline.describe(), state,
                    f"{current.due_on:%A %-d %B %Y}" if state == "here" and current is not None else "")
        lines = [("app-ladder__title", t) for t in textwrap.wrap(f"{number}. {stage.title}", TITLE_CHARS)]
        lines += [("app-ladder__text", t) for t in textwrap.wrap(f"With: {who}", TEXT_CHARS)]
        lines += [("app-ladder__text", t) for t in textwrap.wrap(f"Deadline: {rung.deadline}", TEXT_CHARS)]
        if state == "here":
            lines.append(("app-ladder__here", f"▶ You are here – due {rung.due}"))
        elif state == "done":
            lines.append(("app-ladder__text", "✓ Done"))
        elif state == "withdrawn":
            lines.append(("app-ladder__text", f"✗ {WITHDRAWN_HERE}"))
        line_y = y + PAD
        for cls, text in lines:
            line_y += TITLE_LINE if cls == "app-ladder__title" else TEXT_LINE
            rung.lines.append((cls, text, line_y))
        rung.y, rung.height = y, line_y - y + PAD
        rungs.append(rung)
        y += rung.height + GAP
    return Drawing(f"ladder-{process.slug}-{ladder.slug}", ladder.title, rungs, y - GAP + 4)


def _field_words(process, name: str) -> str:
    try:
        label = process.field(name).label
    except KeyError:
        return name.replace("_", " ")
    return label[4:] if label.lower().startswith("the ") else label[:1].lower() + label[1:]
