"""E-mail backends for the worker processes the integration tests start (test code, never configured in production)."""

import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    """Takes its time before writing, so a test can kill the worker in the middle of sending."""

    def send_messages(self, email_messages):
        time.sleep(2)
        return super().send_messages(email_messages)


class FlakyOnceBackend(EmailBackend):
    """In-memory backend (mail.outbox) whose first message to one address fails as a dropped connection would."""

    failing_address = "btc@example.vn"
    failed = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, file_path="/tmp", **kwargs)

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, email_messages):
        import smtplib

        from django.core import mail

        for message in email_messages:
            if self.failing_address in message.to and not FlakyOnceBackend.failed:
                FlakyOnceBackend.failed = True
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            mail.outbox.append(message)
        return len(email_messages)
