"""SMTP URLs: parsed into a config, or refused with one line that never shows the password."""

import pytest

from scheduler.mailer import PermanentMailError, SmtpConfig


def test_urls_parse_with_default_ports_and_credentials() -> None:
    plain = SmtpConfig.from_url("smtp://mail.example.org")
    assert (plain.host, plain.port, plain.use_tls) == ("mail.example.org", 25, False)
    tls = SmtpConfig.from_url("smtps://u%40x:p%2Fw@mail.example.org:2465")
    assert (tls.port, tls.use_tls, tls.username, tls.password) == (2465, True, "u@x", "p/w")
    override = SmtpConfig.from_url("smtp://u:p@h:26", username="v", password="q")
    assert (override.username, override.password) == ("v", "q")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("notaurl", "not no scheme"),
        ("http://u:s3cret@h", "must start smtp:// or smtps://, not http://"),
        ("smtp://u:s3cret@h:abc", "port that is not a number"),
        ("smtp://u:s3cret@h:99999", "port that is not a number"),
        ("smtp:/u:s3cret@h", "SMTP URL has no host"),
    ],
)
def test_bad_urls_are_refused_without_echoing_secrets(url: str, message: str) -> None:
    with pytest.raises(PermanentMailError, match=message) as caught:
        SmtpConfig.from_url(url)
    assert "s3cret" not in str(caught.value) and "\n" not in str(caught.value)
