"""The public pages every State site has (accessibility statement, legal
notice, personal data), reachable without signing in."""

from django.urls import path

from config import views

app_name = "pages"

urlpatterns = [
    path(
        "accessibilite/",
        views.PublicPageView.as_view(
            template_name="pages/accessibility.html",
            title="Déclaration d’accessibilité",
        ),
        name="accessibility",
    ),
    path(
        "mentions-legales/",
        views.PublicPageView.as_view(
            template_name="pages/legal_notice.html", title="Mentions légales"
        ),
        name="legal-notice",
    ),
    path(
        "donnees-personnelles/",
        views.PublicPageView.as_view(
            template_name="pages/personal_data.html", title="Données personnelles"
        ),
        name="personal-data",
    ),
]
