from django.core.mail import send_mail
from django.dispatch import receiver
from django_rest_passwordreset.signals import reset_password_token_created


@receiver(reset_password_token_created)
def mail_reset_link(sender, instance, reset_password_token, **kwargs):
    """Mails the link through Django's SMTP backend, inside the request, as the package's README does."""
    user = reset_password_token.user
    send_mail(
        "Reset your password",
        f"Open http://127.0.0.1/reset-password?token={reset_password_token.key} to choose a new password.",
        None,
        [user.email],
    )
