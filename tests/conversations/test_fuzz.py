"""Property: at every registration step, any text at all gets a reply and never an exception."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import Core
from tests.conversations.test_registration import SCRIPT
from tests.support.chat import Chat

STEPS_SCRIPT = [*SCRIPT, "1"]  # every registration step, the summary included
owner_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(categories=["So", "Cc", "Cs", "Zs", "Mn"]), max_size=50),
    st.sampled_from(["", " ", "\n\n", "😀" * 40, "1" * 5000, "0", "-1", "99", "ubah", "hapus"]),
)


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(step=st.integers(min_value=0, max_value=len(STEPS_SCRIPT)), noise=owner_text)
def test_any_text_at_any_step_gets_a_reply(core: Core, step: int, noise: str) -> None:
    chat = Chat(core, address=f"+62812{abs(hash((step, noise))) % 10**8:08d}")
    for text in STEPS_SCRIPT[:step]:
        chat.send(text)
    replies = chat.send(noise)
    assert replies and replies[0].text.strip()
    assert "Traceback" not in replies[0].text
    assert "ada gangguan" not in replies[0].text  # the apology means a turn crashed


VOCABULARY = [
    "halo",
    "menu",
    "batal",
    "lanjut",
    "bantuan",
    "bahasa",
    "berhenti",
    "mulai",
    "data saya",
    "hapus data saya",
    "ubah nib",
    "ubah alamat",
    "ubah",
    "daftar",
    "pelatihan",
    "pelatihan saya",
    "hadir",
    "ya",
    "tidak",
    "1",
    "2",
    "3",
    "4",
    "5",
    "9",
    "0",
    "99",
    "belum punya",
    "palembang",
    "batik tulis",
    "Siti",
    "lewati",
    "081234567890",
    "1234567890123",
    "15 juta sebulan",
    "😀",
    "",
    "x" * 1200,
    "ambil kursi",
    "halal",
    "merek",
    "petugas",
    "makasih",
    "english",
    "cancel",
]


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(messages=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=25))
def test_any_sequence_of_owner_messages_never_crashes(core: Core, messages: list[str]) -> None:
    """Walk every flow (registration, data rights, trainings, commands) in random orders."""
    from bot.trainings.demo import load_demo

    load_demo(core)
    chat = Chat(core, address=f"+62813{abs(hash(tuple(messages))) % 10**8:08d}")
    for text in messages:
        replies = chat.send(text)
        assert replies and replies[0].text.strip()
        assert "ada gangguan" not in replies[0].text and "went wrong" not in replies[0].text, text
