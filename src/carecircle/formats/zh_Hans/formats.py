# Chinese statistical tables group digits by thousands with commas (874,334); Django's own
# zh_Hans format groups nothing.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
