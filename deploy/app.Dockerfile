# The app image: bot, action server and migrations share it.
FROM python:3.10-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY requirements/app.txt requirements/app.txt
RUN pip install -r requirements/app.txt
COPY alembic.ini ./
COPY claims claims
COPY actions actions
COPY bot bot
USER nobody
