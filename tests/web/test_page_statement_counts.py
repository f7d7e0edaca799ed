"""The case page and the directory page read a fixed number of statements, however long their lists."""
from datetime import timedelta

from core.model.records import Case, CaseEvent, Contact, User, db
from core.testing import counted, london, sign_in
from tests.engine.test_statement_counts import ESCALATION, WDC


def add_events(app, reference, count):
    with app.app_context():
        case = db.session.scalar(db.select(Case).where(Case.reference == reference))
        actors = [User(council=WDC, issuer="test", subject=f"{reference}-actor-{i}", email=f"actor{i}@wdc.example.org",
                       name=f"Actor {i}") for i in range(count)]
        db.session.add_all(actors)
        db.session.flush()
        db.session.add_all(CaseEvent(case_id=case.id, at=case.raised_at + timedelta(minutes=i), actor_id=actor.id,
                                     kind="note", summary=f"Note {i}") for i, actor in enumerate(actors))
        db.session.commit()


def statements_for(app, client, path):
    assert client.get(path).status_code == 200
    with counted(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return statements, response


def test_the_case_page_reads_as_many_statements_with_300_timeline_events_as_with_3(app, client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    short = client.post(f"/{WDC}/api/cases", json=ESCALATION).get_json()["reference"]
    long = client.post(f"/{WDC}/api/cases", json={**ESCALATION, "answers": {**ESCALATION["answers"],
                                                                             "decision": "Another."}}).get_json()["reference"]
    add_events(app, short, 3)
    add_events(app, long, 300)
    few, _ = statements_for(app, client, f"/{WDC}/cases/{short}")
    many, page = statements_for(app, client, f"/{WDC}/cases/{long}")
    assert "Actor 299" in page.get_data(as_text=True)
    assert len(many) == len(few), "\n".join(s.split("\n")[0] for s in many)
    assert len(many) <= 10, "\n".join(s.split("\n")[0] for s in many)


def test_the_directory_page_reads_as_many_statements_with_300_contacts_as_with_the_demo_directory(app, client):
    sign_in(client, WDC, "admin.demo@wdc.example.org", "council-admin")
    few, _ = statements_for(app, client, f"/{WDC}/admin/directory/")
    with app.app_context():
        seeds = db.session.scalars(db.select(Contact).where(Contact.council == WDC)).all()
        db.session.add_all(Contact(council=WDC, role=seeds[i % len(seeds)].role, scope=seeds[i % len(seeds)].scope,
                                   name=f"Contact {i:03d}", email=f"contact{i:03d}@wdc.example.org") for i in range(300))
        db.session.commit()
    many, page = statements_for(app, client, f"/{WDC}/admin/directory/")
    assert "Contact 299" in page.get_data(as_text=True)
    assert len(many) == len(few), "\n".join(s.split("\n")[0] for s in many)


def test_the_directory_page_shows_a_contact_named_with_markup_as_text(app, client):
    sign_in(client, WDC, "admin.demo@wdc.example.org", "council-admin")
    with app.app_context():
        seed = db.session.scalars(db.select(Contact).where(Contact.council == WDC)).first()
        db.session.add(Contact(council=WDC, role=seed.role, scope='<b>"Vale"</b>', name='<script>alert("x")</script>',
                               email="odd.name@wdc.example.org"))
        db.session.commit()
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    assert "<script>alert" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
