"""The subject categories proposals, opinion reports and (later) demands are filed under.

One fixed list shared by every app until categories become each committee's own data (the text
intelligence issue); the values are what the tables store."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ECONOMY = "economy", _("economic development")
    POLITICS = "politics", _("political and legal affairs")
    CULTURE = "culture", _("culture and education")
    SOCIETY = "society", _("social affairs and livelihood")
    ECOLOGY = "ecology", _("ecology and environment")
    AGRICULTURE = "agriculture", _("agriculture and rural areas")
    OTHER = "other", _("other")
