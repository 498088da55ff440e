"""The grassroots benchmarks' storage and data set (benchmarks/grassroots_public.py, grassroots_lists.py).

Storage of its own, apart from the proposals' data sets: SQLite in benchmarks/results/grassroots-<size>/,
PostgreSQL in the database `xieshang_bench_grassroots_<size>` (created when missing; may be dropped at any
time). The servers run with benchmarks/grassroots_settings.py (the real settings, the floors, the public
door's limits raised and 127.0.0.1 a trusted proxy, SMS codes to a file).

The data set (prefix `grb`, made once per size and reused): one prefecture committee `grb-0000` (the portal's
committee) with 115 public places over seven counties, 20 handling units, a keeper of the first place
(`grb-0000-keeper`), a user of the first unit (`grb-0000-u00`) and N demands received over 2024–2026: 10 % at
the keeper's place, 10 % referred to the first unit; states as in a working year (60 % closed, 8 % answered,
5 % declined, 12 % referred, 8 % accepted, 7 % received; the open ones due around today, about half of them
late); a third of the closed ones published. Written with multi-row INSERTs (`grassroots.demo.fast_insert`),
then the planner's statistics as production keeps them (`analyze`); no audit events, deadlines or search
index (none of the measured pages reads them).

    python benchmarks/grassroots_data.py --db sqlite --size 100000
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import common  # noqa: E402

PREFIX = "grb"
SETTINGS = "benchmarks.grassroots_settings"
COUNTIES = ["昌吉市", "阜康市", "呼图壁县", "玛纳斯县", "奇台县", "吉木萨尔县", "木垒县"]
TEXTS = ["小区门口的路灯坏了两个多月，晚上老人孩子出行很不方便，希望尽快修好。",
         "今年供暖以来室温一直只有十五六度，家里有老人和婴儿，希望供热单位上门检修。",
         "村里到镇上的道路坑洼不平，下雨天积水，学生上学很不安全，希望修一修。",
         "西红柿收获后销路不好，收购价压得很低，希望帮忙找找销路。"]
ANSWER = "经现场核实，该问题已列入今年的整改计划，已于近期完成维修，并纳入日常巡检。"


def pg_url(size: int) -> str:
    return f"postgres://postgres@127.0.0.1:5432/xieshang_bench_grassroots_{size}"


def env_for(db: str, size: int) -> dict:
    env = common.db_env(db, size)
    env["XIESHANG_DATA_DIR"] = str(common.RESULTS / f"grassroots-{size}" / db)
    env["XIESHANG_SMS_FILE"] = str(Path(env["XIESHANG_DATA_DIR"]) / "sms.jsonl")
    if db == "postgres":
        env["DATABASE_URL"] = pg_url(size)
    return env


def setup(db: str, size: int) -> dict:
    """Point this process at the grassroots benchmark storage (created and migrated) and set Django up."""
    env = env_for(db, size)
    Path(env["XIESHANG_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if db == "postgres":
        import psycopg

        name = pg_url(size).rsplit("/", 1)[1]
        with psycopg.connect(common.PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(env)
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    common.run([str(common.BIN / "xieshang"), "migrate", "--noinput"], {**env, "DJANGO_SETTINGS_MODULE": SETTINGS})
    import django

    django.setup()
    return {**env, "DJANGO_SETTINGS_MODULE": SETTINGS}


def prepare(size: int) -> dict | None:
    """Generate the data set unless it is there (returns the figures of the generation, else None)."""
    from xieshang.core.models import Committee
    from xieshang.grassroots.models import Demand

    committee = Committee.objects.filter(code=f"{PREFIX}-0000").first()
    if committee is not None and Demand.objects.filter(committee=committee).count() >= size:
        analyze()  # milliseconds; a data set from before the statistics were kept gets them
        return None
    return generate(size)


def generate(size: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from xieshang.core.models import Committee, HandlingUnit, LiaisonStation, Role, RoleAssignment, User
    from xieshang.grassroots.demo import fast_insert
    from xieshang.grassroots.models import Demand, Place, PlaceKind
    from xieshang.grassroots.services import TRACKING_ALPHABET, TRACKING_LENGTH

    started = time.monotonic()
    rng = random.Random(20261205)
    code = f"{PREFIX}-0000"
    today = datetime.date.today()
    with transaction.atomic():
        old = Committee.objects.filter(code=code).first()
        if old is not None:  # a smaller data set of this size's storage: start again
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM grassroots_phonecode")
            Demand.objects.filter(committee=old).delete()
        committee, _ = Committee.objects.update_or_create(code=code, defaults={
            "name": "基层协商基准委员会", "level": Committee.Level.PREFECTURE, "is_active": True})
        if not Place.objects.filter(committee=committee).exists():
            stations = LiaisonStation.objects.bulk_create([
                LiaisonStation(committee=committee, name=f"{COUNTIES[i % 7]}第{i + 1}委员联络站", sort_order=i)
                for i in range(115)])
            Place.objects.bulk_create([
                Place(committee=committee, station=s, kind=PlaceKind.STATION, name=s.name, county=COUNTIES[i % 7],
                      township=f"第{i + 1}街道", reception_days="10,20" if i < 20 else "", public=True, sort_order=i)
                for i, s in enumerate(stations)])
            HandlingUnit.objects.bulk_create([
                HandlingUnit(committee=committee, name=f"基准办理单位{i:02d}", short_name=f"单位{i:02d}", sort_order=i)
                for i in range(20)])
        places = list(Place.objects.filter(committee=committee).order_by("sort_order"))
        units = list(HandlingUnit.objects.filter(committee=committee).order_by("sort_order"))
        for username, role, scope in ((f"{code}-keeper", Role.STATION, {"liaison_station": places[0].station}),
                                      (f"{code}-u00", Role.UNIT, {"handling_unit": units[0]})):
            user, _ = User.objects.get_or_create(username=username, defaults={
                "full_name": username, "password": make_password(None), "is_active": True})
            RoleAssignment.objects.get_or_create(user=user, committee=committee, role=role, **scope)
        states = [("closed", 60), ("answered", 8), ("declined", 5), ("referred", 12), ("accepted", 8), ("received", 7)]
        names, weights = zip(*states, strict=True)
        codes = set(Demand.objects.values_list("tracking_code", flat=True))
        first = datetime.date(2024, 1, 1)
        span = (today - first).days
        rows = []
        for i in range(size):
            state = rng.choices(names, weights)[0]
            place = places[0] if i % 10 == 0 else places[rng.randrange(1, len(places))]
            received = first + datetime.timedelta(days=rng.randint(0, span))
            unit = units[0] if i % 10 == 5 else rng.choice(units[1:])
            if state in ("received", "accepted", "referred"):
                received = today - datetime.timedelta(days=rng.randint(1, 40))
            while True:
                tracking = "".join(rng.choice(TRACKING_ALPHABET) for _j in range(TRACKING_LENGTH))
                if tracking not in codes:
                    codes.add(tracking)
                    break
            referred = state == "referred" or (state in ("answered", "closed") and rng.random() < 0.6)
            answered = state in ("answered", "closed")
            answered_on = min(received + datetime.timedelta(days=rng.randint(2, 25)), today) if answered else None
            rows.append({
                "committee_id": committee.pk, "place_id": place.pk, "tracking_code": tracking,
                "source": rng.choice(["portal", "portal", "keeper", "member"]), "text": rng.choice(TEXTS),
                "category": rng.choice(["society", "agriculture", "culture", "other"]),
                "citizen_name": "张先生", "phone": f"139{rng.randrange(10**8):08d}", "state": state, "version": 3,
                "received_on": received,
                "due_on": (received + datetime.timedelta(days=21)) if state in ("received", "accepted", "referred") else None,
                "unit_id": unit.pk if referred else None,
                "decline_reason": "不属于受理范围。" if state == "declined" else "",
                "answer": ANSWER if answered else "", "answered_on": answered_on,
                "answered_by_unit_id": unit.pk if referred and answered else None,
                "answered_late": bool(answered and rng.random() < 0.1),
                "satisfaction": "satisfied" if state == "closed" else "", "citizen_comment": "", "reopened": 0,
                "closed_on": answered_on if state == "closed" else None,
                "public": state == "closed" and rng.random() < 0.33,
                "public_summary": "群众反映的问题已办理。" if state == "closed" else "",
                "created_at": datetime.datetime.combine(received, datetime.time(10, 0), tzinfo=datetime.UTC),
            })
        fast_insert(Demand, rows)
    analyze()
    seconds = time.monotonic() - started
    return {"demands": size, "seconds": round(seconds, 1), "per_second": round(size / seconds)}


def analyze() -> None:
    """The planner's statistics, as production keeps them (SQLite: the nightly `core.optimize_database` job;
    PostgreSQL: ANALYZE, which autovacuum would run in time)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        from xieshang.core.scheduler import optimize_database

        optimize_database()
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def add_args(parser, *, load: bool = True) -> None:
    """The arguments the grassroots benchmarks share (with `load`: those of the page loads)."""
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--size", type=int, default=100000, help="demands in the data set")
    if load:
        parser.add_argument("--json-out", help="also write the JSON line to this file")
        parser.add_argument("--seconds", type=float, default=10.0, help="load per page")
        parser.add_argument("--concurrency", type=int, default=4, help="clients reading the pages")
        parser.add_argument("--rounds", type=int, default=5, help="the pages are loaded in turn, in this many slices")
        parser.add_argument("--workers", type=int, default=None, help="gunicorn processes (default: as deployed)")


def start(args):
    """Storage, data and the committee: (server environment, generation figures or None, committee)."""
    env = setup(args.db, args.size)
    generated = prepare(args.size)
    from xieshang.core.models import Committee

    return env, generated, Committee.objects.get(code=f"{PREFIX}-0000")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_args(parser, load=False)
    args = parser.parse_args()
    setup(args.db, args.size)
    print(json.dumps(prepare(args.size) or {"demands": args.size, "generated": False}))


if __name__ == "__main__":
    main()
