"""Every write of the grassroots app. Demands and activities move through the kernel's Machine
(`DEMAND_MACHINE`, `ACTIVITY_MACHINE`); the named services below delegate to it, so pages and the API share
one path: permission, legality, the guard and the input, one transaction, one audit event, notices after
the commit.

The public door (no account) is `phone_code_request` (an SMS code, rate-limited per phone and address) and
`demand_submit_public` (the code, used once; rate-limited per phone and address; a repeated request with
the same code and text gives back the same tracking code instead of a second demand).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core import audit, categories, clock, limits
from xieshang.core import deadlines as dl
from xieshang.core.duty import duty_fact_record, duty_fact_remove
from xieshang.core.errors import Forbidden, Invalid, NotFound
from xieshang.core.models import HandlingUnit, Member, Role, SpecialCommittee
from xieshang.core.notices import Notice
from xieshang.core.selectors import roles_of
from xieshang.core.services import notify
from xieshang.core.workflow import Machine, Step, as_id, parse_input

from . import selectors as sel
from . import workflow as wf
from .models import (
    PHOTO_BYTES, PHOTO_LIMIT, Activity, ActivityKind, ActivityMember, ActivityState, Attendance, Demand,
    DemandPhoto, DemandSource, DemandState, Outcome, OutcomeState, PhoneCode, Place, Satisfaction,
)

D = DemandState

# Public door limits (per phone / per address): SMS codes and submissions.
CODE_TTL = datetime.timedelta(minutes=10)
CODE_TRIES = 5
CODE_GAP_SECONDS = 60  # one code per phone per minute
CODES_PER_PHONE_HOUR = 5
CODES_PER_ADDRESS_HOUR = 20
SUBMITS_PER_PHONE_DAY = 5
SUBMITS_PER_ADDRESS_HOUR = 10

TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from a wall
TRACKING_LENGTH = 10  # 32**10 ≈ 1.1e15 codes (50 bits)

RECEIVED_SMS = gettext_lazy("We have received your demand. Its tracking code is %(code)s.")

DUTY_KINDS = {ActivityKind.CONSULTATION: "grassroots.activity", ActivityKind.RECEPTION_DAY: "grassroots.reception_day"}


def _limit(name: str) -> int:
    """A public-door limit, overridable in settings (XIESHANG_GRASSROOTS_LIMITS = {"SUBMITS_PER_ADDRESS_HOUR": …})."""
    return int(getattr(settings, "XIESHANG_GRASSROOTS_LIMITS", {}).get(name, globals()[name]))


# --- Tracking codes and phone numbers --------------------------------------------------------------------


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))


def normalise_code(value) -> str:
    """What a citizen typed, as stored: upper case, without spaces and dashes (at most 16 characters)."""
    text = "".join(ch for ch in str(value or "")[:40] if ch.isalnum()).upper()
    return text[:16]


def _code_hash(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def mask_personal(text: str, limit: int | None = 500) -> str:
    """Phone numbers and identity card numbers hidden: a first public summary (cut to `limit`; the keeper
    reviews it), or a text carried into a member's draft (`limit=None`)."""
    import re

    text = re.sub(r"\d{17}[\dXx]|\d{15}", "****", text or "")
    text = re.sub(r"1\d{2}[\s-]?\d{4}[\s-]?\d{4}", "1**********", text)
    return text[:limit] if limit else text


# --- Notices -------------------------------------------------------------------------------------------------


def _text_citizen(demand: Demand, message: Notice, stage: str, language: str | None = None) -> None:
    """An SMS to the citizen after the commit (件件有回音); never with the text of the demand. Written in the
    portal's language (`language`: the citizen's own choice on the portal), not in that of the keeper or unit
    whose action sends it."""
    if not demand.phone:
        return
    from xieshang.core.sms import send_sms

    with translation.override(language or settings.LANGUAGE_CODE):
        message = str(message)
    phone, key = demand.phone, f"demand:{demand.pk}:{stage}:{demand.version}"
    transaction.on_commit(lambda: _send_quietly(send_sms, phone, message, key))


def _send_quietly(send, phone, message, key) -> None:
    import logging

    try:
        send(phone, message, idempotency_key=key)
    except Exception:  # an SMS gateway that fails must not fail the citizen's page
        logging.getLogger("xieshang.sms").exception("SMS to a citizen failed (%s)", key)


def _tell_keepers(demand: Demand, kind: str, title, body="") -> None:
    notify(recipients=sel.keepers_of(demand.place), kind=kind, title=title, body=body,
           url=sel.url_or_hash("grassroots:demand", demand.pk), committee=demand.committee)


def _tell_unit(demand: Demand, kind: str, title, body="") -> None:
    notify(recipients=sel.unit_users(demand.committee_id, demand.unit), kind=kind, title=title, body=body,
           url=sel.url_or_hash("grassroots:demand", demand.pk), committee=demand.committee)


# --- Deadlines ----------------------------------------------------------------------------------------------


def _copy_due(demand: Demand) -> None:
    """The demand's `due_on` (for lists): the due date of its open deadline, if any."""
    from xieshang.core.models import Deadline

    row = dl.deadlines_of(demand).filter(state__in=[Deadline.State.OPEN, Deadline.State.EXTENDED]).order_by("due_on").first()
    demand.due_on = row.due_on if row else None


def _meet_all(demand: Demand, today) -> None:
    for row in dl.deadlines_of(demand):
        if row.is_open:
            dl.deadline_meet(obj=demand, kind=row.kind, party=row.party, on=today)


def _waive_all(demand: Demand) -> None:
    for row in dl.deadlines_of(demand):
        if row.is_open:
            dl.deadline_waive(obj=demand, kind=row.kind, party=row.party)


