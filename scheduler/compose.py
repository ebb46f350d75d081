"""Turning a rendered digest into an email message with the right headers.

Built with the ``email.mime`` classes rather than ``EmailMessage``: for thousands of digests a
run they are about three times faster, and the result is the same multipart/alternative message
(checked by the tests through a real SMTP server and the modern parser).
"""

from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from scheduler.digests import Digest, DigestLinks, render_html, render_text, subject
from store.clock import utcnow

# Long headers (the List-Unsubscribe URL) stay on one line: RFC 5322 allows 998 characters, and
# some clients mishandle a folded List-Unsubscribe.
NO_FOLDING = compat32.clone(max_line_length=998)


def new_message_id(domain: str = "rolefit.local") -> str:
    """A fresh Message-ID; stored on the DigestSend before sending so a resend could be spotted."""
    return make_msgid(idstring="digest", domain=domain)


def _utf8_qp() -> Charset:
    charset = Charset("utf-8")
    charset.body_encoding = QP  # readable in raw form, unlike base64
    return charset


def _text(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def _part(body: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part.set_payload(body, _utf8_qp())
    return part


def _address(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


def build_message(
    digest: Digest,
    *,
    to: str,
    mail_from: str,
    links: DigestLinks,
    message_id: str,
) -> MIMEMultipart:
    """The multipart/alternative email (text first, then HTML) with one-click unsubscribe."""
    message = MIMEMultipart("alternative", policy=NO_FOLDING)
    message["Subject"] = _text(subject(digest))
    message["From"] = _address(mail_from)
    message["To"] = to
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    # RFC 2369 + RFC 8058: mail clients show an unsubscribe button that POSTs to this URL.
    message["List-Unsubscribe"] = f"<{links.unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.attach(_part(render_text(digest, links), "plain"))
    message.attach(_part(render_html(digest, links), "html"))
    return message
