"""`{% demand_origin obj %}`: the small "from a citizen's demand" line on the page of a proposal or opinion report
drafted from a demand (`Demand.proposal` / `Demand.opinion`, set by the demand's `convert`); nothing for anything
else. The demand's number and place are shown to whoever sees the page (the draft's own text names them too); its
day and the link to it only to those who may see the demand (selectors.can_see_demand). One query."""

from django import template

register = template.Library()


@register.inclusion_tag("grassroots/_origin.html", takes_context=True)
def demand_origin(context, obj):
    from xieshang.grassroots import selectors
    from xieshang.grassroots.models import Demand

    field = {"proposals.proposal": "proposal", "opinions.opinionreport": "opinion"}.get(
        getattr(getattr(obj, "_meta", None), "label_lower", ""))
    demand = None
    if field and obj.pk:
        demand = (Demand.objects.filter(**{field: obj}).select_related("place")
                  .only("id", "committee_id", "place__name", "received_on", "unit_id", "answered_by_unit_id",
                        "recorded_by_id", "source", "tracking_code", "place_id").order_by("id").first())
    request = context.get("request")
    user = getattr(request, "user", None)
    may_open = bool(demand and user is not None and selectors.can_see_demand(user, demand))
    return {"demand": demand, "may_open": may_open}