def _open_answer(demand: Demand, party: str, today, due_on=None) -> None:
    dl.deadline_open(obj=demand, kind="demand.answer", party=party, start=today, due_on=due_on)


# --- Demand handlers ------------------------------------------------------------------------------------------


def _do_accept(step: Step) -> None:
    demand = step.obj
    dl.deadline_meet(obj=demand, kind="demand.accept", on=step.today)
    _open_answer(demand, "place", step.today)
    _copy_due(demand)
    _text_citizen(demand, Notice(gettext_lazy("Your demand %(code)s has been accepted by %(place)s."),
                                 code=demand.tracking_code, place=demand.place.name), "accept")


def _do_decline(step: Step) -> None:
    demand = step.obj
    demand.decline_reason = step.input.reason
    _waive_all(demand)
    _meet_all(demand, step.today)
    demand.due_on = None
    demand.closed_on = step.today
    step.payload["reason"] = step.input.reason
    _text_citizen(demand, Notice(gettext_lazy("Your demand %(code)s was not taken up; the reason is on the "
                                              "tracking page."), code=demand.tracking_code), "decline")


def _do_refer(step: Step) -> None:
    demand = step.obj
    unit = HandlingUnit.objects.filter(committee_id=demand.committee_id, pk=step.input.unit, is_active=True).first()
    if unit is None:
        raise Invalid(field_errors={"unit": [_("Choose an active handling unit of this committee.")]})
    if step.input.due_on is not None and step.input.due_on < step.today:
        raise Invalid(field_errors={"due_on": [_("The due date cannot be in the past.")]})
    dl.deadline_meet(obj=demand, kind="demand.accept", on=step.today)
    dl.deadline_waive(obj=demand, kind="demand.answer", party="place")
    demand.unit = unit
    _open_answer(demand, f"unit:{unit.pk}", step.today, step.input.due_on)
    _copy_due(demand)
    step.payload.update({"unit": unit.pk, "unit_name": unit.name, "due_on": demand.due_on.isoformat()})
    from xieshang.text.services import suggestion_record  # routing against the suggestion (xieshang.text)

    for kind, chosen in (("demand.unit", unit.pk), ("demand.category", demand.category)):
        suggestion_record(committee=demand.committee, kind=kind, obj=demand, chosen=chosen, actor=step.actor,
                          body=demand.text)
    if step.input.note:
        step.payload["note"] = step.input.note
    _tell_unit(demand, "demand.referred", Notice(gettext_lazy("A citizen's demand was referred to your unit: %(subject)s"), subject=demand.tracking_code))
    _text_citizen(demand, Notice(gettext_lazy("Your demand %(code)s has been passed to %(unit)s."),
                                 code=demand.tracking_code, unit=unit.name), "refer")


def _do_return(step: Step) -> None:
    demand = step.obj
    dl.deadline_waive(obj=demand, kind="demand.answer", party=f"unit:{demand.unit_id}")
    step.payload.update({"unit": demand.unit_id, "reason": step.input.reason})
    demand.unit = None
    _open_answer(demand, "place", step.today)
    _copy_due(demand)
    _tell_keepers(demand, "demand.returned", Notice(gettext_lazy("A unit returned a demand: %(subject)s"), subject=demand.tracking_code),
                  step.input.reason)


def _do_convert(step: Step) -> None:
    demand = step.obj
    member = Member.objects.filter(committee_id=demand.committee_id, pk=step.input.member).select_related("user").first()
    if member is None:
        raise Invalid(field_errors={"member": [_("Choose a member of this committee.")]})
    if member.user_id is None or not member.user.is_active:
        raise Invalid(field_errors={"member": [_("This member has no account to draft with.")]})
    title = (_("A citizen's demand at %(place)s") % {"place": demand.place.name})[:100]
    # The draft may be published one day: it names the demand by its number, never by its tracking code (the
    # citizen's key), and the phone and identity numbers in the text are masked.
    body = _("From citizen's demand no. %(number)s (%(place)s):") % {"number": demand.pk, "place": demand.place.name}
    body = f"{body}\n\n{mask_personal(demand.text, limit=None)}"
    if step.input.to == "proposal":
        from xieshang.proposals.services import proposal_create

        draft = proposal_create(actor=member.user, committee=demand.committee, title=title, body=body,
                                category=demand.category)
        demand.proposal = draft
        url = sel.url_or_hash("proposals:detail", draft.pk)
    else:
        from xieshang.opinions.services import opinion_create

        draft = opinion_create(actor=member.user, committee=demand.committee, title=title, body=body,
                               category=demand.category)
        demand.opinion = draft
        url = sel.url_or_hash("opinions:detail", draft.pk)
    demand.member = member
    dl.deadline_meet(obj=demand, kind="demand.accept", on=step.today)
    dl.deadline_waive(obj=demand, kind="demand.answer", party="place")
    _copy_due(demand)
    step.payload.update({"to": step.input.to, "member": member.pk, "draft": draft.pk})
    notify(recipients=[member.user], kind="demand.converted",
           title=Notice(gettext_lazy("A citizen's demand was turned into a draft for you: %(subject)s"), subject=demand.tracking_code),
           url=url, committee=demand.committee)


def _do_answer(step: Step) -> None:
    demand = step.obj
    demand.answer = step.input.text
    demand.answered_on = step.today
    if demand.state == D.REFERRED:
        demand.answered_by_unit_id = demand.unit_id
    due = demand.due_on
    demand.answered_late = bool(due and step.today > due)
    _meet_all(demand, step.today)
    demand.due_on = None
    step.payload["late"] = demand.answered_late
    if demand.state == D.REFERRED:  # the unit answered: the place hears of it
        _tell_keepers(demand, "demand.answered", Notice(gettext_lazy("A unit answered a demand: %(subject)s"), subject=demand.tracking_code))
    _text_citizen(demand, Notice(gettext_lazy("Your demand %(code)s has been answered. Read the answer and tell us "
                                              "whether you are satisfied on the tracking page."),
                                 code=demand.tracking_code), "answer")


