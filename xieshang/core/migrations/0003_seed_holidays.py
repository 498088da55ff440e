"""Seed the national holiday calendar from the chinese-calendar package (holidays on weekdays,
make-up working days on weekends). Later years are added by administrators or `xieshang calendar sync`."""

from django.db import migrations


def seed(apps, schema_editor):
    import chinese_calendar

    from xieshang.core.calendar import _holiday_name

    Holiday = apps.get_model("core", "Holiday")
    rows = [
        Holiday(date=day, is_working_day=False, name=_holiday_name(name))
        for day, name in chinese_calendar.holidays.items()
        if day.weekday() < 5
    ] + [
        Holiday(date=day, is_working_day=True, name=_holiday_name(name) + "调休")
        for day, name in chinese_calendar.workdays.items()
        if day.weekday() >= 5
    ]
    Holiday.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_event_append_only")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
