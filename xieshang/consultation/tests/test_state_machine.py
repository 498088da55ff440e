"""Hypothesis drives random sequences of meeting actions — the workflow's, and those beside it (attendance, sign-up,
leave, the code, speeches) — by random roles, with days passing, through the services, and checks after every step:

- every meeting's state is a MeetingState; its version counts its workflow events (one for the plan, one per
  workflow action that changed it);
- an action that fails changes nothing (states, versions, events, attendance rows, duty facts);
- one attendance row at most per member and meeting, and each row is exactly one attendance duty fact of its
  member (of the meeting's kind; quantity = half-days where it counts them); a cancelled meeting has no facts;
- open deadlines: the notice and materials only before the meeting is held, the minutes only while it is held;
- every action `MACHINE.available(user, meeting)` offers is accepted with valid input (tried in a savepoint that
  is rolled back: `offered_actions_are_accepted`).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

import pytest

from xieshang.consultation import selectors, services, workflow
from xieshang.consultation.models import Attendance, LeaveRequest, Meeting, MeetingState
from xieshang.consultation.tests.factories import TODAY, make_world, plan_data
from xieshang.core import clock
from xieshang.core.errors import ServiceError
from xieshang.core.models import Deadline, DutyFact, Event

pytestmark = pytest.mark.django_db

ROLES = ["member", "other_member", "outsider", "unit", "staff", "admin", "leader"]
ACTIONS = sorted(workflow.ACTIONS)
BESIDE = ["attendance", "sign_up", "leave_request", "leave_decide", "sign_in", "speech"]
STATS: dict[str, int] = {}


class _Rollback(Exception):
    pass


def _machine(w):
    members = [w.member_row().pk, w.member_row(w.other_member).pk, w.member_row(w.outsider).pk]

    def valid_data(action, counter, meeting):
        if action == "update":  # the same days, or (when they have passed) moved to today
            start = max(meeting.start_on, clock.today())
            end = start + (meeting.end_on - meeting.start_on)
            return plan_data(w, start_on=start.isoformat(), end_on=end.isoformat(),
                             half_days=counter % 3, kind=["consultation", "standing", "chairpersons"][counter % 3],
                             title=f"协商会{counter}")
        return {"send_minutes": {"minutes": "纪要"}, "cancel": {"reason": "因故取消"}}.get(action, {})

    class MeetingWorkflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            clock.set_to(TODAY)
            self.meetings: list[int] = []
            self.counter = 0

        def _snapshot(self):
            return (list(Meeting.objects.filter(pk__in=self.meetings).order_by("pk").values_list("pk", "state", "version")),
                    Event.objects.count(), Attendance.objects.count(), DutyFact.objects.count(),
                    list(LeaveRequest.objects.order_by("pk").values_list("pk", "state")))

        def _try(self, label, call):
            before = self._snapshot()
            try:
                call()
            except ServiceError:
                assert self._snapshot() == before, f"the failed {label} changed something"
                return False
            STATS[label] = STATS.get(label, 0) + 1
            return True

        def _meeting(self, i):
            return Meeting.objects.get(pk=self.meetings[i % len(self.meetings)])

        @rule(days=st.integers(min_value=1, max_value=30), half_days=st.integers(min_value=0, max_value=4),
              kind=st.sampled_from(["consultation", "plenary", "standing", "chairpersons"]), long=st.booleans())
        def plan(self, days, half_days, kind, long):
            start = clock.today() + datetime.timedelta(days=days)
            end = start + datetime.timedelta(days=1 if long else 0)
            data = plan_data(w, kind=kind, start_on=start.isoformat(), end_on=end.isoformat(), half_days=half_days)
            m = services.meeting_create(actor=w.staff, committee=w.committee, data=data)
            self.meetings.append(m.pk)

        @precondition(lambda self: self.meetings)
        @rule(i=st.integers(min_value=0, max_value=50))
        def progress(self, i):
            """The office moves a meeting one step along its main path (to its first day when it is due)."""
            m = self._meeting(i)
            if m.state == MeetingState.NOTIFIED and clock.today() < m.start_on:
                clock.set_to(m.start_on)
            for _step in range(2):  # up to two steps at once: the walks reach the later states
                offered = {t.action for t in selectors.meeting_actions(w.staff, m)}
                action = next((a for a in ("notify", "hold", "send_minutes", "close") if a in offered), None)
                if action is None:
                    return
                services.meeting_act(actor=w.staff, meeting=m.pk, action=action, data=valid_data(action, self.counter, m))
                STATS[action] = STATS.get(action, 0) + 1
                m.refresh_from_db()
                if m.state == MeetingState.NOTIFIED and clock.today() < m.start_on:
                    clock.set_to(m.start_on)

        @rule(days=st.integers(min_value=1, max_value=12))
        def days_pass(self, days):
            clock.set_to(clock.today() + datetime.timedelta(days=days))

        @precondition(lambda self: self.meetings)
        @rule(i=st.integers(min_value=0, max_value=50), role=st.sampled_from(ROLES), action=st.sampled_from(ACTIONS),
              valid=st.booleans())
        def act(self, i, role, action, valid):
            m = self._meeting(i)
            self.counter += 1
            data = valid_data(action, self.counter, m) if valid else {"reason": "", "minutes": "", "kind": "x"}
            self._try(f"{action}", lambda: services.meeting_act(actor=w.by_role(role), meeting=m.pk, action=action,
                                                                 data=data))

        @precondition(lambda self: self.meetings)
        @rule(i=st.integers(min_value=0, max_value=50), role=st.sampled_from(ROLES), what=st.sampled_from(BESIDE),
              who=st.sampled_from([0, 1, 2]), status=st.sampled_from(["present", "leave", "absent"]),
              half_days=st.sampled_from([None, 0, 1, 5]))
        def beside(self, i, role, what, who, status, half_days):
            m = self._meeting(i)
            user = w.by_role(role)
            member = members[who]
            calls = {
                "attendance": lambda: services.attendance_record(actor=user, meeting=m.pk, data={
                    "member": member, "status": status, "half_days": half_days}),
                "sign_up": lambda: services.sign_up(actor=user, meeting=m.pk),
                "leave_request": lambda: services.leave_request(actor=user, meeting=m.pk, reason="出差"),
                "leave_decide": lambda: services.leave_decide(
                    actor=user, leave=LeaveRequest.objects.filter(meeting=m).order_by("pk").first() or 0,
                    approve=status != "absent"),
                "sign_in": lambda: services.sign_in_with_code(actor=user, committee=w.committee,
                                                              code=m.sign_in_code or "000000", meeting=m.pk),
                "speech": lambda: services.speech_add(actor=user, meeting=m.pk, data={
                    "member": member, "kind": "oral" if who % 2 else "written", "title": "发言"}),
            }
            self._try(what, calls[what])

        @invariant()
        def states_versions_facts_deadlines(self):
            machine_actions = {f"meeting.{a}" for a in workflow.ACTIONS} | {"meeting.create"}
            for m in Meeting.objects.filter(pk__in=self.meetings):
                assert m.state in MeetingState.values
                events = Event.objects.filter(object_id=str(m.pk), action__in=machine_actions).count()
                assert m.version == events, (m.pk, m.version, events)
                rows = list(Attendance.objects.filter(meeting=m))
                assert len({r.member_id for r in rows}) == len(rows)
                facts = DutyFact.objects.filter(object_id=m.pk, kind__in=services.ATTENDANCE_KINDS,
                                                content_type__model="meeting")
                if m.state == MeetingState.CANCELLED:
                    assert not facts.exists()
                else:
                    prefix = services.duty_prefix(m)
                    got = {(f.member_id, f.kind, int(f.quantity)) for f in facts}
                    want = {(r.member_id, f"consultation.{prefix}.{r.status}", r.half_days if m.half_days else 1)
                            for r in rows if (r.half_days if m.half_days else 1)}
                    assert got == want, (m.pk, got, want)
                open_kinds = set(Deadline.objects.filter(object_id=m.pk, content_type__model="meeting",
                                                         state__in=["open", "extended"]).values_list("kind", flat=True))
                if m.state in workflow.GROUPS["upcoming"]:
                    assert open_kinds <= {"consultation.notice", "consultation.materials"}
                    assert ("consultation.notice" in open_kinds) == (m.state == MeetingState.PLANNED)
                elif m.state == MeetingState.HELD:
                    assert open_kinds == {"consultation.minutes"}
                else:
                    assert not open_kinds, (m.state, open_kinds)
                if m.state in workflow.GROUPS["held"]:
                    assert m.held_at is not None

        @invariant()
        def offered_actions_are_accepted(self):
            for pk in self.meetings:
                m = Meeting.objects.get(pk=pk)
                for role in ROLES:
                    user = w.by_role(role)
                    if not selectors.can_see(user, m):
                        continue
                    for t in selectors.meeting_actions(user, m):
                        try:
                            with transaction.atomic():
                                services.meeting_act(actor=user, meeting=pk, action=t.action,
                                                     data=valid_data(t.action, self.counter, m))
                                raise _Rollback
                        except _Rollback:
                            pass
                        except ServiceError as exc:
                            raise AssertionError(f"{t.action} by {role} in {m.state} was offered but refused: "
                                                 f"{exc.code.value} {exc.detail} {exc.message} {exc.field_errors}") from exc

    return MeetingWorkflow


@pytest.mark.long
def test_random_walks_keep_the_invariants():
    w = make_world()
    run_state_machine_as_test(_machine(w), settings=hsettings(
        max_examples=8, stateful_step_count=20, deadline=None, derandomize=True,  # the same walks every run
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    print("successful actions:", dict(sorted(STATS.items())))
    for label in ("notify", "hold"):  # the seeded walks reach the later states
        assert STATS.get(label), (label, STATS)