def _do_confirm(step: Step) -> None:
    demand = step.obj
    demand.citizen_comment = step.input.comment
    step.payload.update({"satisfied": step.input.satisfied, "by": "citizen" if "citizen" in step.relations else "keeper"})
    if step.input.satisfied:
        demand.satisfaction = Satisfaction.SATISFIED
        demand.state = D.CLOSED
        demand.closed_on = step.today
        return
    if demand.reopened == 0:
        demand.reopened = 1
        demand.satisfaction = ""
        if demand.public:  # the next answer is not on the portal until the place has read and published it
            demand.public = False
            step.payload["unpublished"] = True
        if demand.answered_by_unit_id and demand.unit_id:
            demand.state = D.REFERRED
            _open_answer(demand, f"unit:{demand.unit_id}", step.today)
            _tell_unit(demand, "demand.reopened", Notice(gettext_lazy("A citizen is not satisfied with your answer: %(subject)s"), subject=demand.tracking_code), step.input.comment)
        else:
            demand.state = D.ACCEPTED
            _open_answer(demand, "place", step.today)
        _copy_due(demand)
        _tell_keepers(demand, "demand.reopened", Notice(gettext_lazy("A citizen is not satisfied with an answer: %(subject)s"), subject=demand.tracking_code), step.input.comment)
        step.payload["reopened"] = True
        return
    demand.satisfaction = Satisfaction.UNSATISFIED
    demand.state = D.CLOSED
    demand.closed_on = step.today


def _do_close(step: Step) -> None:
    demand = step.obj
    demand.satisfaction = Satisfaction.UNCONFIRMED
    demand.closed_on = step.today


def _do_classify(step: Step) -> None:
    if step.obj.category == step.input.category:
        step.skip = True
        return
    step.payload.update({"from": step.obj.category, "to": step.input.category})
    step.obj.category = step.input.category


def _do_publish(step: Step) -> None:
    step.obj.public = True
    step.obj.public_summary = step.input.summary


def _do_unpublish(step: Step) -> None:
    step.obj.public = False


def _index_demand(demand) -> None:
    from xieshang.core import search

    search.index("demand", [demand.pk])


DEMAND_MACHINE = Machine(
    name="demand",
    model=Demand,
    transitions=wf.DEMAND_TRANSITIONS,
    handlers={
        "accept": _do_accept, "decline": _do_decline, "refer": _do_refer, "return": _do_return,
        "convert": _do_convert, "answer": _do_answer, "confirm": _do_confirm, "close": _do_close,
        "classify": _do_classify, "publish": _do_publish, "unpublish": _do_unpublish,
    },
    relations=sel.demand_relations,
    can_see=sel.can_see_demand,
    groups=wf.DEMAND_GROUPS,
    after_save=_index_demand,
    state_label=lambda s: str(DemandState(s).label) if s in DemandState.values else s,
)


def demand_act(*, actor, demand, action: str, data: dict | None = None, expected_version=None) -> Demand:
    """Any demand action (the API's `/demands/{id}/actions/{action}` and the pages)."""
    return DEMAND_MACHINE.act(actor=actor, obj=demand, action=action, data=data, expected_version=expected_version)


def demand_accept(*, actor, demand, expected_version=None) -> Demand:
    return demand_act(actor=actor, demand=demand, action="accept", expected_version=expected_version)


def demand_decline(*, actor, demand, reason: str, expected_version=None) -> Demand:
    return demand_act(actor=actor, demand=demand, action="decline", data={"reason": reason},
                      expected_version=expected_version)


def demand_refer(*, actor, demand, unit, due_on=None, note: str = "", expected_version=None) -> Demand:
    return demand_act(actor=actor, demand=demand, action="refer",
                      data={"unit": as_id(unit), "due_on": due_on, "note": note}, expected_version=expected_version)


def demand_return(*, actor, demand, reason: str, expected_version=None) -> Demand:
    return demand_act(actor=actor, demand=demand, action="return", data={"reason": reason},
                      expected_version=expected_version)


def demand_convert(*, actor, demand, to: str, member, expected_version=None) -> Demand:
    return demand_act(actor=actor, demand=demand, action="convert", data={"to": to, "member": as_id(member)},
                      expected_version=expected_version)


def demand_answer(*, actor, demand, text: str, expected_version=None) -> Demand:
    return demand_act(actor=actor, demand=demand, action="answer", data={"text": text},
                      expected_version=expected_version)


def demand_confirm(*, actor, demand, satisfied: bool, comment: str = "", expected_version=None) -> Demand:
    return demand_act(actor=actor, demand=demand, action="confirm", data={"satisfied": satisfied, "comment": comment},
                      expected_version=expected_version)


def demand_close(*, actor, demand, expected_version=None) -> Demand:
    return demand_act(actor=actor, demand=demand, action="close", expected_version=expected_version)


def demand_publish(*, actor, demand, summary: str, expected_version=None) -> Demand:
    return demand_act(actor=actor, demand=demand, action="publish", data={"summary": summary},
                      expected_version=expected_version)


# --- Creating demands ----------------------------------------------------------------------------------------


def _insert_demand(**values) -> Demand:
    """Create the row with a fresh tracking code (a collision, about one in 10^15, draws again)."""
    for _attempt in range(5):
        code = new_tracking_code()
        try:
            with transaction.atomic():
                return Demand.objects.create(tracking_code=code, **values)
        except IntegrityError:
            if Demand.objects.filter(tracking_code=code).exists():
                continue
            raise
    raise RuntimeError("no free tracking code after 5 draws")


