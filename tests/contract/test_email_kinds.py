"""One list of email kinds: ``core.hookspecs.EmailKind``. What the outbox plans, the subjects core
renders, the kinds ``concord_email_template`` documents, the kinds docs/plugins.md lists and core's
email templates are all exactly that list."""

import inspect
import re
from pathlib import Path
from typing import get_args

from core.engine import outbox
from core.hookspecs import EmailKind, concord_email_template
from core.notify import digest, render

ROOT = Path(__file__).parents[2]
KINDS = set(get_args(EmailKind))


def test_there_are_kinds_and_each_once():
    assert len(KINDS) == len(get_args(EmailKind)) == 12


def test_the_outbox_plans_every_kind_and_no_other():
    assert set(outbox.KINDS) == KINDS
    assert digest.DIGEST in KINDS
    assert set(outbox.DEADLINE_KINDS) <= KINDS and set(outbox.DUE_DATE_KINDS) <= KINDS


def test_every_kind_has_a_subject():
    assert set(render.SUBJECTS) == KINDS


def test_the_hookspec_documents_every_kind():
    doc = inspect.getdoc(concord_email_template) or ""
    described = doc.split(":param kind:", 1)[1].split(":param", 1)[0].split("Stable since", 1)[0]
    assert set(re.findall(r"``([a-z-]+)``", described)) == KINDS


def test_the_plugin_docs_list_every_kind():
    docs = (ROOT / "docs" / "plugins.md").read_text()
    section = docs.split("### concord_email_template\n", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^\| `([a-z-]+)` \|", section, re.M)) == KINDS


def test_core_has_a_text_and_an_html_template_for_every_kind():
    folder = ROOT / "core" / "templates" / "email"
    for suffix in ("txt", "html"):
        assert {p.stem for p in folder.glob(f"*.{suffix}")} - {"base"} == KINDS, suffix
