import pytest
from xieshang.core import audit

@pytest.mark.django_db(transaction=True)
def test_flush_probe():
    audit.record(actor=None, action="probe")
