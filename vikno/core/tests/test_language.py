import pytest
from django.conf import settings


@pytest.mark.django_db
def test_interface_is_ukrainian_even_when_the_browser_asks_for_english(client):
    # given a browser configured for English and no language chosen in Vikno
    # when it opens the login page
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    # then the page is in Ukrainian
    assert response.headers["Content-Language"] == "uk"
    assert "Увійти" in response.content.decode()


@pytest.mark.django_db
def test_a_chosen_language_wins(client):
    # given the user chose English with the language switcher (its cookie)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # when the login page is opened
    response = client.get("/accounts/login/")
    # then it is in English
    assert response.headers["Content-Language"] == "en"
