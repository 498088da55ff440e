"""Uploaded files are never served at their storage path (issue #12, item 10): no /media/ route in any mode
(`make run` sets DEBUG), only the permission-checked views stream them."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import clear_url_caches, set_urlconf

import xieshang.urls
from xieshang.core.attachments import attachment_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def debug_urls(media):
    """The URL configuration as `make run` builds it (DEBUG=true when xieshang/urls.py is imported)."""
    with override_settings(DEBUG=True):
        importlib.reload(xieshang.urls)
        clear_url_caches()
        yield
    importlib.reload(xieshang.urls)
    clear_url_caches()
    set_urlconf(None)


def test_an_uploaded_file_is_not_at_its_media_path_even_in_debug(debug_urls, media, committee, make_user):
    staff = make_user(committee, "staff")
    attachment = attachment_add(actor=staff, committee=committee, obj=committee,
                                file=SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 secret"))
    assert (media / attachment.file.name).exists()
    signed_in = Client()
    signed_in.force_login(staff)
    for client in (Client(), signed_in):
        response = client.get("/media/" + attachment.file.name)
        assert response.status_code == 404
        assert b"secret" not in response.content