def _after_create(demand: Demand, actor, request=None) -> None:
    dl.deadline_open(obj=demand, kind="demand.accept", start=demand.received_on)
    _copy_due(demand)
    demand.save(update_fields=["due_on"])
    audit.record(actor=actor, action="demand.create", obj=demand, to_state=demand.state,
                 payload={"source": demand.source, "place": demand.place_id}, request=request)
    _index_demand(demand)


def _place_for(actor, committee, place_id, roles) -> Place:
    if place_id:
        place = Place.objects.filter(committee_id=committee.pk, pk=place_id).first()
        if place is None:
            raise Invalid(field_errors={"place": [_("Choose a place of this committee.")]})
        if Role.STATION in roles and not roles & {Role.STAFF, Role.ADMIN} and Role.MEMBER not in roles \
                and place.pk not in sel.place_ids_of(actor, committee):
            raise Invalid(field_errors={"place": [_("Choose one of your own places.")]})
        return place
    own = sorted(sel.place_ids_of(actor, committee))
    if own:
        return Place.objects.get(pk=own[0])
    raise Invalid(field_errors={"place": [_("Choose the place the demand belongs to.")]})


def demand_create(*, actor, committee, data: dict, photos=()) -> Demand:
    """A demand recorded by a keeper (at a reception day or activity), a member (met on a visit) or staff."""
    if not sel.may_record_demand(actor, committee):
        raise Forbidden()
    roles = roles_of(actor, committee)
    values = parse_input(wf.DemandInput, data, committee=committee)
    place = _place_for(actor, committee, values.place, roles)
    activity = None
    if values.activity:  # one the recorder may see (the demand's page names its topic)
        activity = sel.activities_visible_to(actor, committee).filter(pk=values.activity).first()
        if activity is None:
            raise Invalid(field_errors={"activity": [_("Choose an activity of this committee.")]})
    checked = check_photos(photos)
    # a keeper records for their own places; anywhere else (a keeper who is also a member) as a member,
    # who then sees what they recorded
    source = (DemandSource.KEEPER if roles & {Role.STAFF, Role.ADMIN} or place.pk in sel.place_ids_of(actor, committee)
              else DemandSource.MEMBER)
    with transaction.atomic():
        demand = _insert_demand(
            committee=committee, place=place, activity=activity, source=source, text=values.text,
            category=values.category or categories.catalogue(committee).default(), citizen_name=values.name, phone=values.phone, received_on=clock.today(),
            recorded_by=actor,
        )
        _save_photos(demand, checked)
        _after_create(demand, actor)
        if source == DemandSource.MEMBER:
            _tell_keepers(demand, "demand.received", Notice(gettext_lazy("A member recorded a demand for your place: %(subject)s"), subject=demand.tracking_code))
        _text_citizen(demand, Notice(RECEIVED_SMS, code=demand.tracking_code), "received")
    return demand


# --- Photos ----------------------------------------------------------------------------------------------------

IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _sniff(head: bytes) -> str | None:
    for magic, kind in IMAGE_TYPES.items():
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photos(photos) -> list[tuple[object, str]]:
    """(file, content type) for each photo, or Invalid naming the problem: at most PHOTO_LIMIT photos, each
    a JPEG, PNG or WebP image (by its bytes, not its name) of at most PHOTO_BYTES."""
    photos = [p for p in (photos or []) if p]
    if len(photos) > PHOTO_LIMIT:
        raise Invalid(field_errors={"photos": [_("At most %(n)d photos.") % {"n": PHOTO_LIMIT}]})
    out = []
    for photo in photos:
        if photo.size > PHOTO_BYTES:
            raise Invalid(field_errors={"photos": [_("A photo may have at most %(mb)d MB.") % {"mb": PHOTO_BYTES >> 20}]})
        photo.seek(0)
        kind = _sniff(photo.read(16))
        photo.seek(0)
        if kind is None:
            raise Invalid(field_errors={"photos": [_("Only JPEG, PNG or WebP photos.")]})
        out.append((photo, kind))
    return out


def _save_photos(demand: Demand, checked) -> None:
    import uuid

    for photo, kind in checked:
        ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[kind]
        row = DemandPhoto(demand=demand, content_type=kind, size=photo.size)
        row.file.save(f"{uuid.uuid4().hex}.{ext}", photo, save=False)
        row.save()


# --- The public door: SMS codes and submissions ----------------------------------------------------------------


def phone_code_request(*, phone: str, purpose: str = "submit", address: str = "") -> PhoneCode:
    """Send a 6-digit code to `phone` (valid CODE_TTL, used once). Refused with a clear message (Invalid
    "rate_limited") when the phone asked less than a minute ago, or the phone or address asked too often
    this hour."""
    values = parse_input(wf.PhoneInput, {"phone": phone, "purpose": purpose})
    phone = values.phone
    now = clock.now()
    if not limits.hit("sms-gap", phone, limit=1, window=CODE_GAP_SECONDS):
        raise Invalid(_("A code was sent to this number less than a minute ago. Please wait a moment."),
                      detail="rate_limited")
    if not limits.hit("sms-phone", phone, limit=_limit("CODES_PER_PHONE_HOUR")):
        raise Invalid(_("Too many codes for this number in the last hour. Please try again later."),
                      detail="rate_limited")
    if not limits.hit("sms-address", address, limit=_limit("CODES_PER_ADDRESS_HOUR")):
        raise Invalid(_("Too many codes from your connection in the last hour. Please try again later."),
                      detail="rate_limited")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        row = PhoneCode.objects.create(phone=phone, purpose=values.purpose, code_hash=_code_hash(phone, code),
                                       address=address or None, created_at=now, expires_at=now + CODE_TTL)
    message = _("Your Xieshang code is %(code)s (valid for 10 minutes). Do not tell it to anyone.") % {"code": code}
    from xieshang.core.sms import send_sms

    transaction.on_commit(lambda: _send_quietly(send_sms, phone, message, f"phone-code:{row.pk}"))
    return row


