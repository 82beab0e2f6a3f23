from django.apps import AppConfig


class PeerConfig(AppConfig):
    name = "peer"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signal receiver)
