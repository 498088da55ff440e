"""The list's filter options are cached, and an administrator's change shows at once."""

from xieshang.core import services as core_services


def test_a_new_unit_appears_in_the_list_filter_at_once(client, committee, make_user, django_capture_on_commit_callbacks):
    staff = make_user(committee, "staff")
    admin = make_user(committee, "admin")
    client.force_login(staff)
    assert "州新设局" not in client.get("/proposals/").content.decode()  # primes the caches
    with django_capture_on_commit_callbacks(execute=True):
        core_services.handling_unit_save(actor=admin, committee=committee, name="州新设局")
    assert "州新设局" in client.get("/proposals/").content.decode()