def _bad_code() -> Invalid:
    return Invalid(field_errors={"code": [_("The code is wrong or has expired. Ask for a new one.")]},
                   detail="bad_code")


def phone_code_check(*, phone: str, code: str, purpose: str) -> PhoneCode:
    """The unused, unexpired code row that matches, or Invalid "bad_code". Each wrong try is counted in a
    transaction of its own (it stays counted although the request fails); after CODE_TRIES the code is dead.
    Call it outside any transaction; the caller marks the row used under a lock (`_use_code`)."""
    code = "".join(ch for ch in str(code or "") if ch.isdigit())[:8]
    now = clock.now()
    with transaction.atomic():
        row = (PhoneCode.objects.select_for_update()
               .filter(phone=phone, purpose=purpose, expires_at__gt=now, tries__lt=CODE_TRIES, used_at__isnull=True)
               .order_by("-created_at").first())
        good = row is not None and hmac.compare_digest(row.code_hash, _code_hash(phone, code))
        if row is not None and not good:
            PhoneCode.objects.filter(pk=row.pk).update(tries=row.tries + 1)
    if not good:
        raise _bad_code()
    return row


def _use_code(row: PhoneCode, demand=None) -> None:
    """Mark the code used, in the caller's transaction; a code another request used meanwhile: bad_code."""
    done = PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=clock.now(), demand=demand)
    if not done:
        raise _bad_code()


def _made_with(phone: str, code: str, text: str, place) -> Demand | None:
    """The demand an earlier request made with this phone, code and text (a retry gets it back), or None."""
    used = (PhoneCode.objects.filter(phone=phone, purpose="submit", used_at__isnull=False, demand__text=text,
                                     demand__place=place)
            .select_related("demand").order_by("-used_at").first())
    if used is not None and hmac.compare_digest(used.code_hash, _code_hash(phone, code)):
        return used.demand
    return None


def demand_submit_public(*, committee, data: dict, photos=(), address: str = "", request=None) -> Demand:
    """A citizen's demand from the portal (no account). The SMS code confirms the phone and is used once;
    sending the same code again with the same text (a retry after a lost answer) gives back the demand it
    made. Rate-limited per phone (a day) and per address (an hour)."""
    values = parse_input(wf.PublicDemandInput, data, committee=committee)
    place = None
    if values.place:
        place = Place.objects.filter(committee_id=committee.pk, pk=values.place, public=True).first()
    if place is None:
        if values.place:
            raise Invalid(field_errors={"place": [_("Choose a place from the list.")]})
        raise Invalid(field_errors={"place": [_("Choose the place nearest to you.")]})
    checked = check_photos(photos)
    digits = "".join(c for c in values.code if c.isdigit())
    earlier = _made_with(values.phone, digits, values.text, place)
    if earlier is not None:  # a retry of a request that went through
        return earlier
    if limits.exceeded("demand-phone", values.phone, limit=_limit("SUBMITS_PER_PHONE_DAY"), window=86400):
        raise Invalid(_("This number has sent several demands today. Please try again tomorrow."),
                      detail="rate_limited")
    if limits.exceeded("demand-address", address, limit=_limit("SUBMITS_PER_ADDRESS_HOUR")):
        raise Invalid(_("Too many demands from your connection in the last hour. Please try again later."),
                      detail="rate_limited")
    try:
        row = phone_code_check(phone=values.phone, code=values.code, purpose="submit")
        with transaction.atomic():
            demand = _insert_demand(
                committee=committee, place=place, source=DemandSource.PORTAL, text=values.text,
                category=values.category or categories.catalogue(committee).default(), citizen_name=values.name, phone=values.phone, received_on=clock.today(),
            )
            _use_code(row, demand)
            _save_photos(demand, checked)
            _after_create(demand, None, request=request)
            _tell_keepers(demand, "demand.received",
                          Notice(gettext_lazy("A citizen sent a demand to your place: %(subject)s"), subject=demand.tracking_code))
    except Invalid:
        # the same request twice at once: the other one used the code first and made the demand
        earlier = _made_with(values.phone, digits, values.text, place)
        if earlier is not None:
            return earlier
        raise
    limits.count("demand-phone", values.phone, window=86400)
    limits.count("demand-address", address)
    _text_citizen(demand, Notice(RECEIVED_SMS, code=demand.tracking_code), "received", translation.get_language())
    return demand


def phone_follow(*, phone: str, code: str) -> str:
    """Confirm a phone number to list all of its demands ("follow my demands"); returns the phone."""
    values = parse_input(wf.PhoneInput, {"phone": phone, "purpose": "follow"})
    row = phone_code_check(phone=values.phone, code=code, purpose="follow")
    with transaction.atomic():
        _use_code(row)
    return values.phone


def demand_confirm_public(*, tracking_code: str, satisfied: bool, comment: str = "") -> Demand:
    """The citizen's verdict on the answer, by tracking code (a wrong code: NotFound, as for a missing one)."""
    code = normalise_code(tracking_code)
    demand = Demand.objects.filter(tracking_code=code).only("pk").first() if code else None
    if demand is None:
        raise NotFound()
    return demand_act(actor=sel.Citizen(code), demand=demand.pk, action="confirm",
                      data={"satisfied": satisfied, "comment": comment})


# --- Activities ------------------------------------------------------------------------------------------------


def _members(committee_id, ids) -> list[Member]:
    ids = {as_id(i) for i in ids or ()} - {None}
    rows = list(Member.objects.filter(committee_id=committee_id, pk__in=ids))
    if len(rows) != len(ids):
        raise Invalid(field_errors={"members": [_("Choose members of this committee.")]})
    return rows


