"""家庭服务门户. The portal keeps no records of its own: it reads the providers' published facts
and writes applications through ``carecircle.enrolment``."""
