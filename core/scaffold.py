"""``flask concord new-council``: a working council plugin to start from.

It writes a distribution a council's team can install and change: its
``pyproject.toml`` (the ``concord.councils`` entry point), a package holding a
one-process, two-rung ``Council``, a demo directory of example.org people, a
README with the table that ties each rule of the procedure document to what
Concord does, and a test that raises a case and takes it up both rungs.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from string import Template

import click

from core.model.calendar import WorkingDayCalendar
from core.model.procedures import NATIONS, RESERVED_COUNCIL_SLUGS
from core.plugin_manager import ENTRY_POINT_GROUP, installed_councils

SLUG = re.compile(r"^[a-z][a-z0-9]{1,40}$")
# The generated test's day, a Tuesday: St Andrew's Day (Monday 30 November) makes Scotland's deadline a day later.
RAISED_ON = date(2026, 11, 24)

PYPROJECT = Template('''\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "concord-$slug"
version = "0.1.0"
description = "$name's professional disagreement procedure, for Concord."
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["concord>=0.1,<0.2"]

[project.entry-points."concord.councils"]
$slug = "concord_$slug:plugin"

[tool.setuptools.packages.find]
include = ["concord_$slug*"]

[tool.setuptools.package-data]
concord_$slug = ["*.csv"]
''')

PACKAGE = Template('''\
"""$name: professional disagreement and escalation.

