"""The weekly squad digest (HTML, PDF, text) and sending it through a real local SMTP server
(aiosmtpd, started in the test)."""

from __future__ import annotations

import email
import math
import re
import socket
from collections.abc import Iterator
from datetime import date, datetime
from email import policy

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from stridewise import digest, mailer
from stridewise.assessment import Assessment, Metric, Reason
from stridewise.explain import EXPLANATIONS
from stridewise.notes import NOTE_COLUMNS

WEEK = date(2026, 11, 30)


def _a(name: str, level: str, key: str = "", text: str = "", limit: float = 20.0) -> Assessment:
    m = Metric("acwr", "ratio", 1.0, "", "1.0", "usual", "ok", "", "", "", "")
    reasons = (Reason(text, key, "", EXPLANATIONS["coverage"], ""),) if key else ()
    return Assessment(name, pd.Timestamp("2026-12-07"), level, reasons, {"acwr": m}, "km",
                      "uncoupled", limit)


def _notes() -> pd.DataFrame:
    df = pd.DataFrame([
        (1, 1, "Ben <b>", "2026-11-30", None, "coach", "c1", "coach", "calf private",
         "2026-12-01"),
        (2, 1, "Ben <b>", "2026-11-30", None, "athlete", "c1", "coach", "great week",
         "2026-12-01"),
        (3, 1, "Ana", "2026-11-23", None, "athlete", "c1", "coach", "older week", "2026-11-24"),
    ], columns=NOTE_COLUMNS)
    df["created_at"] = pd.to_datetime(df["created_at"])
    return df


def _digest(reader: tuple[str, str] = ("coach", "c2")) -> digest.Digest:
    assessments = [_a("Ana", "low"),
                   _a("Ben <b>", "high", "spike_pct", "a run 30 % longer than usual"),
                   _a("Cy", "moderate", "run_km_change_pct", "running 40 % above usual"),
                   _a("Dee", "high", "load", "loads estimated")]
    groups = {"Ana": "Road", "Ben <b>": "Road", "Cy": "Trail", "Dee": ""}
    chase = pd.DataFrame({"athlete": ["Cy"], "chase": ["no session for 9 days"]})
    comp = pd.DataFrame({"scope": ["squad", "squad", "athlete"], "name": ["Road", "Road", "Ana"],
                         "area": ["strength", "all", "strength"], "share": [0.5, 0.75, 1.0]})
    return digest.build_digest(assessments, groups, week_start=WEEK, as_of=date(2026, 12, 7),
                               chase=chase, notes=_notes(), reader_role=reader[0],
                               reader_id=reader[1], compliance=comp,
                               generated=datetime(2026, 12, 7, 8, 0))


def test_one_section_per_squad_with_flags_actions_compliance_chase_and_visible_notes() -> None:
    d = _digest()
    assert [s.squad for s in d.squads] == ["Road", "Trail", digest.NO_GROUP]
    road = d.squads[0]
    assert [f.athlete for f in road.flagged] == ["Ben <b>"]
    assert "within 20.0 km" in road.flagged[0].action
    assert road.compliance == {"strength": 0.5, "all": 0.75}
    assert list(road.notes["text"]) == ["great week"]  # private and older-week notes left out
    assert list(d.squads[1].chase["athlete"]) == ["Cy"]
    text = digest.digest_text(d)
    assert "- Strength: 50 %" in text and "- All planned items: 75 %" in text
    assert "calf private" not in text and "great week" in text
    assert "Cy: no session for 9 days" in text


def test_the_author_reads_their_private_note_in_their_digest() -> None:
    assert "calf private" in digest.digest_text(_digest(("coach", "c1")))
    assert "calf private" not in digest.digest_text(_digest(("athlete", "Ben <b>")))


def test_html_escapes_user_text_and_breaks_pages_per_squad() -> None:
    html = digest.digest_html(_digest())
    assert "Ben &lt;b&gt;" in html and "Ben <b>" not in html
    assert html.count('<section class="squad">') == 3
    assert "page-break-after:always" in html


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_pdf_has_one_page_per_squad() -> None:
    pdf = digest.digest_pdf(_digest())
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert _pages(pdf) == 3


