# One replica of the service: the records, the code and an index built at image build time.
# The service is read-only and stateless, so it scales out as identical replicas behind any
# load balancer (see scripts/replicas.sh for two replicas behind nginx on one machine).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/kb

# what WeasyPrint loads to lay out the book's PDF (/book.pdf), and a font to set it in
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml constraints.txt README.md ./
COPY kb ./kb
COPY framework ./framework
COPY practices ./practices
COPY templates ./templates
COPY web ./web
COPY schema ./schema
COPY index/README.md ./index/README.md

# Installed in place: the package finds framework/, practices/ and web/ beside it.
RUN pip install -c constraints.txt -e . \
 && kb validate practices \
 && kb index \
 && useradd --system --home /srv/kb kb \
 && chown -R kb /srv/kb/index

USER kb
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["kb", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
