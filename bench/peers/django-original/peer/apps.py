from django.apps import AppConfig


class PeerConfig(AppConfig):
    name = "peer"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import receivers  # noqa: F401  (connects the signal receiver)

        connection_created.connect(_sqlite_as_the_sample_opens_it)


def _sqlite_as_the_sample_opens_it(sender, connection, **kwargs):
    """synchronous=NORMAL, per connection (the file keeps WAL): an fsync per commit would be the benchmark."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = NORMAL")