Replace this with the council's procedure, rung by rung; README.md says
where each rule of the procedure document went.
"""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from core.plugin import Council, CouncilPlugin, Field, Ladder, Process, Role, Stage, WorkingDays, escalate, resolve

HERE = Path(__file__).parent

LINE_MANAGER = Role("line-manager", "Your line manager")
SENIOR_MANAGER = Role("senior-manager", "Senior manager")

DISCUSSED = (
    Field("discussion", "What was discussed", "textarea"),
    Field("agreed_actions", "What was agreed, by whom and by when", "textarea"),
)

DISAGREEMENT = Process(
    slug="disagreement",
    title="Raise a professional disagreement",
    summary="You disagree with another agency's decision or action about a child.",
    intake=(
        Field("agency", "Which agency made the decision?", "choice",
              choices=("Children's social care", "Health", "Education", "Police")),
        Field("decision", "What was decided?", "textarea",
              hint="Use the child's initials, not their name."),
        Field("concern", "Why do you disagree?", "textarea"),
    ),
    ladders=(
        Ladder("line-management", "Through line management", stages=(
            Stage("stage-1", "Stage 1: line managers", LINE_MANAGER, WorkingDays(5), DISCUSSED,
                  (resolve(), escalate())),
            Stage("stage-2", "Stage 2: senior managers", SENIOR_MANAGER, WorkingDays(5), DISCUSSED,
                  (resolve(),)),
        )),
    ),
)

try:
    VERSION = version("concord-$slug")
except PackageNotFoundError:  # run from a checkout without installing
    VERSION = "0"

COUNCIL = Council(
    slug="$slug",
    name="$name",
    nation="$nation",
    reference_prefix="$prefix",
    processes=(DISAGREEMENT,),
    immediate_risk="If a child is at immediate risk of significant harm, make a child protection referral now.",
    version=VERSION,
)

plugin = CouncilPlugin(COUNCIL, HERE / "directory.csv")
''')

DIRECTORY = Template('''\
role,scope,name,email
line-manager,,Alex Example,line.manager@$slug.example.org
senior-manager,,Sam Example,senior.manager@$slug.example.org
''')

README = Template('''\
# concord-$slug

$name's professional disagreement procedure for Concord.

    pip install -e .            # then $name appears at /$slug/
    pytest tests                # Concord's test fixtures come with Concord

Source document: *(title, version and date of the council's procedure)*.

## From the procedure to Concord

One row per rule of the document; say what Concord does and where, and
where the document is silent, what was chosen and why.

| the procedure says | Concord does | where |
|---|---|---|
| *(e.g. "raise it with your line manager within 5 working days")* | stage 1, line manager, `WorkingDays(5)` | `DISAGREEMENT`, `stage-1` |
| *(e.g. "if not resolved, escalate to a senior manager")* | outcome `escalate` to stage 2 | `stage-2` |
| *(immediate risk)* | immediate-risk guidance on every page | `COUNCIL.immediate_risk` |

## Demo directory

`concord_$slug/directory.csv` holds fictional people only (`example.org`
addresses): `flask concord seed-demo` loads it.
''')

TEST = Template('''\
"""$name: a disagreement goes up both rungs and is resolved."""

import pytest
from concord_$slug import plugin

from core.testing import act, on, raise_case

COUNCIL = "$slug"
ANSWERS = {"agency": "Health", "decision": "No referral was made.", "concern": "The risk is higher than assessed."}


@pytest.fixture
def app(make_app):
    # This council's plugin itself, whether or not it is installed: the test runs from a checkout too.
    # make_app loads no other installed council unless a test names it.
    return make_app(PLUGINS=[plugin])


def test_a_disagreement_climbs_to_the_senior_manager_and_is_resolved(client, clock):
    on(clock, "$raised_on")
    case = raise_case(client, COUNCIL, "disagreement", ANSWERS)
    assert case["stage"]["slug"] == "stage-1"
    assert [a["email"] for a in case["stage"]["assignees"]] == ["line.manager@$slug.example.org"]
    assert case["stage"]["due_on"] == "$first_due"  # 5 working days in $nation_name

    case = act(client, COUNCIL, case["reference"], "escalate",
               {"discussion": "Met on Tuesday.", "agreed_actions": "None agreed."})
    assert case["stage"]["slug"] == "stage-2"
    assert [a["email"] for a in case["stage"]["assignees"]] == ["senior.manager@$slug.example.org"]

    case = act(client, COUNCIL, case["reference"], "resolved",
               {"discussion": "Reviewed the assessment.", "agreed_actions": "Referral made."},
               by="senior.manager@$slug.example.org")
    assert case["status"] == "closed" and case["outcome"] == "resolved"
''')


def why_not(slug: str) -> str | None:
    """Why a new council may not take ``slug``, or None when it may."""
    if not SLUG.match(slug):
        return "use 2 to 41 lower-case letters and digits, starting with a letter"
    if slug in RESERVED_COUNCIL_SLUGS:
        return f"{slug!r} is reserved: {RESERVED_COUNCIL_SLUGS[slug]}. Choose another slug"
    installed = installed_councils().get(slug)
    if installed is not None:
        return (f"a council {slug!r} is already installed ({ENTRY_POINT_GROUP} entry point {installed.value!r}): "
                "choose another slug, or uninstall that one first")
    return None


def files_for(slug: str, nation: str, name: str, prefix: str) -> dict[str, str]:
    """The generated distribution: relative path → text."""
    first_due = WorkingDayCalendar(nation).add(RAISED_ON, 5)
    values = {
        "slug": slug, "name": name, "nation": nation, "nation_name": NATIONS[nation], "prefix": prefix,
        "raised_on": RAISED_ON.isoformat(), "first_due": first_due.isoformat(),
    }
    return {
        "pyproject.toml": PYPROJECT.substitute(values),
        "README.md": README.substitute(values),
        f"concord_{slug}/__init__.py": PACKAGE.substitute(values),
        f"concord_{slug}/directory.csv": DIRECTORY.substitute(values),
        f"tests/test_{slug}.py": TEST.substitute(values),
    }


@click.command("new-council")
@click.argument("slug")
@click.option("--nation", required=True, type=click.Choice(sorted(NATIONS)), help="Whose bank holidays apply.")
@click.option("--name", help="The council's name, e.g. 'Testshire Council' (default: from the slug).")
@click.option("--prefix", help="Case reference prefix, e.g. TST (default: the slug's first three letters).")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder to create the distribution in.")
def new_council(slug, nation, name, prefix, into):
    """Create a council plugin distribution to start from: INTO/SLUG.

    SLUG may not be one core reserves (its test council ``testshire``, the first parts of its own
    paths) nor that of a council already installed.
    """
    problem = why_not(slug)
    if problem:
        raise click.BadParameter(problem, param_hint="SLUG")
    name = name or f"{slug.capitalize()} Council"
    prefix = (prefix or slug[:3]).upper()
    target = into / slug
    if target.exists():
        raise click.ClickException(f"{target} already exists: choose another --into")
    for relative, text in files_for(slug, nation, name, prefix).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    click.echo(f"Created {target}. Next: pip install -e {target} && pytest {target / 'tests'}")
