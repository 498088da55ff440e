"""The floors the list benchmarks compare against (loaded only through benchmarks/settings_bench.py).

/_bench/bare/        a bare Django page: the full middleware stack (session, auth, CSRF, CSP …) and
                     a constant body. What any page of this project costs at least.
/_bench/sql/list/    a bare view running hand-written SQL for the same rows as page 1 of the staff
                     proposal list (/proposals/, default sort, 50 a page): the count, the page with
                     proposer and next reply date, the live units of those rows; a minimal HTML table.
                     The committee comes from the session, as the real page's does.
/_bench/sql/api/     the same rows as JSON, authenticated like the API (bearer token, one query).

Everything else is the real URLconf.
"""

from __future__ import annotations

import hashlib
import json
from html import escape

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path

from xieshang.core.middleware import SESSION_KEY

PAGE_SIZE = 50
VISIBLE = "p.committee_id = %s AND (p.state <> 'draft' OR p.created_by_id = %s)"
COUNT_SQL = f"SELECT COUNT(*) FROM proposals_proposal p WHERE {VISIBLE}"
PAGE_SQL = f"""
SELECT p.id, p.number, p.title, p.state, p.category, p.is_key, p.sector_name, m.name,
       (SELECT MIN(a.due_date) FROM proposals_assignment a
         WHERE a.proposal_id = p.id AND a.state IN ('assigned', 'handling')) AS next_due
  FROM proposals_proposal p LEFT JOIN core_member m ON m.id = p.lead_proposer_id
 WHERE {VISIBLE}
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT %s OFFSET %s"""
UNITS_SQL = """
SELECT a.proposal_id, u.id, u.name, a.role, a.state FROM proposals_assignment a
  JOIN core_handlingunit u ON u.id = a.unit_id
 WHERE a.proposal_id IN ({ids}) AND a.state <> 'cancelled' ORDER BY a.proposal_id, a.id"""
TOKEN_SQL = """
SELECT t.user_id FROM api_apitoken t JOIN core_user u ON u.id = t.user_id
 WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > CURRENT_TIMESTAMP AND u.is_active"""
DEFAULT_COMMITTEE_SQL = "SELECT committee_id FROM core_roleassignment WHERE user_id = %s ORDER BY committee_id LIMIT 1"


def bare(request):
    return HttpResponse("<!doctype html><title>ok</title><p>ok</p>")


def _rows(committee_id, user_id, page):
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL, [committee_id, user_id])
        count = cursor.fetchone()[0]
        cursor.execute(PAGE_SQL, [committee_id, user_id, PAGE_SIZE, (page - 1) * PAGE_SIZE])
        rows = cursor.fetchall()
        units: dict[int, list] = {}
        if rows:
            cursor.execute(UNITS_SQL.format(ids=",".join(str(int(r[0])) for r in rows)))
            for pid, uid, name, role, state in cursor.fetchall():
                units.setdefault(pid, []).append((uid, name, role, state))
    return count, rows, units


def _page(request) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100000 else 1


def sql_list(request):
    user_id = request.session.get("_auth_user_id")
    committee_id = request.session.get(SESSION_KEY)
    if not user_id or not committee_id:
        return HttpResponse(status=403)
    count, rows, units = _rows(committee_id, int(user_id), _page(request))
    out = [f"<!doctype html><title>proposals</title><p>{count}</p><table>"]
    for pid, number, title, state, category, is_key, sector, proposer, due in rows:
        names = "<br>".join(f"{escape(n)} ({role})" for _u, n, role, _s in units.get(pid, ()))
        out.append(
            f"<tr><td>{escape(number or '—')}</td><td><a href=\"/proposals/{pid}/\">{escape(title)}</a>"
            f"{' key' if is_key else ''}</td><td>{escape(proposer or '')}<div>{escape(sector)}</div></td>"
            f"<td>{category}</td><td>{state}</td><td>{names}</td><td>{due or ''}</td></tr>"
        )
    out.append("</table>")
    return HttpResponse("".join(out))


def sql_api(request):
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        return JsonResponse({"code": "unauthenticated"}, status=401)
    with connection.cursor() as cursor:
        cursor.execute(TOKEN_SQL, [hashlib.sha256(auth[7:].encode()).hexdigest()])
        row = cursor.fetchone()
        if row is None:
            return JsonResponse({"code": "unauthenticated"}, status=401)
        user_id = row[0]
        cursor.execute(DEFAULT_COMMITTEE_SQL, [user_id])
        committee_id = cursor.fetchone()[0]
    count, rows, units = _rows(committee_id, user_id, _page(request))
    items = [
        {"id": pid, "number": number, "title": title, "state": state, "category": category, "proposer": proposer,
         "sector": sector, "is_key": bool(is_key), "next_due": str(due) if due else None,
         "units": [{"id": u, "name": n, "role": role, "state": s} for u, n, role, s in units.get(pid, ())],
         "url": f"/api/v1/proposals/{pid}"}
        for pid, number, title, state, category, is_key, sector, proposer, due in rows
    ]
    body = json.dumps({"items": items, "count": count, "page": _page(request), "page_size": PAGE_SIZE}, ensure_ascii=False)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("_bench/bare/", bare),
    path("_bench/sql/list/", sql_list),
    path("_bench/sql/api/", sql_api),
    path("", include("xieshang.urls")),
]
handler404 = "xieshang.core.views.not_found"
handler500 = "xieshang.core.views.server_error"