def _units(committee_id, ids, field="units") -> list[HandlingUnit]:
    ids = {as_id(i) for i in ids or ()} - {None}
    rows = list(HandlingUnit.objects.filter(committee_id=committee_id, pk__in=ids))
    if len(rows) != len(ids):
        raise Invalid(field_errors={field: [_("Choose handling units of this committee.")]})
    return rows


def _apply_plan(activity: Activity, plan: wf.PlanInput, *, keep_organiser: bool) -> None:
    activity.kind = plan.kind
    activity.topic = plan.topic
    activity.notice = plan.notice
    activity.date = plan.date
    activity.start_time = plan.start_time
    activity.location = plan.location
    activity.citizens_invited = plan.citizens_invited
    if not keep_organiser:
        if plan.place:
            activity.place = Place.objects.filter(committee_id=activity.committee_id, pk=plan.place).first()
            if activity.place is None:
                raise Invalid(field_errors={"place": [_("Choose a place of this committee.")]})
        if plan.special_committee:
            activity.special_committee = SpecialCommittee.objects.filter(
                committee_id=activity.committee_id, pk=plan.special_committee).first()
            if activity.special_committee is None:
                raise Invalid(field_errors={"special_committee": [_("Choose a special committee of this committee.")]})
        if activity.place is None and activity.special_committee is None:
            raise Invalid(field_errors={"place": [_("Choose the place or special committee that holds it.")]})
    if activity.kind == ActivityKind.RECEPTION_DAY and activity.place_id and Activity.objects.filter(
            place_id=activity.place_id, date=activity.date, kind=ActivityKind.RECEPTION_DAY).exclude(pk=activity.pk).exists():
        raise Invalid(field_errors={"date": [_reception_day_taken()]})


def _reception_day_taken() -> str:
    return _("The place already has a reception day on this date.")


def _set_invited(activity: Activity, members: list[Member], units: list[HandlingUnit]) -> None:
    wanted = {m.pk for m in members}
    ActivityMember.objects.filter(activity=activity).exclude(member_id__in=wanted).delete()
    have = set(ActivityMember.objects.filter(activity=activity).values_list("member_id", flat=True))
    ActivityMember.objects.bulk_create([ActivityMember(activity=activity, member=m) for m in members if m.pk not in have])
    activity.units_invited.set(units)


