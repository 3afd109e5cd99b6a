"""`govaudit email test` against real SMTP servers on loopback: each way a setup goes wrong is explained."""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl

import pytest
from aiosmtpd.smtp import AuthResult
from typer.testing import CliRunner

from audits.cli import EXIT_RUN_ERROR, app
from audits.commands.email import TEST_SUBJECT
from audits.mail.smtp_env import MailSettingsError, SmtpSettings
from tests.mail_fixtures import SmtpSink, set_env


def send_test(to: str = "office@example.org"):
    return CliRunner().invoke(app, ["email", "test", "--to", to])


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 (cert file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_a_working_server_receives_the_test_message_with_its_chinese_subject(monkeypatch):
    sink = SmtpSink().start()
    try:
        set_env(monkeypatch, sink.env())
        result = send_test()
        assert result.exit_code == 0, result.output
        assert [m.message["Subject"] for m in sink.messages] == [TEST_SUBJECT]
    finally:
        sink.stop()


@pytest.mark.parametrize("env, expected", [
    ({}, "GOVAUDIT_SMTP_HOST is not set"),
    ({"GOVAUDIT_SMTP_HOST": "127.0.0.1"}, "GOVAUDIT_MAIL_FROM is not set"),
    ({"GOVAUDIT_SMTP_HOST": "h", "GOVAUDIT_MAIL_FROM": "a@example.org", "GOVAUDIT_SMTP_SECURITY": "tls"},
     "GOVAUDIT_SMTP_SECURITY='tls' must be one of starttls, ssl, none"),
    ({"GOVAUDIT_SMTP_HOST": "h", "GOVAUDIT_MAIL_FROM": "a@example.org", "GOVAUDIT_SMTP_USER": "u"},
     "set both GOVAUDIT_SMTP_USER and GOVAUDIT_SMTP_PASSWORD"),
    ({"GOVAUDIT_SMTP_HOST": "h", "GOVAUDIT_MAIL_FROM": "not an address"}, "GOVAUDIT_MAIL_FROM='not an address'"),
])
def test_missing_or_bad_settings_are_named(monkeypatch, env, expected):
    set_env(monkeypatch, env)
    result = send_test()
    assert result.exit_code == EXIT_RUN_ERROR
    assert expected in " ".join(result.output.split())


def test_no_server_listening_says_so(monkeypatch):
    sink = SmtpSink()  # port chosen, nothing started
    set_env(monkeypatch, sink.env())
    result = send_test()
    assert result.exit_code == EXIT_RUN_ERROR
    assert (f"no SMTP server at 127.0.0.1:{sink.port}; check GOVAUDIT_SMTP_HOST/GOVAUDIT_SMTP_PORT"
            in " ".join(result.output.split()))


def test_a_rejected_login_names_the_user_settings(monkeypatch):
    def reject(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=False, handled=False)

    sink = SmtpSink(authenticator=reject, auth_require_tls=False).start()
    try:
        set_env(monkeypatch, sink.env(GOVAUDIT_SMTP_USER="audit", GOVAUDIT_SMTP_PASSWORD="wrong"))
        result = send_test()
        output = " ".join(result.output.split())
        assert result.exit_code == EXIT_RUN_ERROR
        assert "rejected the login of 'audit' (535" in output and "check GOVAUDIT_SMTP_USER/GOVAUDIT_SMTP_PASSWORD" in output
        assert sink.messages == []
    finally:
        sink.stop()


def test_starttls_against_a_server_without_it(monkeypatch):
    sink = SmtpSink().start()
    try:
        set_env(monkeypatch, sink.env("starttls"))
        result = send_test()
        assert result.exit_code == EXIT_RUN_ERROR
        assert "does not offer STARTTLS; set GOVAUDIT_SMTP_SECURITY=ssl" in " ".join(result.output.split())
    finally:
        sink.stop()


def test_implicit_tls_against_a_plain_server(monkeypatch):
    sink = SmtpSink().start()
    try:
        set_env(monkeypatch, sink.env("ssl"))
        result = send_test()
        output = " ".join(result.output.split())
        assert result.exit_code == EXIT_RUN_ERROR
        assert f"TLS with 127.0.0.1:{sink.port} failed" in output and "not TLS" in output
        assert "GOVAUDIT_SMTP_SECURITY=ssl" in output
    finally:
        sink.stop()


def test_starttls_with_a_private_ca(monkeypatch, certificate):
    sink = SmtpSink(tls_context=server_context(certificate), require_starttls=True).start()
    try:
        set_env(monkeypatch, sink.env("starttls"))
        untrusted = send_test()
        assert untrusted.exit_code == EXIT_RUN_ERROR
        assert "is not trusted" in untrusted.output and "GOVAUDIT_SMTP_CAFILE" in untrusted.output
        set_env(monkeypatch, sink.env("starttls", GOVAUDIT_SMTP_CAFILE=str(certificate[0])))
        trusted = send_test()
        assert trusted.exit_code == 0, trusted.output
        assert len(sink.messages) == 1
    finally:
        sink.stop()


def test_settings_default_the_port_from_the_security_mode():
    base = {"GOVAUDIT_SMTP_HOST": "smtp.example.org", "GOVAUDIT_MAIL_FROM": "政务公开检查 <audit@example.org>"}
    assert SmtpSettings.from_env(base).port == 587
    assert SmtpSettings.from_env({**base, "GOVAUDIT_SMTP_SECURITY": "ssl"}).port == 465
    settings = SmtpSettings.from_env({**base, "GOVAUDIT_SMTP_USER": "u", "GOVAUDIT_SMTP_PASSWORD": "secret"})
    assert "secret" not in repr(settings)
    assert settings.mail_from.display_name == "政务公开检查"
    with pytest.raises(MailSettingsError, match="GOVAUDIT_SMTP_PORT='smtp'"):
        SmtpSettings.from_env({**base, "GOVAUDIT_SMTP_PORT": "smtp"})


class Credentials:
    """aiosmtpd authenticator that accepts one user and remembers every login attempt."""

    def __init__(self, user: str, password: str):
        self.expected, self.attempts = (user, password), []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        login = (auth_data.login.decode(), auth_data.password.decode())
        over_tls = server.transport.get_extra_info("ssl_object") is not None  # STARTTLS or implicit TLS
        self.attempts.append((mechanism, login, over_tls))
        return AuthResult(success=login == self.expected)


USER_ENV = {"GOVAUDIT_SMTP_USER": "audit@example.org", "GOVAUDIT_SMTP_PASSWORD": "s3cret:pass word"}


def test_a_login_after_starttls_is_accepted_and_the_message_delivered(monkeypatch, certificate):
    credentials = Credentials(USER_ENV["GOVAUDIT_SMTP_USER"], USER_ENV["GOVAUDIT_SMTP_PASSWORD"])
    sink = SmtpSink(tls_context=server_context(certificate), require_starttls=True, authenticator=credentials,
                    auth_require_tls=True).start()
    try:
        set_env(monkeypatch, sink.env("starttls", GOVAUDIT_SMTP_CAFILE=str(certificate[0]), **USER_ENV))
        result = send_test()
        assert result.exit_code == 0, result.output
    finally:
        sink.stop()
    assert [(login, over_tls) for _, login, over_tls in credentials.attempts] == [
        ((USER_ENV["GOVAUDIT_SMTP_USER"], USER_ENV["GOVAUDIT_SMTP_PASSWORD"]), True)]
    assert [m.message["Subject"] for m in sink.messages] == [TEST_SUBJECT]


def test_implicit_tls_with_a_login_delivers(monkeypatch, certificate):
    """SMTP over TLS from the first byte (port 465 style, GOVAUDIT_SMTP_SECURITY=ssl)."""
    credentials = Credentials(USER_ENV["GOVAUDIT_SMTP_USER"], USER_ENV["GOVAUDIT_SMTP_PASSWORD"])
    # aiosmtpd's auth_require_tls knows only STARTTLS; the authenticator checks the channel itself.
    sink = SmtpSink(ssl_context=server_context(certificate), authenticator=credentials,
                    auth_require_tls=False).start()
    try:
        set_env(monkeypatch, sink.env("ssl", GOVAUDIT_SMTP_CAFILE=str(certificate[0]), **USER_ENV))
        result = send_test()
        assert result.exit_code == 0, result.output
        assert f"through 127.0.0.1:{sink.port}" in result.output
    finally:
        sink.stop()
    assert [(login, over_tls) for _, login, over_tls in credentials.attempts] == [
        ((USER_ENV["GOVAUDIT_SMTP_USER"], USER_ENV["GOVAUDIT_SMTP_PASSWORD"]), True)]
    assert len(sink.messages) == 1


def test_a_password_smtp_login_cannot_send_is_named_before_connecting(monkeypatch):
    set_env(monkeypatch, {"GOVAUDIT_SMTP_HOST": "127.0.0.1", "GOVAUDIT_MAIL_FROM": "audit@example.org",
                          "GOVAUDIT_SMTP_USER": "audit", "GOVAUDIT_SMTP_PASSWORD": "密码"})
    result = send_test()
    assert result.exit_code == EXIT_RUN_ERROR
    assert "GOVAUDIT_SMTP_PASSWORD holds characters outside ASCII" in " ".join(result.output.split())
