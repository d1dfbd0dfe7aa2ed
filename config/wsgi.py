import gc
import itertools
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

# A server process keeps ~170,000 objects that live as long as it does (modules, URL patterns, compiled templates,
# the admin's registry), most built by its first requests. Python's full garbage collection walks them all: 120-150 ms
# a time, which fell on whichever request was running, the slowest twentieth of the pages under load. After a few
# requests have built them, they are collected once and moved out of the collector's reach (gc.freeze): a full
# collection then walks what requests create, about 10 ms. Freezing again at the 4th, 16th and 64th request takes
# in what the pages first opened later built; what a request leaves alive is freed by reference counting as before.
FREEZE_AFTER = (1, 4, 16, 64)
_served = itertools.count(1)


def freeze_long_lived(**_kwargs) -> None:
    served = next(_served)
    if served in FREEZE_AFTER:
        gc.collect()  # the garbage of the requests so far goes first: what is frozen is never collected
        gc.freeze()
    if served >= FREEZE_AFTER[-1]:
        request_finished.disconnect(freeze_long_lived)


request_finished.connect(freeze_long_lived, dispatch_uid="config.wsgi.freeze_long_lived")
