"""Back-office pages of services, teams, keys and accounts. Included
through ``access.protect`` (config/backoffice_urls.py): every page needs a
verified second factor."""

from django.urls import path
from django.views.generic import RedirectView

from .views import account, service, team

app_name = "services"

S = "services/<uuid:service_id>/"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="services:service-list"), name="home"),
    path("services/", service.ServiceListView.as_view(), name="service-list"),
    path(
        "services/nouveau/", service.ServiceCreateView.as_view(), name="service-create"
    ),
    path("compte/", account.AccountView.as_view(), name="account"),
    path(
        "compte/confirmer-mot-de-passe/",
        account.ReauthenticateView.as_view(),
        name="reauthenticate",
    ),
    path(
        "compte/informations/",
        account.AccountDetailsView.as_view(),
        name="account-details",
    ),
    path(
        "compte/mot-de-passe/",
        account.PasswordChangeView.as_view(),
        name="password-change",
    ),
    path("compte/application/ajouter/", account.TotpAddView.as_view(), name="totp-add"),
    path(
        "compte/cle-de-securite/ajouter/",
        account.SecurityKeyAddView.as_view(),
        name="security-key-add",
    ),
    path(
        "compte/second-facteur/<str:kind>/<int:factor_id>/supprimer/",
        account.FactorRemoveView.as_view(),
        name="factor-remove",
    ),
    path(
        "compte/codes-de-secours/",
        account.BackupCodesRegenerateView.as_view(),
        name="backup-codes-regenerate",
    ),
    path(S + "cles-api/", team.ApiKeyListView.as_view(), name="api-key-list"),
    path(
        S + "cles-api/nouvelle/", team.ApiKeyCreateView.as_view(), name="api-key-create"
    ),
    path(
        S + "cles-api/<uuid:api_key_id>/revoquer/",
        team.ApiKeyRevokeView.as_view(),
        name="api-key-revoke",
    ),
    path(S + "equipe/", team.TeamView.as_view(), name="team"),
    path(S + "equipe/inviter/", team.InvitationCreateView.as_view(), name="invite"),
    path(
        S + "equipe/invitations/<uuid:invitation_id>/annuler/",
        team.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path(
        S + "equipe/<int:member_id>/droits/",
        team.MemberPermissionsView.as_view(),
        name="member-permissions",
    ),
    path(
        S + "equipe/<int:member_id>/retirer/",
        team.MemberRemoveView.as_view(),
        name="member-remove",
    ),
    path(S + "equipe/invites/ajouter/", team.GuestAddView.as_view(), name="guest-add"),
    path(
        S + "equipe/invites/<int:guest_id>/retirer/",
        team.GuestRemoveView.as_view(),
        name="guest-remove",
    ),
    path(S + "parametres/", service.ServiceSettingsView.as_view(), name="settings"),
    path(
        S + "parametres/adresses-de-reponse/ajouter/",
        service.ReplyToAddView.as_view(),
        name="reply-to-add",
    ),
    path(
        S + "parametres/adresses-de-reponse/<uuid:reply_to_id>/retirer/",
        service.ReplyToArchiveView.as_view(),
        name="reply-to-archive",
    ),
    path(
        S + "parametres/adresses-de-reponse/<uuid:reply_to_id>/par-defaut/",
        service.ReplyToDefaultView.as_view(),
        name="reply-to-default",
    ),
    path(
        S + "parametres/expediteurs-sms/ajouter/",
        service.SmsSenderAddView.as_view(),
        name="sms-sender-add",
    ),
    path(
        S + "parametres/expediteurs-sms/<uuid:sms_sender_id>/par-defaut/",
        service.SmsSenderDefaultView.as_view(),
        name="sms-sender-default",
    ),
    path(
        S + "parametres/expediteurs-sms/<uuid:sms_sender_id>/retirer/",
        service.SmsSenderArchiveView.as_view(),
        name="sms-sender-archive",
    ),
    path(
        S + "parametres/passage-en-production/",
        service.GoLiveRequestView.as_view(),
        name="go-live",
    ),
    path(S + "journal/", service.AuditTrailView.as_view(), name="audit"),
]
