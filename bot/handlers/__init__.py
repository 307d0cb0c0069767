"""Telegram update handlers, one small async function per kind of update."""
