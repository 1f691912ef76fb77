"""Naik Kelas: a WhatsApp and Telegram assistant for Indonesian UMKM owners and their agencies."""

__version__ = "0.1.0"