def activity_create(*, actor, committee, data: dict) -> Activity:
    """Plan an activity (or a reception day) at a place the actor keeps, or (staff) at any place or for a
    special committee."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    roles = roles_of(actor, committee)
    plan = parse_input(wf.PlanInput, data)
    office = bool(roles & {Role.STAFF, Role.ADMIN})
    if not office:
        if Role.STATION not in roles:
            raise Forbidden()
        own = sel.place_ids_of(actor, committee)
        if plan.special_committee or (plan.place and plan.place not in own):
            raise Invalid(field_errors={"place": [_("Choose one of your own places.")]})
        if not plan.place:
            if not own:
                raise Forbidden()
            plan.place = sorted(own)[0]
    if plan.date < clock.today() - datetime.timedelta(days=366):
        raise Invalid(field_errors={"date": [_("The date is more than a year ago.")]})
    members = _members(committee.pk, plan.members)
    units = _units(committee.pk, plan.units)
    try:
        with transaction.atomic():
            activity = Activity(committee=committee, created_by=actor, topic="", date=plan.date)
            _apply_plan(activity, plan, keep_organiser=False)
            activity.save()
            _set_invited(activity, members, units)
            audit.record(actor=actor, action="activity.create", obj=activity, to_state=activity.state,
                         payload={"place": activity.place_id, "special_committee": activity.special_committee_id,
                                  "kind": activity.kind})
    except IntegrityError:  # the rota's planner (or another keeper) made that reception day a moment ago
        raise Invalid(field_errors={"date": [_reception_day_taken()]}) from None
    return activity


def _do_update(step: Step) -> None:
    activity = step.obj
    plan = step.input
    members = _members(activity.committee_id, plan.members)
    units = _units(activity.committee_id, plan.units)
    _apply_plan(activity, plan, keep_organiser=True)
    _set_invited(activity, members, units)


def _tell_invited(activity: Activity, kind: str, title, body="") -> None:
    users = [row.member.user for row in activity.participants.select_related("member__user") if row.member.user_id]
    notify(recipients=users, kind=kind, title=title, body=body,
           url=sel.url_or_hash("grassroots:activity", activity.pk), committee=activity.committee)


def _do_publish_activity(step: Step) -> None:
    activity = step.obj
    activity.published_at = step.now
    _tell_invited(activity, "activity.published", Notice(gettext_lazy("You are invited to a consultation activity: %(subject)s"), subject=activity.topic))


def _do_record(step: Step) -> None:
    """hold / record: attendance (and duty facts), citizens, departments present, minutes."""
    activity = step.obj
    rec = step.input
    present = _members(activity.committee_id, rec.present)
    leave = _members(activity.committee_id, rec.leave)
    units = _units(activity.committee_id, rec.units_present, field="units_present")
    existing = {row.member_id: row for row in ActivityMember.objects.filter(activity=activity)}
    for m in present + leave:
        if m.pk not in existing:
            existing[m.pk] = ActivityMember.objects.create(activity=activity, member=m)
    present_ids, leave_ids = {m.pk for m in present}, {m.pk for m in leave}
    kind = DUTY_KINDS[activity.kind]
    for member_id, row in existing.items():
        status = Attendance.PRESENT if member_id in present_ids else (
            Attendance.LEAVE if member_id in leave_ids else Attendance.ABSENT)
        if row.status != status:
            row.status = status
            row.save(update_fields=["status"])
    by_id = {m.pk: m for m in Member.objects.filter(pk__in=existing.keys())}
    for member_id in existing:
        if member_id in present_ids:
            duty_fact_record(member=by_id[member_id], kind=kind, obj=activity, occurred_on=activity.date)
        else:
            duty_fact_remove(member=by_id[member_id], kind=kind, obj=activity)
    activity.citizens_count = rec.citizens_count
    activity.minutes = rec.minutes
    activity.units_present.set(units)
    if step.action == "hold":
        activity.held_at = step.now
    step.payload.update({"present": len(present_ids), "leave": len(leave_ids), "citizens": rec.citizens_count})


def _do_cancel(step: Step) -> None:
    step.payload["reason"] = step.input.reason
    if step.obj.state == ActivityState.PUBLISHED:
        _tell_invited(step.obj, "activity.cancelled", Notice(gettext_lazy("A consultation activity was cancelled: %(subject)s"), subject=step.obj.topic),
                      step.input.reason)


ACTIVITY_MACHINE = Machine(
    name="activity",
    model=Activity,
    transitions=wf.ACTIVITY_TRANSITIONS,
    handlers={"update": _do_update, "publish": _do_publish_activity, "hold": _do_record, "record": _do_record,
              "cancel": _do_cancel},
    relations=sel.activity_relations,
    can_see=sel.can_see_activity,
    groups=wf.ACTIVITY_GROUPS,
    state_label=lambda s: str(ActivityState(s).label) if s in ActivityState.values else s,
)


def activity_act(*, actor, activity, action: str, data: dict | None = None, expected_version=None) -> Activity:
    return ACTIVITY_MACHINE.act(actor=actor, obj=activity, action=action, data=data, expected_version=expected_version)


def activity_publish(*, actor, activity, expected_version=None) -> Activity:
    return activity_act(actor=actor, activity=activity, action="publish", expected_version=expected_version)


def activity_hold(*, actor, activity, present=(), leave=(), citizens_count: int = 0, units_present=(),
                  minutes: str = "", expected_version=None) -> Activity:
    return activity_act(actor=actor, activity=activity, action="hold", expected_version=expected_version, data={
        "present": [as_id(m) for m in present], "leave": [as_id(m) for m in leave], "citizens_count": citizens_count,
        "units_present": [as_id(u) for u in units_present], "minutes": minutes,
    })


def activity_close(*, actor, activity, expected_version=None) -> Activity:
    return activity_act(actor=actor, activity=activity, action="close", expected_version=expected_version)


def activity_cancel(*, actor, activity, reason: str, expected_version=None) -> Activity:
    return activity_act(actor=actor, activity=activity, action="cancel", data={"reason": reason},
                        expected_version=expected_version)


# --- Outcomes (成果清单) ---------------------------------------------------------------------------------------


def _require_organiser(actor, activity: Activity) -> None:
    if actor is None or not sel.can_see_activity(actor, activity):
        raise NotFound()
    if not sel.activity_relations(actor, activity) & {"organiser", "staff"}:
        raise Forbidden()


def outcome_add(*, actor, activity, data: dict) -> Outcome:
    """Add a line to a held activity's outcome list: owner, due date (a deadline of the kernel)."""
    activity = Activity.objects.filter(pk=as_id(activity)).first()
    if activity is None:
        raise NotFound()
    _require_organiser(actor, activity)
    if activity.state not in wf.ACTIVITY_GROUPS["held"]:
        raise Invalid(_("Outcomes are recorded once the activity has been held."), detail="not_held")
    values = parse_input(wf.OutcomeInput, data)
    unit = member = None
    if values.owner_kind == "unit":
        unit = (_units(activity.committee_id, [values.owner_unit], field="owner_unit") or [None])[0]
    elif values.owner_kind == "member":
        member = (_members(activity.committee_id, [values.owner_member]) or [None])[0]
    if values.due_on is not None and values.due_on < activity.date:
        raise Invalid(field_errors={"due_on": [_("The due date cannot be before the activity.")]})
    with transaction.atomic():
        outcome = Outcome.objects.create(activity=activity, committee_id=activity.committee_id, text=values.text,
                                         owner_kind=values.owner_kind, owner_unit=unit, owner_member=member,
                                         due_on=values.due_on)
        if values.due_on:
            dl.deadline_open(obj=outcome, kind="activity.outcome", due_on=values.due_on)
        audit.record(actor=actor, action="activity.outcome_add", obj=activity,
                     payload={"outcome": outcome.pk, "owner": values.owner_kind})
    return outcome


def outcome_done(*, actor, outcome, note: str = "") -> Outcome:
    outcome = Outcome.objects.filter(pk=as_id(outcome)).select_related("activity").first()
    if outcome is None:
        raise NotFound()
    _require_organiser(actor, outcome.activity)
    note = parse_input(wf.ReasonInput, {"reason": note or "-"}).reason if note else ""
    with transaction.atomic():
        locked = Outcome.objects.select_for_update().get(pk=outcome.pk)
        if locked.state == OutcomeState.DONE:
            return locked
        locked.state, locked.done_on, locked.note = OutcomeState.DONE, clock.today(), note[:500]
        locked.save(update_fields=["state", "done_on", "note"])
        if locked.due_on:
            dl.deadline_meet(obj=locked, kind="activity.outcome")
        audit.record(actor=actor, action="activity.outcome_done", obj=outcome.activity, payload={"outcome": locked.pk})
    return locked


# --- Photos of an activity (core attachments) -----------------------------------------------------------------

PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png")


def may_attach_photos(user, activity: Activity) -> bool:
    """The organisers and staff add or remove photos once the activity has been held, until the record is closed."""
    return (activity.state == ActivityState.HELD
            and bool(sel.activity_relations(user, activity) & {"organiser", "staff"}))


