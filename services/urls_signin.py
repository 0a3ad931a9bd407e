"""The back-office pages reachable before the second factor: sign-in, the
second factor itself, its set-up, sign-out, password reset and
invitations."""

from django.urls import path

from .access import signed_in_required
from .views import signin

app_name = "signin"

urlpatterns = [
    path("connexion/", signin.SignInView.as_view(), name="sign-in"),
    path(
        "connexion/second-facteur/",
        signin.SecondFactorView.as_view(),
        name="second-factor",
    ),
    path(
        "connexion/securiser-mon-compte/",
        signin.FactorSetupView.as_view(),
        name="factor-setup",
    ),
    path(
        "connexion/codes-de-secours/",
        signin.BackupCodesView.as_view(),
        name="backup-codes",
    ),
    path("deconnexion/", signin.SignOutView.as_view(), name="sign-out"),
    path(
        "mot-de-passe/oublie/",
        signin.PasswordResetRequestView.as_view(),
        name="password-reset",
    ),
    path(
        "mot-de-passe/reinitialiser/<str:uidb64>/<str:token>/",
        signin.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "invitation/<str:token>/",
        signin.InvitationAcceptView.as_view(),
        name="invitation",
    ),
]

# Pages that need a password-checked session (not yet a second factor).
SIGNED_IN_ONLY = {"second-factor", "factor-setup", "backup-codes"}
for _pattern in urlpatterns:
    if _pattern.name in SIGNED_IN_ONLY:
        _pattern.callback = signed_in_required(_pattern.callback)
