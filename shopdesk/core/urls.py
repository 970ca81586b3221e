from django.urls import path

from shopdesk.core import people, views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/", views.account, name="account"),
    path("no-shop/", views.no_shop, name="no_shop"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/tokens/new/", views.api_token_new, name="api_token_new"),
    path("account/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/complete/", views.password_reset_complete, name="password_reset_complete"),
    path("healthz", views.healthz, name="healthz"),
    path("people/", people.people_list, name="people"),
    path("people/<int:membership_id>/badge/", people.person_badge, name="person_badge"),
    path("people/floor-settings/", people.floor_settings, name="floor_settings"),
]
