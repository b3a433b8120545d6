"""Notification e-mail through a real SMTP client (configured host and port)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from webapp.services.settings import get_setting

log = logging.getLogger(__name__)


def notification_address() -> str:
    return str(get_setting("notification_email") or "")


def send_mail(to: str | list[str], subject: str, body: str) -> bool:
    """Send one plain-text message; returns False (and logs) when e-mail is off or fails."""
    config = current_app.config
    recipients = [to] if isinstance(to, str) else list(to)
    recipients = [r for r in recipients if r]
    if not config.get("SMTP_HOST") or not recipients:
        log.info("e-mail not sent (no SMTP host or recipient): %s", subject)
        return False
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM", "alimento@localhost")
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(
            config["SMTP_HOST"], int(config.get("SMTP_PORT", 25)), timeout=10
        ) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail '%s' not sent: %s", subject, exc)
        return False
    return True


def notify(subject: str, body: str) -> bool:
    """Send to the notification address from the settings."""
    return send_mail(notification_address(), f"[Alimento] {subject}", body)
