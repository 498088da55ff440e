"""The kernel's pages and API in the probe's access matrix (core/tests/test_probe_matrix.py)."""

from .probe import ADMIN, EVERYONE, OFFICE, SIGNED_IN, Creator, Endpoint, Page

NOBODY = frozenset()
ME = frozenset({"member"})  # the owner of the notification and the export

PAGES = [
    Page("core:home"),
    Page("core:login", ok=frozenset({"anonymous"}), status=tuple((r, 302) for r in SIGNED_IN)),
    Page("core:logout", ok=EVERYONE, method="post"),  # POST only
    Page("core:login_code", ok=EVERYONE, ok_status=302),  # no password given first: back to sign-in (or home)
    Page("core:account"),
    Page("core:account_password"),
    Page("core:account_second_factor"),
    Page("core:switch_committee", method="post"),
    Page("core:inbox"),
    Page("core:inbox_read_all", method="post"),
    Page("core:inbox_read", obj="core.notification", ok=ME, method="post"),
    Page("core:exports"),
    Page("core:export_download", obj="core.export", ok=ME, ok_status=302),  # not written yet: back to the list
    Page("core:admin_units_import", ok=ADMIN),
    Page("core:admin_units_template", ok=ADMIN),
    Page("core:admin_units_export", ok=ADMIN),
    Page("core:admin_members_import", ok=ADMIN),
    Page("core:admin_members_template", ok=ADMIN),
    Page("core:admin_members_export", ok=ADMIN),
    Page("core:admin_role_grant", ok=ADMIN, method="post"),
    Page("core:admin_timer_set", args=(("key", "proposal.acknowledge"),), ok=ADMIN, method="post"),
    Page("core:admin_timer_reset", args=(("key", "proposal.acknowledge"),), ok=ADMIN, method="post"),
    # the committee's category list: office staff and administrators (core.categories)
    Page("core:categories", ok=OFFICE),
    Page("core:category_edit", obj="core.category", ok=OFFICE),
    Page("core:categories_store", ok=OFFICE, method="post"),
    Page("core:category_action", obj="core.category", args=(("action", "up"),), ok=OFFICE, method="post"),
]
for name in ("home", "committee", "party_committee", "terms", "term_new", "session_new", "sectors", "sector_new",
             "special_committees", "special_committee_new", "organizations", "organization_new", "units", "unit_new",
             "stations", "station_new", "studios", "studio_new", "members", "member_new", "users", "user_new",
             "timers", "calendar"):
    PAGES.append(Page(f"core:admin_{name}", ok=ADMIN))
for name, obj in (("term_edit", "term"), ("session_edit", "session"), ("sector_edit", "sector"),
                  ("special_committee_edit", "special_committee"), ("organization_edit", "organization"),
                  ("unit_edit", "unit"), ("station_edit", "station"), ("studio_edit", "studio"),
                  ("member_edit", "member"), ("user", "user")):
    PAGES.append(Page(f"core:admin_{name}", obj=f"core.{obj}", ok=ADMIN))
for name, obj in (("user_password", "user"), ("user_second_factor_reset", "user"), ("user_role_grant", "user"), ("sector_delete", "sector"), ("special_committee_delete", "special_committee"),
                  ("organization_delete", "organization"), ("station_delete", "station"),
                  ("studio_delete", "studio"), ("role_revoke", "role"), ("holiday_delete", "holiday")):
    PAGES.append(Page(f"core:admin_{name}", obj=f"core.{obj}", ok=ADMIN, method="post"))

API = [
    Endpoint("/api/v1/me"),
    Endpoint("/api/v1/me/duty-facts"),
    Endpoint("/api/v1/units"),
    Endpoint("/api/v1/categories"),
    Endpoint("/api/v1/members"),
    Endpoint("/api/v1/exports"),
    Endpoint("/api/v1/exports/{id}", obj="core.export", ok=ME),
    Endpoint("/api/v1/exports/{id}/file", obj="core.export", ok=ME, status=(("member", 409),)),  # not written yet
]
_ = NOBODY


def _sector(world, text):
    from .. import services

    return services.sector_save(actor=world.users["admin"], committee=world.committee, name=text[:60])


def _unit(world, text):
    from .. import services

    return services.handling_unit_save(actor=world.users["admin"], committee=world.committee, name=text[:100],
                                       short_name=text[:20])


def _admin_pages(name):
    def pages(world, row):
        from django.urls import reverse

        return [("admin", reverse(f"core:admin_{name}s"), "html"),
                ("admin", reverse(f"core:admin_{name}_edit", args=[row.pk]), "html")]

    return pages


CREATORS = [
    Creator("core.sector", _sector, _admin_pages("sector")),
    Creator("core.unit", _unit, _admin_pages("unit")),
]
