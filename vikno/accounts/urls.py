from django.contrib.auth import views as auth_views
from django.urls import path

from vikno.accounts.views import SetPasswordView

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The one-time link printed by `manage.py create_account` or e-mailed from the workspace:
    # Django's own token and form.
    path("set-password/<uidb64>/<token>/", SetPasswordView.as_view(), name="set_password"),
]
