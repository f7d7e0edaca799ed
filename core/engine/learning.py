"""Themes and learning recorded when a case closes, and added by leads later.

A council declares its themes (``Council.themes``); its admins add more
(``CouncilTheme``). The themes and learning chosen on a closing outcome
travel in that stage's record (``core.forms.questions.record_of``); this built-in
plugin copies them into ``CaseTheme`` and ``CaseLearning`` rows inside the
transaction that closes the case, so reports can count them with SQL.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from core.hookspecs import CaseView, ChangeKind, StageView, hookimpl
from core.model.procedures import Council
from core.model.records import Case, CaseLearning, CaseTheme, CouncilSetting, CouncilTheme, StageEntry, User, db

THEMES = "case_themes"
LEARNING = "case_learning"


def themes_of(council: Council) -> list[str]:
    """The council's declared themes, then those its admins added, oldest first."""
    extra = db.session.scalars(select(CouncilTheme.label).where(CouncilTheme.council == council.slug)
                               .order_by(CouncilTheme.id))
    return list(dict.fromkeys([*council.themes, *extra]))


def extra_themes(council: Council) -> Sequence[CouncilTheme]:
    return db.session.scalars(select(CouncilTheme).where(CouncilTheme.council == council.slug)
                              .order_by(CouncilTheme.id)).all()


@hookimpl
def concord_case_changed(council: Council, case: CaseView, change: ChangeKind, entry: StageView | None) -> None:
    if change != "closed" or entry is None:
        return
    # The closing stage's record holds the themes and learning; the view does not carry it.
    closing = db.session.get_one(StageEntry, entry.id)  # in the session's identity map: no SQL
    if closing.record and closing.acted_by_id is not None:
        add(db.session.get_one(Case, case.id), closing.acted_by_id, closing.record.get(THEMES) or (),
            closing.record.get(LEARNING), closing.closed_at)


def add(case: Case, user_id: int, themes, text: str | None, moment) -> None:
    """Add themes (those not already on the case) and a piece of learning; the caller commits."""
    have = set(db.session.scalars(select(CaseTheme.theme).where(CaseTheme.case_id == case.id)))
    for theme in dict.fromkeys(themes):
        if theme not in have:
            db.session.add(CaseTheme(council=case.council, case_id=case.id, theme=theme, process=case.process,
                                     closed_at=case.closed_at))
    if text:
        db.session.add(CaseLearning(council=case.council, case_id=case.id, at=moment, by_id=user_id, text=text))


def of_case(case: Case) -> dict:
    """What the case page shows: the case's themes and its learning, oldest first."""
    themes = db.session.scalars(select(CaseTheme.theme).where(CaseTheme.case_id == case.id)
                                .order_by(CaseTheme.id)).all()
    learning = db.session.scalars(select(CaseLearning).where(CaseLearning.case_id == case.id)
                                  .order_by(CaseLearning.id)).all()
    return {"themes": themes, "learning": learning}


def shares(council_slug: str) -> bool:
    setting = db.session.get(CouncilSetting, council_slug)
    return bool(setting and setting.share_aggregates)


def set_sharing(council_slug: str, share: bool, user: User, moment) -> None:
    setting = db.session.get(CouncilSetting, council_slug)
    if setting is None:
        setting = CouncilSetting(council=council_slug)
        db.session.add(setting)
    setting.share_aggregates, setting.changed_at, setting.changed_by_id = share, moment, user.id
