"""E-mail header values are single-line: a title with a line break (typed in a proposal's subject, or
stored before titles were normalised) still goes out, on one line (issue #12, item 10)."""

from django.core import mail

from xieshang.core import services
from xieshang.core.models import Delivery
from xieshang.core.tests.factories import UserFactory


def test_a_title_with_line_breaks_is_sent_with_a_single_line_subject(db, django_capture_on_commit_callbacks):
    alice = UserFactory(username="alice", email="alice@example.org", phone="")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[alice], kind="test.message", title="关于\r\n发展\n番茄\u0013产业的建议",
                        body="第一行\n第二行", channels=("email",))
    assert [(m.subject, m.body) for m in mail.outbox] == [("关于 发展 番茄产业的建议", "第一行\n第二行")]
    assert Delivery.objects.get().status == Delivery.Status.SENT
