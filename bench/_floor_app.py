"""The submission floor: bare Flask + Flask-SQLAlchemy, one row of a case's size per POST.

Served by gunicorn exactly as Concord is (``bench/submission.py``). It parses
the same JSON body, inserts one row (council, reference, process, answers as
JSON, times) and answers 201 with the reference: what any app must do at least.
"""
import os
import uuid
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class FloorCase(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    process: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)

    @app.post("/<council>/api/cases")
    def open_case(council):
        data = request.get_json()
        case = FloorCase(council=council, reference=uuid.uuid4().hex[:16], process=data["process"],
                         answers=data["answers"], raised_at=datetime.now(UTC))
        db.session.add(case)
        db.session.commit()
        return jsonify({"reference": case.reference}), 201

    return app


app = create_app() if "DATABASE_URL" in os.environ else None
