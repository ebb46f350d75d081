"""Turning a rendered digest into an email message with the right headers."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from scheduler.digests import Digest, DigestLinks, render_html, render_text, subject
from store.clock import utcnow


def new_message_id(domain: str = "rolefit.local") -> str:
    """A fresh Message-ID; stored on the DigestSend before sending so a resend could be spotted."""
    return make_msgid(idstring="digest", domain=domain)


def build_message(
    digest: Digest,
    *,
    to: str,
    mail_from: str,
    links: DigestLinks,
    message_id: str,
) -> EmailMessage:
    """The multipart/alternative email (text first, then HTML) with one-click unsubscribe."""
    message = EmailMessage()
    message["Subject"] = subject(digest)
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    # RFC 2369 + RFC 8058: mail clients show an unsubscribe button that POSTs to this URL.
    message["List-Unsubscribe"] = f"<{links.unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_text(digest, links))
    message.add_alternative(render_html(digest, links), subtype="html")
    return message
