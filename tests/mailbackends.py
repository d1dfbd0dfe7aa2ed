"""E-mail backends for the worker processes the integration tests start (test code, never configured in production)."""

import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    """Takes its time before writing, so a test can kill the worker in the middle of sending."""

    def send_messages(self, email_messages):
        time.sleep(2)
        return super().send_messages(email_messages)
