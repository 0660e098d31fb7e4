"""CareCircle (一老一小服务平台): Hai'an elderly-care and childcare service platform."""

__version__ = "0.1.0"
