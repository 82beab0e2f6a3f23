from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Inserts accounts member0..member<N-1>@example.com sharing one password hash (hashed once, not N times)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)

    def handle(self, count, **options):
        User = get_user_model()
        password = make_password("Bench-password-1")
        User.objects.bulk_create(
            (User(username=f"member{i}", email=f"member{i}@example.com", password=password) for i in range(count)),
            batch_size=500,
        )
