"""The floors of the grassroots benchmarks (loaded only through benchmarks/grassroots_settings.py), besides
benchmarks/floor_urls.py's bare page:

/_bench/sql/board/   hand-written SQL for what page 1 of the station board (/grassroots/board/) shows: the
                     keeper's places (one query), the counts per state and of late demands, and the first 20
                     demands in the board's order (late first, then by due date, received date, id) with their
                     unit; a minimal HTML table.
/_bench/sql/inbox/   the same for a unit's inbox (/grassroots/inbox/): the user's units, the count and the first
                     20 demands referred to them now, in the same order, with their place.

The user and committee come from the session, as the real pages'.
"""

from __future__ import annotations

from html import escape

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone

from benchmarks.floor_urls import urlpatterns as base_patterns
from xieshang.core.middleware import SESSION_KEY

PAGE_SIZE = 20
OPEN = "('received', 'accepted', 'referred', 'converted')"
ORDER = f"""CASE WHEN d.state IN {OPEN} AND d.due_on < %s THEN 0 WHEN d.state IN {OPEN} THEN 1 ELSE 2 END,
            d.due_on, d.received_on, d.id"""
PLACES_SQL = """
SELECT p.id FROM grassroots_place p JOIN core_roleassignment r
    ON (r.liaison_station_id = p.station_id OR r.studio_id = p.studio_id)
 WHERE r.user_id = %s AND r.committee_id = %s AND r.role = 'station'"""
STATES = ("received", "accepted", "declined", "referred", "converted", "answered", "closed")
COUNTS_SQL = ("SELECT COUNT(*), SUM(CASE WHEN d.state IN " + OPEN + " AND d.due_on < %s THEN 1 ELSE 0 END), "
              + ", ".join(f"SUM(CASE WHEN d.state = '{s}' THEN 1 ELSE 0 END)" for s in STATES)
              + " FROM grassroots_demand d WHERE d.committee_id = %s AND d.place_id IN ({ids})")
BOARD_SQL = f"""
SELECT d.id, d.tracking_code, d.text, d.category, d.state, u.name, d.received_on, d.due_on
  FROM grassroots_demand d LEFT JOIN core_handlingunit u ON u.id = d.unit_id
 WHERE d.committee_id = %s AND d.place_id IN ({{ids}})
 ORDER BY {ORDER} LIMIT {PAGE_SIZE}"""
UNITS_SQL = "SELECT handling_unit_id FROM core_roleassignment WHERE user_id = %s AND committee_id = %s AND role = 'unit'"
INBOX_COUNT_SQL = ("SELECT COUNT(*) FROM grassroots_demand d WHERE d.committee_id = %s AND d.unit_id IN ({ids})"
                   " AND d.state = 'referred'")
INBOX_SQL = f"""
SELECT d.id, d.tracking_code, d.text, p.name, d.category, d.received_on, d.due_on
  FROM grassroots_demand d JOIN grassroots_place p ON p.id = d.place_id
 WHERE d.committee_id = %s AND d.unit_id IN ({{ids}}) AND d.state = 'referred'
 ORDER BY {ORDER} LIMIT {PAGE_SIZE}"""


def _who(request):
    user_id, committee_id = request.session.get("_auth_user_id"), request.session.get(SESSION_KEY)
    return (int(user_id), int(committee_id)) if user_id and committee_id else (None, None)


def _ids(rows) -> str:
    return ",".join(str(int(r[0])) for r in rows) or "0"


def _table(title: str, head: str, rows) -> HttpResponse:
    out = [f"<!doctype html><title>{title}</title><p>{head}</p><table>"]
    for row in rows:
        out.append(f"<tr><td><a href=\"/grassroots/demands/{row[0]}/\">{escape(row[1])}</a></td>"
                   + "".join(f"<td>{escape(str(v if v is not None else ''))[:60]}</td>" for v in row[2:]) + "</tr>")
    out.append("</table>")
    return HttpResponse("".join(out))


def _floor(view):
    """The signed-in user and committee from the session (403 without), today, a cursor."""
    def wrapped(request):
        user_id, committee_id = _who(request)
        if user_id is None:
            return HttpResponse(status=403)
        with connection.cursor() as cursor:
            return view(cursor, user_id, committee_id, timezone.localdate())
    return wrapped


@_floor
def sql_board(cursor, user_id, committee_id, today):
    cursor.execute(PLACES_SQL, [user_id, committee_id])
    ids = _ids(cursor.fetchall())
    cursor.execute(COUNTS_SQL.format(ids=ids), [today, committee_id])
    counts = cursor.fetchone()
    cursor.execute(BOARD_SQL.format(ids=ids), [committee_id, today])
    rows = cursor.fetchall()
    head = " ".join(f"{name} {n or 0}" for name, n in zip(("total", "late", *STATES), counts, strict=True))
    return _table("board", head, rows)


@_floor
def sql_inbox(cursor, user_id, committee_id, today):
    cursor.execute(UNITS_SQL, [user_id, committee_id])
    ids = _ids(cursor.fetchall())
    cursor.execute(INBOX_COUNT_SQL.format(ids=ids), [committee_id])
    count = cursor.fetchone()[0]
    cursor.execute(INBOX_SQL.format(ids=ids), [committee_id, today])
    rows = cursor.fetchall()
    return _table("inbox", str(count), rows)


urlpatterns = [
    path("_bench/sql/board/", sql_board),
    path("_bench/sql/inbox/", sql_inbox),
    *base_patterns,
]
handler404 = "xieshang.core.views.not_found"
handler500 = "xieshang.core.views.server_error"
