"""The agencies' JSON API through the real FastAPI app: auth, trainings, participants, exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bot.web.app import create_app
from tests.trainings.conftest import at_local, enrolments, outbox


def test_an_id_too_large_for_the_store_is_422_not_a_crash(api) -> None:
    """Found by schemathesis: a 30-digit id overflowed SQLite's integer and answered 500."""
    for path in ("/api/trainings/554499657091889489772544", "/api/trainings/0/participants.xlsx"):
        assert api.get(path).status_code == 422
    assert api.post("/api/trainings/554499657091889489772544/publish").status_code == 422


@pytest.fixture
def api(core, agency):
    with TestClient(create_app(core.settings, core=core)) as client:
        client.headers["Authorization"] = f"Bearer {agency[1]}"
        yield client


def body(**fields):
    start = at_local(10, 9)
    return {
        "title": "Higiene dan Sanitasi Pangan",
        "organiser": "Dinas Kesehatan Kota Palembang",
        "category": "kuliner",
        "sectors": ["warung_makan", "katering"],
        "province_code": "16",
        "regency_code": "16.71",
        "venue": "Aula PLUT Palembang",
        "starts_at": start.replace(tzinfo=None).isoformat(),
        "ends_at": (start + timedelta(hours=4)).isoformat(),
        "timezone": "Asia/Jakarta",
        "seats": 2,
        "nib_required": False,
        **fields,
    }


def test_without_or_with_a_wrong_token_is_401(api) -> None:
    assert api.get("/api/trainings", headers={"Authorization": ""}).status_code == 401
    response = api.get("/api/trainings", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def test_openapi_documents_the_agency_api(api) -> None:
    schema = api.get("/openapi.json").json()
    assert "/api/trainings/{training_id}/participants.xlsx" in schema["paths"]
    assert "TrainingOut" in schema["components"]["schemas"]
    assert any("HTTPBearer" in name for name in schema["components"]["securitySchemes"])


def test_create_edit_publish(api) -> None:
    created = api.post("/api/trainings", json=body())
    assert created.status_code == 201, created.text
    training = created.json()
    assert training["status"] == "draft" and training["starts_at"].endswith(("Z", "+00:00"))
    assert training["starts_at"][11:16] == "02:00"  # 09:00 WIB
    edited = api.patch(f"/api/trainings/{training['id']}", json={"seats": 75, "nib_required": True})
    assert edited.json()["seats"] == 75 and edited.json()["nib_required"] is True
    published = api.post(f"/api/trainings/{training['id']}/publish")
    assert published.json()["status"] == "published"
    assert [t["id"] for t in api.get("/api/trainings").json()] == [training["id"]]


def test_invalid_training_is_explained(api) -> None:
    response = api.post("/api/trainings", json=body(sectors=["rocket"], regency_code="73.71", venue=None))
    assert response.status_code == 422
    detail = " ".join(response.json()["detail"])
    assert "unknown sector 'rocket'" in detail and "not in province" in detail and "venue" in detail
    bad_zone = api.post("/api/trainings", json=body(timezone="Europe/Paris"))
    assert bad_zone.status_code == 422


def test_another_agencys_training_is_404(api, core) -> None:
    from bot.db import transaction
    from bot.trainings.agency import create_agency

    with transaction(core.db) as session:
        _, other = create_agency(session, "Dinas lain")
    training_id = api.post("/api/trainings", json=body()).json()["id"]
    response = api.get(f"/api/trainings/{training_id}", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404


def seat_three(api, make_owner, make_chat):
    training_id = api.post("/api/trainings", json=body(publish=True, sectors=["batik"])).json()["id"]
    for n in (1, 2, 3):
        make_owner(n)
        chat = make_chat(f"+6281200000{n:03d}", channel="whatsapp")
        for text in ("pelatihan", "1", "1"):
            chat.send(text)
    return training_id


def test_participants_and_waitlist(api, make_owner, make_chat) -> None:
    training_id = seat_three(api, make_owner, make_chat)
    people = api.get(f"/api/trainings/{training_id}/participants").json()
    assert [(p["name"], p["status"], p["waitlist_position"]) for p in people] == [
        ("Pemilik 1", "enrolled", None),
        ("Pemilik 2", "enrolled", None),
        ("Pemilik 3", "waitlisted", 1),
    ]
    assert api.get(f"/api/trainings/{training_id}").json()["waitlisted"] == 1


def test_cancelling_notifies_everyone(api, core, make_owner, make_chat) -> None:
    training_id = seat_three(api, make_owner, make_chat)
    response = api.post(f"/api/trainings/{training_id}/cancel", json={"reason": "gedung dipakai acara lain"})
    assert response.json()["notified"] == 3 and response.json()["training"]["status"] == "cancelled"
    for n in (1, 2, 3):
        told = outbox(core, address=f"+6281200000{n:03d}", kind="announcement")[-1].text
        assert "dibatalkan oleh penyelenggara" in told and "Alasan: gedung dipakai acara lain" in told
    assert {e.status for e in enrolments(core, training_id)} == {"cancelled"}


def test_editing_time_tells_enrolled_owners(api, core, make_owner, make_chat) -> None:
    training_id = seat_three(api, make_owner, make_chat)
    later = at_local(12, 13)
    api.patch(
        f"/api/trainings/{training_id}",
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=3)).isoformat()},
    )
    moved = outbox(core, address="+6281200000001", kind="announcement")[-1].text
    assert "Jadwal *Higiene dan Sanitasi Pangan* berubah" in moved and "pukul 13.00 WIB" in moved
    assert outbox(core, address="+6281200000003", kind="announcement") == []  # waitlisted: not seated


def test_more_seats_are_offered_to_the_waitlist(api, core, make_owner, make_chat) -> None:
    training_id = seat_three(api, make_owner, make_chat)
    api.patch(f"/api/trainings/{training_id}", json={"seats": 3})
    assert "Ada kursi kosong" in outbox(core, address="+6281200000003", kind="offer")[-1].text


def test_attendance_individually_and_by_upload_then_exports(api, make_owner, make_chat) -> None:
    training_id = seat_three(api, make_owner, make_chat)
    people = api.get(f"/api/trainings/{training_id}/participants").json()
    marked = api.post(
        f"/api/trainings/{training_id}/attendance",
        json={"marks": [{"enrolment_id": people[0]["enrolment_id"], "present": True}]},
    )
    assert marked.json() == {"marked": 1, "unmatched": []}
    upload = "telepon,hadir\n0812-0000-0002,0\n0899 9999 9999,1\n"
    response = api.post(
        f"/api/trainings/{training_id}/attendance/upload", files={"file": ("absensi.csv", upload, "text/csv")}
    )
    assert response.json() == {"marked": 1, "unmatched": ["0899 9999 9999"]}

    text = api.get(f"/api/trainings/{training_id}/participants.csv").text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "business", "sector", "phone", "regency", "NIB", "status", "attendance"]
    assert rows[1] == [
        "Pemilik 1",
        "Usaha 1",
        "Batik",
        "+6281200000001",
        "Kota Palembang",
        "1234567890123",
        "attended",
        "hadir",
    ]
    assert rows[2][-2:] == ["no_show", "tidak hadir"] and rows[3][-2:] == ["waitlisted", ""]

    xlsx = api.get(f"/api/trainings/{training_id}/participants.xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Higiene dan Sanitasi Pangan"] + [None] * 7
    assert values[1] == rows[0] and values[2][:2] == ["Pemilik 1", "Usaha 1"] and values[2][-1] == "hadir"
