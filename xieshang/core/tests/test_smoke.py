import pytest


@pytest.mark.django_db
def test_sign_in_page_renders_in_chinese_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert "Content-Security-Policy" in response


def test_home_shows_role(client, committee, make_user):
    user = make_user(committee, "staff")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert committee.name in response.content.decode()