# ------------------------------------------------------------------------------ SMTP

class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _auth(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"coach" \
        and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    port = _free_port()
    ctl = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=_auth,
                     auth_require_tls=False, auth_exclude_mechanism=["LOGIN"])
    ctl.start()
    try:
        yield inbox, port
    finally:
        ctl.stop()


def _config(port: int, **kw) -> mailer.SmtpConfig:
    return mailer.SmtpConfig.from_settings({"smtp": {
        "host": "127.0.0.1", "port": port, "security": "none", "sender": "coach@club.example",
        "recipients": {"Road": "road@club.example, head@club.example",
                       "*": ["all@club.example"]}, **kw}})


def test_the_digest_arrives_with_its_pdf_and_text(smtp: tuple[_Inbox, int]) -> None:
    inbox, port = smtp
    config = _config(port, user="coach")
    messages, skipped = digest.digest_messages(config, _digest())
    assert skipped == []
    assert mailer.send(config, messages, password="s3cret") == 3
    assert len(inbox.messages) == 3
    rcpts, raw = inbox.messages[0]
    assert rcpts == ["road@club.example", "head@club.example"]
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"].startswith("Stridewise digest: Road, week of 30 Nov")
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Ben <b> (high): a run 30 % longer than usual" in body
    assert "great week" in body and "calf private" not in body
    pdfs = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_filename().endswith("_road.pdf")
    data = pdfs[0].get_content()
    assert data.startswith(b"%PDF-") and _pages(data) == 1
    assert inbox.messages[1][0] == ["all@club.example"]  # the default recipients


def test_a_refused_login_is_one_sentence(smtp: tuple[_Inbox, int]) -> None:
    _, port = smtp
    config = _config(port, user="coach")
    messages, _ = digest.digest_messages(config, _digest())
    with pytest.raises(mailer.MailError, match="refused the login of 'coach'"):
        mailer.send(config, messages, password="wrong")


def test_an_unreachable_server_and_bad_settings_are_one_sentence() -> None:
    config = _config(_free_port())
    with pytest.raises(mailer.MailError, match="cannot be reached"):
        mailer.send(config, [mailer.build_message(config, ["a@b.example"], "s", "b")])
    with pytest.raises(mailer.MailError, match="not an e-mail address"):
        mailer.SmtpConfig.from_settings({"smtp": {"host": "h", "sender": "nobody"}})
    with pytest.raises(mailer.MailError, match="security"):
        mailer.SmtpConfig.from_settings({"smtp": {"host": "h", "security": "tls9"}})
    with pytest.raises(mailer.MailError, match="No SMTP server"):
        mailer.send(mailer.SmtpConfig(), [])


def test_squads_without_recipients_are_reported_not_sent() -> None:
    config = mailer.SmtpConfig.from_settings({"smtp": {
        "host": "h", "sender": "c@club.example", "recipients": {"Trail": "t@club.example"}}})
    messages, skipped = digest.digest_messages(config, _digest())
    assert len(messages) == 1 and skipped == ["Road", digest.NO_GROUP]
    assert not math.isnan(len(messages))


def test_pdf_names_in_any_script_with_and_without_a_unicode_font(monkeypatch) -> None:
    d = _digest()
    odd = digest.build_digest([_a("Łukasz Żółć 李", "high", "spike_pct", "spike")],
                              {"Łukasz Żółć 李": "Ωmega"}, week_start=WEEK,
                              as_of=date(2026, 12, 7), chase=d.squads[0].chase.iloc[0:0],
                              notes=_notes().iloc[0:0], reader_role="coach", reader_id="c")
    assert _pages(digest.digest_pdf(odd)) == 1
    monkeypatch.setattr(digest, "_FONT_PATHS", ())
    monkeypatch.delenv("STRIDEWISE_PDF_FONT", raising=False)
    pdf = digest.digest_pdf(odd)  # Helvetica: characters outside Latin-1 print as "?"
    assert pdf.startswith(b"%PDF-") and b"Helvetica" in pdf and _pages(pdf) == 1
