"""Local development and the demo: served on 127.0.0.1 over plain HTTP."""

from carecircle.conf.base import *  # noqa: F403
from carecircle.conf.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)
