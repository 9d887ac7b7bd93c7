"""Sending the squad digest through the club's own SMTP server.

The server is configured on the Settings page (settings key ``smtp``): host, port, security
(``starttls``, ``ssl`` or ``none``), user, sender address and recipients per squad. The
password is not a setting: it is kept in the store's ``secrets`` table (never in a backup or an
export) or given by the environment variable ``STRIDEWISE_SMTP_PASSWORD``, which wins.

Failures (server unreachable, login refused, a recipient refused) raise :class:`MailError`
with one sentence; nothing waits longer than :data:`TIMEOUT_S` per network step.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Final

from stridewise.errors import StridewiseError

__all__ = ["MailError", "SmtpConfig", "PASSWORD_KEY", "PASSWORD_ENV", "SECURITY",
           "build_message", "send", "password_for"]

PASSWORD_KEY: Final[str] = "smtp_password"
PASSWORD_ENV: Final[str] = "STRIDEWISE_SMTP_PASSWORD"
SECURITY: Final[tuple[str, ...]] = ("starttls", "ssl", "none")
TIMEOUT_S: Final[float] = 20.0
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


class MailError(StridewiseError):
    """The digest could not be sent (one sentence for the user)."""


def _addresses(value: Any, what: str) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else re.split(r"[,;\s]+", str(value or ""))
    out = tuple(a.strip() for a in items if str(a).strip())
    bad = [a for a in out if not _ADDRESS.match(a)]
    if bad:
        raise MailError(f"{bad[0]!r} in {what} is not an e-mail address.")
    return out


@dataclass(frozen=True)
class SmtpConfig:
    """The club's SMTP server. ``recipients``: squad -> addresses; ``"*"`` is every squad's
    default. No password here (see the module doc)."""

    host: str = ""
    port: int = 587
    security: str = "starttls"
    user: str = ""
    sender: str = ""
    recipients: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    @classmethod
    def from_settings(cls, saved: Mapping[str, Any] | None) -> SmtpConfig:
        """From the saved settings (key ``smtp``); raises :class:`MailError` on a bad value."""
        raw = dict((saved or {}).get("smtp") or {})
        if not raw:
            return cls()
        security = str(raw.get("security") or "starttls")
        if security not in SECURITY:
            raise MailError(f"The SMTP security is one of starttls, ssl or none, "
                            f"not {security!r}.")
        try:
            port = int(raw.get("port") or (465 if security == "ssl" else 587))
        except (TypeError, ValueError) as exc:
            raise MailError(f"The SMTP port must be a number, not {raw.get('port')!r}.") from exc
        if not 0 < port < 65536:
            raise MailError(f"The SMTP port must be between 1 and 65535, not {port}.")
        sender = str(raw.get("sender") or "").strip()
        if sender:
            _addresses(sender, "the sender")
        rec = {str(k): _addresses(v, f"the recipients of {k}")
               for k, v in dict(raw.get("recipients") or {}).items()}
        return cls(str(raw.get("host") or "").strip(), port, security,
                   str(raw.get("user") or "").strip(), sender, rec)

    def to_dict(self) -> dict[str, Any]:
        """For the settings (no password)."""
        return {"host": self.host, "port": self.port, "security": self.security,
                "user": self.user, "sender": self.sender,
                "recipients": {k: list(v) for k, v in self.recipients.items()}}

    def recipients_for(self, squad: str) -> tuple[str, ...]:
        return self.recipients.get(squad) or self.recipients.get("*") or ()


def password_for(store: Any) -> str | None:
    """The SMTP password: ``STRIDEWISE_SMTP_PASSWORD``, else the store's secret."""
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    return store.secret(PASSWORD_KEY) if store is not None else None


def build_message(config: SmtpConfig, to: Sequence[str], subject: str, body: str,
                  attachments: Sequence[tuple[str, bytes, str]] = ()) -> EmailMessage:
    """A message from the configured sender; ``attachments``: (file name, bytes, MIME type)."""
    msg = EmailMessage()
    msg["From"] = config.sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=config.sender.split("@")[-1] or None)
    msg.set_content(body)
    for name, data, mime in attachments:
        main, _, sub = mime.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub or "octet-stream", filename=name)
    return msg


def send(config: SmtpConfig, messages: Sequence[EmailMessage], *,
         password: str | None = None) -> int:
    """Send ``messages`` over one connection; returns how many were sent."""
    if not config.configured:
        raise MailError("No SMTP server is configured: set host and sender on the Settings "
                        "page.")
    if not messages:
        return 0
    where = f"{config.host}:{config.port}"
    try:
        if config.security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=TIMEOUT_S,
                context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_S)
        with server:
            server.ehlo()
            if config.security == "starttls":
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if config.user:
                server.login(config.user, password or "")
            for m in messages:
                refused = server.send_message(m)
                if refused:
                    raise MailError(f"The mail server {where} refused "
                                    f"{', '.join(sorted(refused))}.")
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"The mail server {where} refused the login of {config.user!r}: "
                        "check user and password.") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"The mail server {where} does not offer "
                        f"{'STARTTLS' if config.security == 'starttls' else 'login'}: "
                        "change the security setting.") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"The mail server {where} refused every recipient "
                        f"({', '.join(sorted(exc.recipients))}).") from exc
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise MailError(f"The mail server {where} did not accept the message "
                        f"({exc.__class__.__name__}: {str(exc)[:160]}).") from exc
    except TimeoutError as exc:
        raise MailError(f"The mail server {where} did not answer within "
                        f"{TIMEOUT_S:.0f} seconds.") from exc
    except OSError as exc:
        raise MailError(f"The mail server {where} cannot be reached "
                        f"({exc.strerror or exc}).") from exc
    return len(messages)
