from django.urls import include, path

urlpatterns = [
    path("api/password_reset/", include("django_rest_passwordreset.urls", namespace="password_reset")),
]
