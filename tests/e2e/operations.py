"""What operators and deploys do to the running assistant during a test: the back office's and the campaigns'
command lines, and restarting the bot with other settings."""
from __future__ import annotations

import os
import subprocess

from devstack.processes import ROOT
from devstack.stack import APP_PYTHON


def operator_command(database_url: str, module: str, *args: str) -> str:
    """Run `python -m <module> ARGS` on the database; its output (it must succeed)."""
    result = subprocess.run([APP_PYTHON, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": database_url}, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def backoffice(assistant, *args: str) -> str:
    return operator_command(assistant.database_url, "claims.backoffice", *args)


def campaigns(database_url: str, *args: str) -> str:
    return operator_command(database_url, "claims.campaigns", *args)


def restart_bot(assistant, **env: str) -> None:
    """Restart the shared bot, with these settings changed from now on."""
    bot = assistant.stack.services["bot"]
    bot.env.update(env)
    bot.restart()