def activity_photo_add(*, actor, activity, file):
    """Attach a photo of the activity (JPEG or PNG, core's size limit): the organisers or staff, once held."""
    from xieshang.core import attachments

    activity = Activity.objects.filter(pk=as_id(activity)).first()
    if activity is None:
        raise NotFound()
    _require_organiser(actor, activity)
    if activity.state != ActivityState.HELD:
        raise Invalid(_("Photos are added once the activity has been held, before its record is closed."),
                      detail="not_held")
    return attachments.attachment_add(actor=actor, committee=activity.committee_id, obj=activity, file=file,
                                      purpose="photo", extensions=PHOTO_EXTENSIONS)


def activity_photo_remove(*, actor, activity, attachment) -> None:
    from xieshang.core import attachments

    _require_organiser(actor, activity)
    if not may_attach_photos(actor, activity):
        raise Forbidden()
    row = attachments.attachments_of(activity, "photo").filter(pk=as_id(attachment) or 0).first()
    if row is None:
        raise NotFound()
    attachments.attachment_remove(actor=actor, attachment=row)


# --- Reception days from the rota ------------------------------------------------------------------------------


def reception_days_plan(today: datetime.date | None = None, days: int = 31) -> int:
    """The scheduler: a reception day (接待日) activity for each public place's rota day in the next `days`
    days, with the place's resident members on duty in turn. Idempotent (one per place and date)."""
    today = today or clock.today()
    made = 0
    for place in Place.objects.exclude(reception_days="").prefetch_related("residents"):
        rota = place.rota_days()
        residents = [r.member_id for r in sorted(place.residents.all(), key=lambda r: r.pk)]
        day = today
        for _i in range(days):
            if day.day in rota and not Activity.objects.filter(place=place, kind=ActivityKind.RECEPTION_DAY,
                                                               date=day).exists():
                try:
                    _plan_reception_day(place, day, residents)
                    made += 1
                except IntegrityError:  # another planner made this day a moment ago (one per place and date)
                    pass
            day += datetime.timedelta(days=1)
    return made


def _plan_reception_day(place: Place, day: datetime.date, residents: list[int]) -> Activity:
    with transaction.atomic():
        act = Activity.objects.create(
            committee_id=place.committee_id, kind=ActivityKind.RECEPTION_DAY, place=place,
            topic=_("Reception day at %(place)s") % {"place": place.name}, date=day,
            location=place.address, state=ActivityState.PUBLISHED, published_at=clock.now(),
        )
        if residents and place.on_duty:  # the residents take turns, `on_duty` at a time
            start = (day.toordinal() // 10) % len(residents)
            duty = [residents[(start + k) % len(residents)] for k in range(min(place.on_duty, len(residents)))]
            ActivityMember.objects.bulk_create([ActivityMember(activity=act, member_id=m) for m in duty])
        audit.record(actor=None, action="activity.create", obj=act, to_state=act.state, payload={"rota": True})
    return act


def run_scheduled() -> str:
    made = reception_days_plan()
    return f"{made} reception days planned"


# --- Places ------------------------------------------------------------------------------------------------------


def place_save(*, actor, committee, data: dict, place: Place | None = None) -> Place:
    """Create or change a place (staff): its station or studio (through core's services), county, township,
    address, rota, public flag, special committee (a sector studio), resident members."""
    from xieshang.core import services as core_services

    if not sel.is_office(actor, committee):
        raise Forbidden() if actor is not None and roles_of(actor, committee) else NotFound()
    values = parse_input(wf.PlaceInput, data)
    members = _members(committee.pk, values.members)
    sc = None
    if values.kind == "sector_studio":
        sc = SpecialCommittee.objects.filter(committee_id=committee.pk, pk=values.special_committee or 0).first()
        if sc is None:
            raise Invalid(field_errors={"special_committee": [_("A sector studio belongs to a special committee.")]})
    with transaction.atomic():
        if place is None:
            if values.kind == "station":
                station = core_services.liaison_station_save(actor=actor, committee=committee, name=values.name,
                                                             address=values.address)
                place = Place(committee=committee, station=station)
            else:
                studio = core_services.studio_save(actor=actor, committee=committee, name=values.name,
                                                   kind="member" if values.kind == "member_studio" else "sector",
                                                   address=values.address)
                place = Place(committee=committee, studio=studio)
            place.kind = values.kind
            created = True
        else:
            created = False
            row = place.station or place.studio
            if row.name != values.name or row.address != values.address:
                if place.station_id:
                    core_services.liaison_station_save(actor=actor, committee=committee, station=row, name=values.name,
                                                       short_name=row.short_name, address=values.address,
                                                       sort_order=row.sort_order, is_active=row.is_active)
                else:
                    core_services.studio_save(actor=actor, committee=committee, studio=row, name=values.name,
                                              kind=row.kind, short_name=row.short_name, address=values.address,
                                              sort_order=row.sort_order, is_active=row.is_active)
        for field in ("name", "county", "township", "address", "reception_days", "on_duty", "opening_hours", "phone",
                      "public"):
            setattr(place, field, getattr(values, field))
        place.special_committee = sc
        place.save()
        place.residents.exclude(member__in=members).delete()
        have = set(place.residents.values_list("member_id", flat=True))
        from .models import PlaceMember

        PlaceMember.objects.bulk_create([PlaceMember(place=place, member=m) for m in members if m.pk not in have])
        audit.record(actor=actor, action="place.create" if created else "place.update", obj=place,
                     payload={"kind": place.kind})
    return place


def organisation_changed(obj, changes: dict) -> None:
    """Core renamed a station or studio (administration): the place keeps its name in step."""
    from xieshang.core.models import LiaisonStation, Studio

    if "name" in changes and isinstance(obj, (LiaisonStation, Studio)):
        field = "station" if isinstance(obj, LiaisonStation) else "studio"
        Place.objects.filter(**{field: obj}).update(name=obj.name)
