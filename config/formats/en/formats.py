# English pages keep the Vietnamese dates (dd/mm/yyyy); only the number separators differ.
from config.formats.vi.formats import *  # noqa: F401,F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
