"""Property: at every registration step, any text at all gets a reply and never an exception."""

from __future__ import annotations

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


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(step=st.integers(min_value=0, max_value=len(STEPS_SCRIPT)), noise=owner_text)
def test_any_text_at_any_step_gets_a_reply(core: Core, step: int, noise: str) -> None:
    chat = Chat(core, address=f"+62812{abs(hash((step, noise))) % 10**8:08d}")
    for text in STEPS_SCRIPT[:step]:
        chat.send(text)
    replies = chat.send(noise)
    assert replies and replies[0].text.strip()
    assert "Traceback" not in replies[0].text
