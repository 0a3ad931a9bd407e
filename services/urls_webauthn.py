"""django-otp-webauthn's endpoints (the namespace its template tags use),
through our subclasses."""

from django.urls import path

from .access import signed_in_required
from .views import webauthn

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        signed_in_required(webauthn.RegistrationBeginView.as_view()),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        signed_in_required(webauthn.RegistrationCompleteView.as_view()),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        signed_in_required(webauthn.AuthenticationBeginView.as_view()),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        signed_in_required(webauthn.AuthenticationCompleteView.as_view()),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        webauthn.FrenchCatalogView.as_view(),
        name="js-i18n-catalog",
    ),
]
